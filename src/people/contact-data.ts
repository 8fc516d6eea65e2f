/**
 * The part of a Person that a contact stores: the writable fields, without anything the
 * server computes (read-only sub-fields, per-item metadata) and without empty values, as
 * proto3 would not carry them. Driven by the schema table.
 */
import { schemas } from '../generated/discovery.js'
import type { FieldDescriptor } from '../discovery/types.js'
import { CONTACT_DATA_FIELDS } from './fields.js'

/** Drops what proto3 JSON leaves out: null, '', false, 0, empty lists and empty objects. */
export function prune (value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(prune).filter(v => v !== undefined)
    return items.length > 0 ? items : undefined
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const p = prune(v)
      if (p !== undefined) out[k] = p
    }
    return Object.keys(out).length > 0 ? out : undefined
  }
  if (value === null || value === '' || value === false || value === 0) return undefined
  return value
}

function strip (field: FieldDescriptor, value: unknown): unknown {
  if (field.type === 'array' && field.items && Array.isArray(value)) {
    const items = field.items
    return value.map(v => strip(items, v))
  }
  if (field.ref && typeof value === 'object' && value !== null) return stripMessage(field.ref, value as Record<string, unknown>)
  return value
}

function stripMessage (schemaName: string, value: Record<string, unknown>): Record<string, unknown> {
  const schema = schemas[schemaName]!
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    const field = schema.properties[key]
    // Per-item `metadata` (FieldMetadata) is the server's: primary flags and sources.
    if (!field || field.readOnly || (key === 'metadata' && field.ref === 'FieldMetadata')) continue
    out[key] = strip(field, v)
  }
  return out
}

/** The stored form of one contact field: cleaned items, empty ones dropped; undefined when none is left. */
export function contactFieldData (name: string, value: unknown): unknown[] | undefined {
  if (!Array.isArray(value)) return undefined
  const field = schemas.Person!.properties[name]!
  return prune(strip(field, value)) as unknown[] | undefined
}

/** The stored contact data of an already transcoded Person: every writable field it carries. */
export function contactDataFromPerson (person: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  for (const name of CONTACT_DATA_FIELDS) {
    const items = contactFieldData(name, person[name])
    if (items) data[name] = items
  }
  return data
}
