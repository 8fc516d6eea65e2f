/**
 * Checks a 2xx body against the discovery schema (TypeBox definitions generated from it):
 * no unknown keys, the right types, and proto3 output — no nulls, no empty lists, strings,
 * objects, no false and no zero.
 */
import { Value } from '@sinclair/typebox/value'
import type { TSchema } from '@sinclair/typebox'
import * as schemas from '../../src/schemas/generated.js'

function proto3Problems (value: unknown, path: string, out: string[]): void {
  if (value === null) out.push(`${path}: null`)
  else if (Array.isArray(value)) {
    if (value.length === 0) out.push(`${path}: empty list`)
    value.forEach((v, i) => proto3Problems(v, `${path}[${i}]`, out))
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) proto3Problems(v, `${path}.${k}`, out)
  } else if (value === '' || value === false || value === 0) out.push(`${path}: default value ${JSON.stringify(value)}`)
}

/** Every problem of `value` as a `schemaName` response; empty when it conforms. */
export function schemaProblems (schemaName: keyof typeof schemas, value: unknown): string[] {
  const schema = schemas[schemaName] as unknown as TSchema
  const out = [...Value.Errors(schema, value)].map(e => `${e.path || '/'}: ${e.message}`)
  proto3Problems(value, '$', out)
  return out
}

interface Asserter { same: (...args: any[]) => unknown }

export function assertConforms (t: Asserter, schemaName: keyof typeof schemas, value: unknown): void {
  t.same(schemaProblems(schemaName, value), [], `the body conforms to ${String(schemaName)}`)
}
