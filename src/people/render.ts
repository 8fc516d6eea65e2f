/**
 * A stored contact as the API shows it (BEHAVIOUR.md §4): resource name, metadata with the
 * CONTACT source, and every non-empty field with per-item metadata, exactly one primary.
 */
import type { StoredContact } from '../../db/state-store.js'
import { contactResourceName, groupResourceName } from '../ids.js'
import { CONTACT_DATA_FIELDS } from './fields.js'

export function contactSource (contact: StoredContact): Record<string, unknown> {
  return { type: 'CONTACT', id: contact.id, etag: contact.etag, updateTime: contact.updateTime }
}

/** Renders a contact with every field of `fields` (a read mask) that is non-empty. */
export function renderPerson (contact: StoredContact, fields: ReadonlySet<string>): Record<string, unknown> {
  const person: Record<string, unknown> = { resourceName: contactResourceName(contact.id) }
  if (fields.has('metadata')) person.metadata = { sources: [contactSource(contact)], objectType: 'PERSON' }
  const itemMetadata = (index: number): Record<string, unknown> => index === 0
    ? { primary: true, source: { type: 'CONTACT', id: contact.id } }
    : { source: { type: 'CONTACT', id: contact.id } }
  for (const name of CONTACT_DATA_FIELDS) {
    const value = contact.data[name]
    if (!fields.has(name) || !Array.isArray(value) || value.length === 0) continue
    person[name] = value.map((item: Record<string, unknown>, i) => ({ metadata: itemMetadata(i), ...item }))
  }
  if (fields.has('memberships') && contact.memberships.length > 0) {
    person.memberships = contact.memberships.map((groupId, i) => ({
      metadata: itemMetadata(i),
      contactGroupMembership: { contactGroupId: groupId, contactGroupResourceName: groupResourceName(groupId) }
    }))
  }
  return person
}
