/**
 * `people/me`: the account's own profile. Chosen: a minimal profile (resource name, etag and
 * a PROFILE source), derived from the account id so that it is stable across runs; and, as the
 * token's scopes allow (FIDELITY.md: oauth, people/me), the account's declared identity:
 * `userinfo.profile` → its names and photos, `userinfo.email` → its sign-in address (declared,
 * or the default for a token of the sign-in front door).
 */
import { createHash } from 'node:crypto'
import { personEtag } from './etag.js'
import { memoised } from '../memo.js'
import type { Person } from '../schemas/generated.js'
import type { AccountProfile } from '../../db/model.js'
import { EMAIL_SCOPE, PROFILE_SCOPE } from '../oauth/scopes.js'
import { accountEmail } from '../fixtures/oauth.js'

function digest (accountId: string): Buffer {
  return createHash('sha256').update('people-api-emulator profile ' + accountId).digest()
}

/**
 * A 21-digit profile id, as Google's account ids look (`people/104857600000000000000`).
 * Worked out once per account: every read by resource name asks whether it is the profile.
 */
export const profileId = memoised(10000, (accountId: string): string =>
  '1' + (digest(accountId).readBigUInt64BE() % (10n ** 20n)).toString().padStart(20, '0'))

/** What people/me may show of an account, as its token's scopes allow. */
export interface ProfileIdentity {
  email: string | null
  profile: AccountProfile | null
  minted: boolean
  domain: string | null
  scopes: readonly string[]
}

export function renderProfile (accountId: string, fields: ReadonlySet<string>, identity?: ProfileIdentity): Person {
  const id = profileId(accountId)
  const names = identity?.profile?.names !== undefined && identity.scopes.includes(PROFILE_SCOPE) ? identity.profile.names : undefined
  const photos = identity?.profile?.photos !== undefined && identity.scopes.includes(PROFILE_SCOPE) ? identity.profile.photos : undefined
  const email = identity !== undefined && (identity.email !== null || identity.minted) && identity.scopes.includes(EMAIL_SCOPE)
    ? accountEmail({ id: accountId, email: identity.email, domain: identity.domain })
    : undefined
  const shown = names === undefined && photos === undefined && email === undefined ? '' : JSON.stringify([names, photos, email])
  const sourceEtag = '#' + (shown === '' ? digest(accountId) : digest(accountId + '\u0000' + shown)).subarray(8, 16).toString('base64')
  const person: Person = { resourceName: `people/${id}`, etag: personEtag(sourceEtag, fields) }
  if (fields.has('metadata')) person.metadata = { sources: [{ type: 'PROFILE', id, etag: sourceEtag }], objectType: 'PERSON' }
  const source = { type: 'PROFILE' as const, id }
  if (names !== undefined && fields.has('names')) person.names = names.map((n, i) => ({ metadata: { primary: i === 0, source }, ...n }))
  if (photos !== undefined && fields.has('photos')) person.photos = photos.map((p, i) => ({ metadata: { primary: i === 0, source }, ...p }))
  if (email !== undefined && fields.has('emailAddresses')) person.emailAddresses = [{ metadata: { primary: true, verified: true, source: { type: 'ACCOUNT', id } }, value: email }]
  return person
}

/** True for `people/me` and for the account's own `people/<profile id>`. */
export function isOwnProfile (accountId: string, resourceName: string): boolean {
  return resourceName === 'people/me' || resourceName === `people/${profileId(accountId)}`
}
