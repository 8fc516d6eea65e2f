/**
 * Reads a JSON request body the way Google's JSON→proto transcoding does, driven by the
 * schema table generated from the discovery document: unknown names and values of the wrong
 * type are rejected (FIDELITY.md: wire, JSON bodies read as proto3 JSON), `null` means "not set", numbers may arrive as strings
 * and enums as their index. The result is a clean copy; the input is never modified.
 */
import { schemas } from '../generated/discovery.js'
import type { FieldDescriptor } from './types.js'
import type { SchemaName, Schemas } from '../generated/contract.js'
import { invalidValue, unknownField, type ApiError } from '../errors.js'

/** A field name, a list index, or the key of a map entry. */
export type PathSegment = string | number | { key: string }

export type Problem =
  | { kind: 'unknown', path: PathSegment[], name: string }
  | { kind: 'type', path: PathSegment[], protoType: string, value: unknown }

class ProblemSignal {
  constructor (readonly problem: Problem) {}
}

const MESSAGE_PREFIX = 'type.googleapis.com/google.people.v1.'

export function snakeCase (name: string): string {
  return name.replace(/[A-Z]/g, c => '_' + c.toLowerCase())
}

function protoType (field: FieldDescriptor): string {
  if (field.ref) return MESSAGE_PREFIX + field.ref
  if (field.enum) return 'TYPE_ENUM'
  switch (field.type) {
    case 'integer': return field.format === 'uint32' ? 'TYPE_UINT32' : 'TYPE_INT32'
    case 'number': return field.format === 'float' ? 'TYPE_FLOAT' : 'TYPE_DOUBLE'
    case 'boolean': return 'TYPE_BOOL'
    case 'string':
      if (field.format === 'int64') return 'TYPE_INT64'
      if (field.format === 'uint64') return 'TYPE_UINT64'
      if (field.format === 'byte') return 'TYPE_BYTES'
      if (field.format === 'google-datetime') return 'type.googleapis.com/google.protobuf.Timestamp'
      if (field.format === 'google-fieldmask') return 'type.googleapis.com/google.protobuf.FieldMask'
      return 'TYPE_STRING'
    default: return 'TYPE_MESSAGE'
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/
const INT32_MIN = -2147483648
const INT32_MAX = 2147483647

/**
 * `path` is one array shared by the whole walk: a segment is pushed before a child is read and
 * popped after, and the array is copied only when a problem is found (a valid body allocates no
 * paths). A problem ends the walk, so nothing pops after a throw. No closure per child: this
 * runs on every field of every request body and of every fixture contact.
 */
function readScalar (field: FieldDescriptor, value: unknown, path: PathSegment[]): unknown {
  const fail = (): never => { throw new ProblemSignal({ kind: 'type', path: [...path], protoType: protoType(field), value }) }
  if (field.enum) {
    if (typeof value === 'string') return field.enum.includes(value) ? value : fail()
    // By number: the discovery document lists an enum's values in proto order from 0.
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < field.enum.length) return field.enum[value]
    return fail()
  }
  switch (field.type) {
    case 'integer': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value
      if (typeof n !== 'number' || !Number.isInteger(n)) return fail()
      const min = field.format === 'uint32' ? 0 : INT32_MIN
      const max = field.format === 'uint32' ? 4294967295 : INT32_MAX
      return n >= min && n <= max ? n : fail()
    }
    case 'number': {
      if (typeof value === 'number') return value
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value)
      return fail()
    }
    case 'boolean': return typeof value === 'boolean' ? value : fail()
    case 'string': {
      if (field.format === 'int64' || field.format === 'uint64') {
        if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
        return typeof value === 'string' && /^-?\d+$/.test(value) ? value : fail()
      }
      if (typeof value !== 'string') return fail()
      if (field.format === 'google-datetime' && !RFC3339.test(value)) return fail()
      if (field.format === 'byte' && !BASE64.test(value)) return fail()
      return value
    }
    case 'any': return value
    default: return fail()
  }
}

function readField (field: FieldDescriptor, value: unknown, path: PathSegment[]): unknown {
  if (field.type === 'array' && field.items) {
    if (!Array.isArray(value)) {
      throw new ProblemSignal({ kind: 'type', path: [...path], protoType: protoType(field.items), value })
    }
    const items = field.items
    // Nulls are dropped; an item's index in the path is its index once they are.
    const out: unknown[] = []
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i]
      if (v === null || (v === undefined && !(i in value))) continue
      path.push(out.length)
      out.push(readField(items, v, path))
      path.pop()
    }
    return out
  }
  if (field.type === 'object' && field.additionalProperties) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ProblemSignal({ kind: 'type', path: [...path], protoType: 'TYPE_MESSAGE', value })
    }
    const out: Record<string, unknown> = {}
    const entry = field.additionalProperties
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      const v = record[key]
      if (v === null) continue
      path.push({ key })
      // defineProperty: a key such as "__proto__" must stay an ordinary key.
      Object.defineProperty(out, key, { value: readField(entry, v, path), enumerable: true, writable: true, configurable: true })
      path.pop()
    }
    return out
  }
  if (field.ref) return readObject(field.ref, value, path)
  return readScalar(field, value, path)
}

function readObject (schemaName: string, value: unknown, path: PathSegment[]): Record<string, unknown> {
  const schema = schemas[schemaName]
  if (!schema) throw new Error(`no schema ${schemaName} in the discovery document`)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProblemSignal({ kind: 'type', path: [...path], protoType: MESSAGE_PREFIX + schemaName, value })
  }
  const out: Record<string, unknown> = {}
  const record = value as Record<string, unknown>
  for (const name of Object.keys(record)) {
    // Proto JSON accepts the proto (snake_case) name as well; the copy keeps the JSON name.
    const key = Object.hasOwn(schema.properties, name) ? name : camelCase(name)
    const field = Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined
    if (!field) throw new ProblemSignal({ kind: 'unknown', path: [...path], name })
    const v = record[name]
    if (v === null) continue
    path.push(key)
    out[key] = readField(field, v, path)
    path.pop()
  }
  return out
}

function camelCase (name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

/** Reads `value` as a message of `schemaName`; returns the clean copy or the first problem. */
export function readMessage (schemaName: string, value: unknown): { value: Record<string, unknown> } | { problem: Problem } {
  try {
    return { value: readObject(schemaName, value, []) }
  } catch (err) {
    if (err instanceof ProblemSignal) return { problem: err.problem }
    throw err
  }
}

/** `person.names[0].given_name`, as Google names a field in transcoding errors. */
export function protoPath (root: string, path: readonly PathSegment[]): string {
  let out = root
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else if (typeof seg === 'object') out += `[${seg.key}]`
    else out += out === '' ? snakeCase(seg) : '.' + snakeCase(seg)
  }
  return out
}

/** `accounts[0].people[1].names[0].givenName`, a JSON path for fixture messages. */
export function jsonPath (root: string, path: readonly PathSegment[]): string {
  let out = root
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else if (typeof seg === 'object') out += `[${JSON.stringify(seg.key)}]`
    else out += out === '' ? seg : '.' + seg
  }
  return out
}

/**
 * The offending value as Google quotes it (JSON), cut short: a message never grows with the
 * value, and a deeply nested one cannot overflow the stack.
 */
export function renderValue (value: unknown, depth = 0): string {
  const limit = 200
  let text: string
  if (Array.isArray(value)) {
    text = depth >= 4 ? '[…]' : '[' + value.slice(0, 10).map(v => renderValue(v, depth + 1)).join(',') + (value.length > 10 ? ',…' : '') + ']'
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
    text = depth >= 4 ? '{…}' : '{' + entries.slice(0, 10).map(([k, v]) => JSON.stringify(k) + ':' + renderValue(v, depth + 1)).join(',') + (entries.length > 10 ? ',…' : '') + '}'
  } else {
    text = JSON.stringify(value) ?? String(value)
  }
  return text.length > limit ? text.slice(0, limit) + '…' : text
}

/** Turns a problem into Google's transcoding error; `root` is the request field the body binds to. */
export function problemToApiError (problem: Problem, root: string): ApiError {
  if (problem.kind === 'unknown') {
    const at = protoPath(root, problem.path)
    return unknownField(problem.name, at === '' ? undefined : at)
  }
  return invalidValue(protoPath(root, problem.path), problem.protoType, renderValue(problem.value))
}

/** Turns a problem into one line naming the JSON path, for fixture documents. */
export function problemToText (problem: Problem, root: string): string {
  if (problem.kind === 'unknown') {
    return `${jsonPath(root, [...problem.path, problem.name])}: unknown field "${problem.name}"`
  }
  return `${jsonPath(root, problem.path)}: invalid value ${renderValue(problem.value)} (expected ${problem.protoType})`
}

/** A JSON object (not null, not an array). */
export function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A request body read as the schema `name` of the discovery document, or Google's transcoding
 * error. `root` is the request field the body binds to (`person` for updateContact's
 * `body: "person"`); '' when the body is the whole request message. The walk above decides the
 * shape at run time from the schema table (names, types, enums), so what it returns is that
 * schema's type: the one place a body becomes a `Schemas[K]`.
 */
export function readRequest<K extends SchemaName> (name: K, body: unknown, root = ''): Schemas[K] {
  const read = readMessage(name, body ?? {})
  if ('problem' in read) throw problemToApiError(read.problem, root)
  return read.value as Schemas[K]
}
