/**
 * Google's product limits (FIDELITY.md: limits), enforced with 400s so that tests meet them here
 * rather than in production; and the documented page and batch sizes of the methods, defined
 * once here for every method that has them.
 */

import { invalidArgument, type ApiError } from './errors.js'

/** Contacts one account may hold. */
export const MAX_CONTACTS_PER_ACCOUNT = 25000

/** Characters one field value may hold. */
export const MAX_FIELD_LENGTH = 1024

/**
 * Bytes of one contact's data as stored (its JSON). Observed: Google raised a contact's size
 * limit from 32 KB to 128 KB when it raised the contacts limit to 25,000 (May 2011).
 */
export const MAX_CONTACT_BYTES = 128 * 1024

/** Bytes of one uploaded photo (chosen; Google keeps resized copies). */
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024

/**
 * Contacts the whole emulator may hold — and so one fixture document, since every state the
 * emulator accepts must come back through its own export and import (chosen).
 */
export const MAX_CONTACTS_IN_EMULATOR = 100_000

/**
 * Other contacts one account may hold (as contacts; chosen), and people one domain's directory
 * may hold of each kind (as the emulator may hold contacts; chosen).
 */
export function maxOtherPeople (sourceType: 'OTHER_CONTACT' | 'DOMAIN_PROFILE' | 'DOMAIN_CONTACT'): number {
  return sourceType === 'OTHER_CONTACT' ? MAX_CONTACTS_PER_ACCOUNT : MAX_CONTACTS_IN_EMULATOR
}

/** Accounts one fixture document may name (chosen). */
export const MAX_ACCOUNTS_IN_DOCUMENT = 10_000

/** 400: a contact's data is larger than a contact may be. */
export function contactTooLarge (bytes: number): ApiError {
  return invalidArgument(`The contact is too large: its data takes ${bytes} bytes, and a contact may hold at most ${MAX_CONTACT_BYTES} (128 KB).`)
}

/** 400: the emulator holds as many contacts as it may. */
export function emulatorFull (): ApiError {
  return invalidArgument(`The emulator already holds ${MAX_CONTACTS_IN_EMULATOR} contacts, the most it may hold: delete contacts or reset.`)
}

/** Throws contactTooLarge() when a contact's stored JSON is over MAX_CONTACT_BYTES. */
export function checkContactSize (json: string): void {
  // At most 3 UTF-8 bytes per UTF-16 unit: most contacts need no count at all.
  if (json.length * 3 <= MAX_CONTACT_BYTES) return
  const bytes = Buffer.byteLength(json)
  if (bytes > MAX_CONTACT_BYTES) throw contactTooLarge(bytes)
}

/** 400 unless a list of a batch request holds 1 to `max` entries (chosen messages). */
export function checkCount (field: string, count: number, max: number, verb: string): void {
  if (count === 0) throw invalidArgument(`${field} is required: specify at least one ${field === 'contacts' ? 'contact' : 'resource name'}.`)
  if (count > max) throw invalidArgument(`${field} has ${count} values; at most ${max} may be ${verb} at once.`)
}

/** The largest page of every listing (connections, groups, other contacts, the directory); documented: 1000. */
export const MAX_PAGE_SIZE = 1000

/** Names one batch read takes (people.getBatchGet, contactGroups.batchGet); documented: 200. */
export const MAX_BATCH_GET = 200

/** The page sizes of searchContacts and otherContacts.search: documented, default 10, values over 30 capped at 30. */
export const SEARCH_DEFAULT_PAGE_SIZE = 10
export const SEARCH_MAX_PAGE_SIZE = 30
