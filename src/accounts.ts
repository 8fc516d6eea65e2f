/** Building new accounts: every account starts with the system groups and nothing else. */
import type { AccountProfile, StoredAccount, StoredContact, StoredGrant, StoredGroup, StoredOtherPerson, StoredToken } from '../db/model.js'
import { SYSTEM_GROUPS } from './groups/system-groups.js'
import { methods } from './generated/discovery.js'

/**
 * Scopes of a token that declares none (an undeclared token, or a declared one without
 * `scopes`): every scope a method of the discovery document takes, so that a test needs no
 * fixture to call any method. A token that declares its scopes gets those alone.
 */
export const DEFAULT_SCOPES: readonly string[] = [...new Set(methods.flatMap(m => m.scopes))].sort()

export function systemGroups (): StoredGroup[] {
  return SYSTEM_GROUPS.map(g => ({
    id: g.id,
    groupType: 'SYSTEM_CONTACT_GROUP',
    name: g.id,
    clientData: null,
    etag: null,
    updateTime: null
  }))
}

export function newAccount (options: {
  id: string
  declared: boolean
  createdTime: string
  tokens: StoredToken[]
  domain?: string | null
  userGroups?: StoredGroup[]
  contacts?: StoredContact[]
  otherContacts?: StoredOtherPerson[]
  email?: string | null
  profile?: AccountProfile | null
  grants?: StoredGrant[]
}): StoredAccount {
  return {
    id: options.id,
    declared: options.declared,
    createdTime: options.createdTime,
    domain: options.domain ?? null,
    tokens: options.tokens,
    groups: [...systemGroups(), ...(options.userGroups ?? [])],
    contacts: options.contacts ?? [],
    otherContacts: options.otherContacts ?? [],
    email: options.email ?? null,
    profile: options.profile ?? null,
    grants: options.grants ?? []
  }
}
