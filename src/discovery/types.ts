/** Shapes of the descriptors that scripts/generate.ts writes from Google's discovery document. */
import type { MethodId } from '../generated/contract.js'

export type ParameterType = 'string' | 'integer' | 'boolean' | 'number'

export interface ParameterDescriptor {
  readonly type: ParameterType
  readonly location: 'path' | 'query'
  readonly format?: string
  readonly repeated?: boolean
  readonly required?: boolean
  readonly pattern?: string
  readonly enum?: readonly string[]
  readonly minimum?: string
  readonly maximum?: string
}

export interface MethodDescriptor {
  /** Discovery id, e.g. `people.people.updateContact`. */
  readonly id: MethodId
  readonly httpMethod: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Discovery path template, e.g. `v1/{+resourceName}:updateContact`. */
  readonly path: string
  /** Discovery flat path, e.g. `v1/people/{peopleId}:updateContact`. */
  readonly flatPath: string
  /** The single path parameter of the flat path and the resource-name prefix it stands for. */
  readonly pathParam?: { readonly name: string, readonly prefix: string, readonly target: string }
  readonly parameters: Readonly<Record<string, ParameterDescriptor>>
  readonly request?: string
  readonly response?: string
  readonly scopes: readonly string[]
}

export interface FieldDescriptor {
  readonly type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'any'
  readonly format?: string
  readonly ref?: string
  readonly items?: FieldDescriptor
  readonly additionalProperties?: FieldDescriptor
  readonly enum?: readonly string[]
  readonly readOnly?: true
}

export interface SchemaDescriptor {
  readonly id: string
  readonly properties: Readonly<Record<string, FieldDescriptor>>
}
