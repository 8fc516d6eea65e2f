/**
 * What the store keeps beside a contact's data for ordering and search: sort keys for
 * connections.list (FIRST_NAME_ASCENDING, LAST_NAME_ASCENDING) and the words
 * searchContacts matches (names, nicknames, email addresses, phone numbers, organizations).
 */
import { computeItem } from './computed.js'

export interface ContactKeys {
  givenKey: string
  familyKey: string
  searchText: string
}

/** Case and accents folded away: `Zoë` → `zoe`. */
export function fold (text: string): string {
  // Printable ASCII has no accents or compatibility forms to take apart.
  if (/^[\x20-\x7e]*$/.test(text)) return text.toLowerCase()
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
}

/**
 * A token that separates fields in the search text, so that a phrase never runs from one
 * field into the next ("Lovelace ada" must not match a family name followed by an email).
 */
export const FIELD_SEPARATOR = 'zzfieldzz'

type Items = Array<Record<string, unknown>> | undefined

function strings (...values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === 'string' && v.trim() !== '')
}

function sortKey (value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' ? '0' + fold(value.trim()) : '1'
}

export function contactKeys (data: Record<string, unknown>): ContactKeys {
  const names = data.names as Items
  const first = names?.[0]
  const parts: string[] = []
  for (const name of names ?? []) {
    const n = computeItem('Name', name, { fillWritable: false })
    parts.push(...strings(n.displayName, n.unstructuredName, n.phoneticFullName, n.phoneticGivenName, n.phoneticFamilyName))
  }
  for (const nickname of (data.nicknames as Items) ?? []) parts.push(...strings(nickname.value))
  for (const email of (data.emailAddresses as Items) ?? []) parts.push(...strings(email.value, email.displayName))
  for (const phone of (data.phoneNumbers as Items) ?? []) {
    if (typeof phone.value === 'string') parts.push(phone.value, phone.value.replace(/\D/g, ''))
  }
  for (const org of (data.organizations as Items) ?? []) parts.push(...strings(org.name, org.title, org.department))
  return {
    givenKey: sortKey(first?.givenName),
    familyKey: sortKey(first?.familyName),
    searchText: parts.join(` ${FIELD_SEPARATOR} `)
  }
}
