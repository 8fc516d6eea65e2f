/**
 * Google's product limits (BEHAVIOUR.md §6), enforced with 400s so that tests meet them here
 * rather than in production. The per-method limits (batch sizes, page sizes) live with their
 * methods.
 */

import { invalidArgument } from './errors.js'

/** Contacts one account may hold. */
export const MAX_CONTACTS_PER_ACCOUNT = 25000

/** Characters one field value may hold. */
export const MAX_FIELD_LENGTH = 1024

/** 400 unless a list of a batch request holds 1 to `max` entries (chosen messages). */
export function checkCount (field: string, count: number, max: number, verb: string): void {
  if (count === 0) throw invalidArgument(`${field} is required: specify at least one ${field === 'contacts' ? 'contact' : 'resource name'}.`)
  if (count > max) throw invalidArgument(`${field} has ${count} values; at most ${max} may be ${verb} at once.`)
}
