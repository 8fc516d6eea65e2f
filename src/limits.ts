/**
 * Google's product limits (BEHAVIOUR.md §6), enforced with 400s so that tests meet them here
 * rather than in production. The per-method limits (batch sizes, page sizes) live with their
 * methods.
 */

/** Contacts one account may hold. */
export const MAX_CONTACTS_PER_ACCOUNT = 25000

/** Characters one field value may hold. */
export const MAX_FIELD_LENGTH = 1024
