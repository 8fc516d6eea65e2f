/** Building new accounts: every account starts with the system groups and nothing else. */
import type { StoredAccount, StoredContact, StoredGroup, StoredToken } from '../db/state-store.js'
import { SYSTEM_GROUPS } from './groups/system-groups.js'

export const CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts'
export const CONTACTS_READONLY_SCOPE = 'https://www.googleapis.com/auth/contacts.readonly'
/** Scopes of a token that declares none (and of every token in non-strict mode). */
export const DEFAULT_SCOPES: readonly string[] = [CONTACTS_SCOPE]

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
  userGroups?: StoredGroup[]
  contacts?: StoredContact[]
}): StoredAccount {
  return {
    id: options.id,
    declared: options.declared,
    createdTime: options.createdTime,
    tokens: options.tokens,
    groups: [...systemGroups(), ...(options.userGroups ?? [])],
    contacts: options.contacts ?? []
  }
}
