/**
 * The part of a Person that a contact stores: the writable fields, without anything the
 * server computes (read-only sub-fields, per-item metadata) and without empty values, as
 * proto3 would not carry them. Driven by the schema table.
 */
import { schemas } from '../generated/discovery.js'
import type { FieldDescriptor } from '../discovery/types.js'
import { CONTACT_DATA_FIELDS } from './fields.js'
import type { Person } from '../schemas/generated.js'

/** Drops what proto3 JSON leaves out: null, '', false, 0, empty lists and empty objects. */
export function prune (value: unknown): unknown {
  // Loops instead of map/filter/entries: this runs on every item of every write and of every
  // fixture contact (a 1,000-contact fixture at each start).
  if (Array.isArray(value)) {
    let items: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const p = prune(value[i])
      if (p !== undefined) (items ??= []).push(p)
    }
    return items
  }
  if (typeof value === 'object' && value !== null) {
    let out: Record<string, unknown> | undefined
    const record = value as Record<string, unknown>
    for (const k of Object.keys(record)) {
      const p = prune(record[k])
      if (p !== undefined) (out ??= {})[k] = p
    }
    return out
  }
  if (value === null || value === '' || value === false || value === 0) return undefined
  return value
}

function strip (field: FieldDescriptor, value: unknown): unknown {
  if (field.type === 'array' && field.items && Array.isArray(value)) {
    const items = field.items
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = strip(items, value[i])
    return out
  }
  if (field.ref && typeof value === 'object' && value !== null) return stripMessage(field.ref, value as Record<string, unknown>)
  return value
}

function stripMessage (schemaName: string, value: Record<string, unknown>): Record<string, unknown> {
  const properties = schemas[schemaName]!.properties
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const field = properties[key]
    // Per-item `metadata` (FieldMetadata) is the server's: primary flags and sources.
    if (!field || field.readOnly || (key === 'metadata' && field.ref === 'FieldMetadata')) continue
    out[key] = strip(field, value[key])
  }
  return out
}

/** The stored form of one contact field: cleaned items, empty ones dropped; undefined when none is left. */
export function contactFieldData (name: string, value: unknown): unknown[] | undefined {
  if (!Array.isArray(value)) return undefined
  const field = schemas.Person!.properties[name]!
  return prune(strip(field, value)) as unknown[] | undefined
}

/**
 * One field of a Person by its name, as a mask or the schema table names it at run time (the
 * walkers here and in src/people/contacts.ts go over fields by name, not by type).
 */
export function personField (person: Person, name: string): unknown {
  return (person as Record<string, unknown>)[name]
}

/** The stored contact data of an already transcoded Person: every writable field it carries. */
export function contactDataFromPerson (person: Person): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  for (const name of CONTACT_DATA_FIELDS) {
    const items = contactFieldData(name, personField(person, name))
    if (items) data[name] = items
  }
  return data
}
