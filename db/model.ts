/**
 * The stored model: what the stores keep and hand back, and what the domain (src/people,
 * src/groups, src/fixtures) reads and writes — one module both import. A contact's and an
 * other person's `data` are the writable fields of a Person as stored (src/people/contact-data.ts):
 * items read by field name, the schema deciding their shape at run time.
 */

/** What a mutation needs to stamp a change: its time and fresh etags. */
export interface ChangeStamp {
  time: string
  groupEtag: () => string
  sourceEtag: () => string
}

export interface StoredToken {
  token: string
  /** null: the default, full `contacts` scope. */
  scopes: string[] | null
}

export interface StoredGroup {
  id: string
  groupType: 'USER_CONTACT_GROUP' | 'SYSTEM_CONTACT_GROUP'
  name: string
  clientData: Array<{ key?: string, value?: string }> | null
  etag: string | null
  updateTime: string | null
}

export interface StoredContact {
  id: string
  data: Record<string, unknown>
  etag: string
  updateTime: string
  /** Ids of the groups the contact belongs to. */
  memberships: string[]
  /** Id of an uploaded photo (GET /_emulator/photos/<id>); absent or null: the default photo. */
  photoId?: string | null
}

/** Sort keys and search words stored beside a contact's data (computed from it, see src/people/keys.ts). */
export interface DerivedKeys { givenKey: string, familyKey: string, searchText: string }
export type DeriveKeys = (data: Record<string, unknown>) => DerivedKeys

export interface StoredAccount {
  id: string
  declared: boolean
  createdTime: string
  /** The Workspace domain the account belongs to; null: a consumer account. */
  domain: string | null
  tokens: StoredToken[]
  groups: StoredGroup[]
  contacts: StoredContact[]
  otherContacts: StoredOtherPerson[]
  /** The sign-in address as declared; null: the default (see accountEmail). */
  email?: string | null
  /** What people/me, userinfo and ID tokens show of the account; null: nothing declared. */
  profile?: AccountProfile | null
  /** What the account granted to OAuth clients, with the refresh tokens it holds. */
  grants?: StoredGrant[]
}

/** A sign-in address: one `@`, something on each side; no spaces, control, format (bidi, zero-width) or lone surrogate characters. */
export const EMAIL = /^[^\s@\p{C}]+@[^\s@\p{C}]+$/u

/** The address an account signs in with: its own, or `<id>@<its domain>` (`<id>@example.com` without one); an id that is an address is its own. */
export function accountEmail (account: { id: string, email?: string | null, domain: string | null }): string {
  if (account.email != null) return account.email
  if (EMAIL.test(account.id)) return account.id
  return `${account.id}@${account.domain ?? 'example.com'}`
}

/** What makes two sign-in addresses the same: case does not count. */
export function emailKey (address: string): string {
  return address.toLowerCase()
}

/** An account's profile: names and photos, as the API shows them (a subset of Person). */
export interface AccountProfile {
  names?: Array<{ displayName?: string, givenName?: string, familyName?: string }>
  photos?: Array<{ url?: string }>
}

/** An OAuth client declared by fixtures (`clients`). */
export interface StoredClient {
  clientId: string
  /** null: a client without a secret (a public client). */
  clientSecret: string | null
  name: string
  redirectUris: string[]
  /** `web`: a confidential client, exact redirect URIs; `installed`: a desktop or mobile app (loopback redirects on any port, secret optional). */
  type: 'web' | 'installed'
}

/** What an account granted one client: the scopes, and the live refresh tokens. */
export interface StoredGrant {
  clientId: string
  scopes: string[]
  /** Emulator-clock microseconds of the first consent. */
  granted: number
  /** Offline access was granted (a first offline consent gives a refresh token). */
  offline: boolean
  refreshTokens: Array<{ token: string, scopes: string[], issued: number }>
}

/** A Workspace domain: its people (DOMAIN_PROFILE) and shared contacts (DOMAIN_CONTACT). */
export interface StoredDomain {
  domain: string
  createdTime: string
  people: StoredOtherPerson[]
}

/**
 * A contact as a start fixture holds it (for reset): one string — the JSON of its row's other
 * values (`[id, etag, updateTime, memberships]`), a newline, and its data's JSON text as it is
 * stored. Storing it again stringifies nothing, and a large fixture never exists as objects all
 * at once (as objects, with their keys, 20,000 contacts held ~16 MB more after the benchmark's load).
 */
export type PackedContact = string

/** An account whose contacts are packed (PackedContact): how start fixtures stay in memory. */
export interface PackedAccount extends Omit<StoredAccount, 'contacts'> {
  contacts: PackedContact[]
}

/** A contact packed, with its data's JSON text (JSON.stringify writes no newline). */
export function packContact (contact: StoredContact, data: string): PackedContact {
  return `${JSON.stringify([contact.id, contact.etag, contact.updateTime, contact.memberships])}\n${data}`
}

/** A packed contact's values, its data as JSON text. */
export function unpackContact (packed: PackedContact): Omit<StoredContact, 'data'> & { data: string } {
  const at = packed.indexOf('\n')
  const [id, etag, updateTime, memberships] = JSON.parse(packed.slice(0, at)) as [string, string, string, string[]]
  return { id, etag, updateTime, memberships, data: packed.slice(at + 1) }
}

/** What a token names: its account, scopes, and the account's creation and domain. */
/** An account without what it holds (GET /_emulator/accounts). */
export type AccountSummary = Pick<StoredAccount, 'id' | 'declared' | 'createdTime' | 'domain' | 'tokens'>

export interface FoundToken { accountId: string, scopes: string[] | null, createdTime: string, domain: string | null, declared: boolean, email: string | null, profile: AccountProfile | null }

export type OtherSourceType = 'OTHER_CONTACT' | 'DOMAIN_PROFILE' | 'DOMAIN_CONTACT'

export interface StoredOtherPerson {
  /** OTHER_CONTACT and DOMAIN_CONTACT: 64-bit hex (as a contact's); DOMAIN_PROFILE: decimal. */
  id: string
  sourceType: OtherSourceType
  data: Record<string, unknown>
  etag: string
  updateTime: string
}

/** A person of a listing with its place in the owner's order (the next page's cursor). */
export interface OrderedPerson { person: StoredOtherPerson, rowid: number }

/** A change since a sync token: the person as it is now, or a tombstone. */
export interface OtherChange { id: string, sourceType: OtherSourceType, deleted: boolean, person?: StoredOtherPerson }

/** A group with its member count, as reads need it. */
export interface GroupWithCount extends StoredGroup {
  memberCount: number
}

/** What a members.modify did. */
export interface ModifyResult {
  notFound: string[]
  lastGroup: string[]
}

/** A new uploaded photo (or null: back to the default one), written with a contact change. */
export interface PhotoChange { id: string, bytes: Buffer, contentType: string }

export interface GroupRef { id: string, groupType: 'USER_CONTACT_GROUP' | 'SYSTEM_CONTACT_GROUP' }

/** The orders of people.connections.list. */
export type SortOrder = 'LAST_MODIFIED_ASCENDING' | 'LAST_MODIFIED_DESCENDING' | 'FIRST_NAME_ASCENDING' | 'LAST_NAME_ASCENDING'

/** What the full-text index holds for a contact's search words in an account. */
export type IndexText = (searchText: string, accountId: string) => string

/** Where a page starts: the sort key and id of the last contact of the previous page. */
export type Cursor = [string, string]
