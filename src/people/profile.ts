/**
 * `people/me`: the account's own profile. Chosen: a minimal profile (resource name, etag and
 * a PROFILE source), derived from the account id so that it is stable across runs.
 */
import { createHash } from 'node:crypto'
import { personEtag } from './etag.js'
import { memoised } from '../memo.js'
import type { Person } from '../schemas/generated.js'

function digest (accountId: string): Buffer {
  return createHash('sha256').update('people-api-emulator profile ' + accountId).digest()
}

/**
 * A 21-digit profile id, as Google's account ids look (`people/104857600000000000000`).
 * Worked out once per account: every read by resource name asks whether it is the profile.
 */
export const profileId = memoised(10000, (accountId: string): string =>
  '1' + (digest(accountId).readBigUInt64BE() % (10n ** 20n)).toString().padStart(20, '0'))

export function renderProfile (accountId: string, fields: ReadonlySet<string>): Person {
  const id = profileId(accountId)
  const sourceEtag = '#' + digest(accountId).subarray(8, 16).toString('base64')
  const person: Person = { resourceName: `people/${id}`, etag: personEtag(sourceEtag, fields) }
  if (fields.has('metadata')) person.metadata = { sources: [{ type: 'PROFILE', id, etag: sourceEtag }], objectType: 'PERSON' }
  return person
}

/** True for `people/me` and for the account's own `people/<profile id>`. */
export function isOwnProfile (accountId: string, resourceName: string): boolean {
  return resourceName === 'people/me' || resourceName === `people/${profileId(accountId)}`
}
