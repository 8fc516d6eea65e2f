/**
 * The system contact groups every account has from its first request (FIDELITY.md: contactGroups, system groups;
 * issue "contactGroups"): their resource names are their names, they carry no etag and no
 * metadata, and their formattedName is the English label Google shows.
 */
export const SYSTEM_GROUPS = [
  { id: 'myContacts', formattedName: 'My Contacts' },
  { id: 'starred', formattedName: 'Starred' },
  { id: 'friends', formattedName: 'Friends' },
  { id: 'family', formattedName: 'Family' },
  { id: 'coworkers', formattedName: 'Coworkers' },
  { id: 'chatBuddies', formattedName: 'Chat contacts' },
  { id: 'all', formattedName: 'All Contacts' },
  { id: 'blocked', formattedName: 'Blocked' }
] as const

export type SystemGroupId = typeof SYSTEM_GROUPS[number]['id']

const byId = new Map<string, typeof SYSTEM_GROUPS[number]>(SYSTEM_GROUPS.map(g => [g.id, g]))

export function isSystemGroupId (id: string): id is SystemGroupId {
  return byId.has(id)
}

export function systemGroupFormattedName (id: string): string | undefined {
  return byId.get(id)?.formattedName
}

/** The group every new contact belongs to. */
export const MY_CONTACTS = 'myContacts'
