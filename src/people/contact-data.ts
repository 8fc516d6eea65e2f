/**
 * The part of a Person that a contact stores: the writable fields, without anything the
 * server computes (read-only sub-fields, per-item metadata). Driven by the schema table.
 */
import { schemas } from '../generated/discovery.js'
import type { FieldDescriptor } from '../discovery/types.js'
import { CONTACT_DATA_FIELDS } from './fields.js'

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

/**
 * The stored contact data of an already transcoded Person: the writable fields that are
 * non-empty lists, cleaned of server-computed values.
 */
export function contactDataFromPerson (person: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  const personSchema = schemas.Person!
  for (const name of CONTACT_DATA_FIELDS) {
    const value = person[name]
    if (Array.isArray(value) && value.length > 0) data[name] = strip(personSchema.properties[name]!, value)
  }
  return data
}
