/**
 * Contact groups and their members. Synchronous, prepared statements; every mutation is one
 * `BEGIN IMMEDIATE` transaction that reads, lets the caller decide (and throw), writes and
 * stamps every resource it affected (see changes.ts).
 */
import { lazily } from './lazy.js'
import { immediateRunner, type Db } from './database.js'
import type { ChangeStamp, GroupWithCount, ModifyResult, StoredGroup } from './model.js'
import { Changes } from './changes.js'

interface GroupRow { id: string, group_type: StoredGroup['groupType'], name: string, client_data: string | null, etag: string | null, update_time: string | null }

function toGroup (row: GroupRow & { member_count?: number }): GroupWithCount {
  return {
    id: row.id,
    groupType: row.group_type,
    name: row.name,
    clientData: row.client_data === null ? null : JSON.parse(row.client_data) as StoredGroup['clientData'],
    etag: row.etag,
    updateTime: row.update_time,
    memberCount: row.member_count ?? 0
  }
}

/**
 * A group's name as names are compared: without the characters String.prototype.trim removes.
 * The same expression as the unique index of migration 009, so that lookups use the index.
 */
export const GROUP_NAME_KEY = 'trim(name, char(9, 10, 11, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288, 65279))'

const COLUMNS = 'g.id, g.group_type, g.name, g.client_data, g.etag, g.update_time, g.member_count'

export class GroupsStore {
  private readonly s
  private readonly changes: Changes
  private readonly immediate: <T>(fn: () => T) => T

  /**
   * `implicit`: the groups every account has (the system groups), which an account that is
   * not stored yet shows too; `changes` is shared with the other stores of the database (one
   * set of statements).
   */
  constructor (db: Db, private readonly implicit: readonly StoredGroup[] = [], changes = new Changes(db)) {
    this.changes = changes
    this.immediate = immediateRunner(db)
    this.s = lazily({
      get: () => db.prepare<[string, string], GroupRow & { member_count: number }>(`SELECT ${COLUMNS} FROM contact_groups g WHERE g.account_id = ? AND g.id = ?`),
      accountExists: () => db.prepare<[string], number>('SELECT 1 FROM accounts WHERE id = ?').pluck(),
      // User groups in creation order, then system groups in their fixed order.
      list: () => db.prepare<[string], GroupRow & { member_count: number }>(`SELECT ${COLUMNS} FROM contact_groups g WHERE g.account_id = ? ORDER BY g.group_type = 'SYSTEM_CONTACT_GROUP', g.rowid`),
      // One lookup in the unique index on the trimmed name (migration 009), however many groups.
      nameTaken: () => db.prepare<[string, string, string], { id: string }>(`SELECT id FROM contact_groups WHERE account_id = ? AND ${GROUP_NAME_KEY} = ? AND id != ?`),
      members: () => db.prepare<[string, string, number], { contact_id: string }>('SELECT contact_id FROM memberships WHERE account_id = ? AND group_id = ? ORDER BY rowid LIMIT ?'),
      contactGroups: () => db.prepare<[string, string], { group_id: string }>('SELECT group_id FROM memberships WHERE account_id = ? AND contact_id = ?'),
      contactExists: () => db.prepare<[string, string], { id: string }>('SELECT id FROM contacts WHERE account_id = ? AND id = ?'),
      insert: () => db.prepare('INSERT INTO contact_groups (account_id, id, group_type, name, client_data, etag, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      update: () => db.prepare('UPDATE contact_groups SET name = ?, client_data = ?, etag = ?, update_time = ? WHERE account_id = ? AND id = ?'),
      delete: () => db.prepare('DELETE FROM contact_groups WHERE account_id = ? AND id = ?'),
      deleteContact: () => db.prepare('DELETE FROM contacts WHERE account_id = ? AND id = ?'),
      addMember: () => db.prepare('INSERT INTO memberships (account_id, contact_id, group_id) VALUES (?, ?, ?)'),
      removeMember: () => db.prepare('DELETE FROM memberships WHERE account_id = ? AND contact_id = ? AND group_id = ?')
    })
  }

  get (accountId: string, groupId: string): GroupWithCount | undefined {
    const row = this.s.get.get(accountId, groupId)
    if (row) return toGroup(row)
    // An account that is not stored yet (a new token that has only read) has its system groups.
    const implicit = this.implicit.find(g => g.id === groupId)
    return implicit && this.s.accountExists.get(accountId) === undefined ? { ...implicit, memberCount: 0 } : undefined
  }

  /** The position of the account's latest change, for sync tokens. */
  lastSeq (accountId: string): number {
    return this.changes.lastSeq(accountId)
  }

  /** Groups changed after `seq` (and up to `upTo`), each once, oldest change first. */
  changedSince (accountId: string, seq: number, upTo: number): Array<{ id: string, deleted: boolean }> {
    return this.changes.since(accountId, 'contactGroup', seq).filter(r => r.seq <= upTo).map(r => ({ id: r.resource_id, deleted: r.deleted === 1 }))
  }

  list (accountId: string): GroupWithCount[] {
    const rows = this.s.list.all(accountId)
    // Every stored account has its system groups: none at all is an account not stored yet.
    if (rows.length === 0) return this.implicit.map(g => ({ ...g, memberCount: 0 }))
    return rows.map(toGroup)
  }

  /** Ids of up to `limit` member contacts, in the order they joined. */
  members (accountId: string, groupId: string, limit: number): string[] {
    return this.s.members.all(accountId, groupId, limit).map(r => r.contact_id)
  }

  /** The id of another group of the account whose name equals `name` after trimming. */
  private nameTakenBy (accountId: string, name: string, exceptId = ''): string | undefined {
    return this.s.nameTaken.get(accountId, name.trim(), exceptId)?.id
  }

  /** Stores the group `build` returns (inside the transaction); `onDuplicate` throws for a taken name. */
  create (accountId: string, build: () => StoredGroup, onDuplicate: () => never, stamp: ChangeStamp): GroupWithCount {
    return this.immediate(() => {
      const group = build()
      if (this.nameTakenBy(accountId, group.name) !== undefined) onDuplicate()
      this.s.insert.run(accountId, group.id, group.groupType, group.name, group.clientData === null ? null : JSON.stringify(group.clientData), group.etag, group.updateTime)
      this.changes.log(accountId, 'contactGroup', group.id, false, stamp)
      return { ...group, memberCount: 0 }
    })
  }

  /**
   * Reads the group, hands it to `change` (which may throw: nothing is written) and stores
   * what it returns; undefined when the group does not exist.
   */
  mutate (accountId: string, groupId: string, change: (current: GroupWithCount) => StoredGroup, onDuplicate: () => never, stamp: ChangeStamp): GroupWithCount | undefined {
    return this.immediate(() => {
      const current = this.get(accountId, groupId)
      if (!current) return undefined
      const next = change(current)
      if (this.nameTakenBy(accountId, next.name, groupId) !== undefined) onDuplicate()
      const clientData = next.clientData === null ? null : JSON.stringify(next.clientData)
      const written = this.s.update.run(next.name, clientData, next.etag, next.updateTime, accountId, groupId).changes === 1
      this.changes.log(accountId, 'contactGroup', groupId, false, stamp)
      // The row as written, as a read would give it back (members are not changed here).
      return written
        ? toGroup({ id: current.id, group_type: current.groupType, name: next.name, client_data: clientData, etag: next.etag, update_time: next.updateTime, member_count: current.memberCount })
        : this.get(accountId, groupId)
    })
  }

  /**
   * Deletes a group. Its members lose the membership (a contact left with none falls back
   * to myContacts), or with `deleteContacts` are deleted. `check` runs first and may throw.
   */
  delete (accountId: string, groupId: string, deleteContacts: boolean, check: (group: GroupWithCount) => void, stamp: ChangeStamp): boolean {
    return this.immediate(() => {
      const group = this.get(accountId, groupId)
      if (!group) return false
      check(group)
      const members = this.members(accountId, groupId, -1)
      for (const contactId of members) {
        const groups = this.s.contactGroups.all(accountId, contactId).map(r => r.group_id)
        if (deleteContacts) {
          this.s.deleteContact.run(accountId, contactId)
          this.changes.log(accountId, 'person', contactId, true, stamp)
          for (const other of groups) if (other !== groupId) this.changes.touchGroup(accountId, other, stamp)
        } else {
          this.s.removeMember.run(accountId, contactId, groupId)
          if (groups.length === 1) this.s.addMember.run(accountId, contactId, 'myContacts')
          this.changes.touchContact(accountId, contactId, stamp)
        }
      }
      this.s.delete.run(accountId, groupId)
      this.changes.log(accountId, 'contactGroup', groupId, true, stamp)
      return true
    })
  }

  /**
   * members.modify: adds then removes memberships. A name that is no contact of the account
   * is reported, not an error; a contact whose last membership it would remove keeps it.
   */
  modifyMembers (accountId: string, groupId: string, toAdd: ReadonlyArray<{ name: string, id: string | undefined }>, toRemove: ReadonlyArray<{ name: string, id: string | undefined }>, check: (group: GroupWithCount) => void, stamp: ChangeStamp): ModifyResult | undefined {
    return this.immediate(() => {
      const group = this.get(accountId, groupId)
      if (!group) return undefined
      check(group)
      const result: ModifyResult = { notFound: [], lastGroup: [] }
      const touched = new Set<string>()
      const exists = (id: string | undefined): id is string => id !== undefined && this.s.contactExists.get(accountId, id) !== undefined
      for (const { name, id } of toAdd) {
        if (!exists(id)) { if (!result.notFound.includes(name)) result.notFound.push(name); continue }
        const groups = this.s.contactGroups.all(accountId, id).map(r => r.group_id)
        if (groups.includes(groupId)) continue
        this.s.addMember.run(accountId, id, groupId)
        touched.add(id)
      }
      for (const { name, id } of toRemove) {
        if (!exists(id)) { if (!result.notFound.includes(name)) result.notFound.push(name); continue }
        const groups = this.s.contactGroups.all(accountId, id).map(r => r.group_id)
        if (!groups.includes(groupId)) continue
        if (groups.length === 1) { if (!result.lastGroup.includes(name)) result.lastGroup.push(name); continue }
        this.s.removeMember.run(accountId, id, groupId)
        touched.add(id)
      }
      for (const contactId of touched) this.changes.touchContact(accountId, contactId, stamp)
      if (touched.size > 0) this.changes.touchGroup(accountId, groupId, stamp)
      return result
    })
  }
}
