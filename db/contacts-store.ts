/**
 * Contacts and their memberships. Synchronous, prepared statements; every mutation is one
 * `BEGIN IMMEDIATE` transaction that reads, lets the caller decide (and throw), writes,
 * appends to the change log and touches the user groups whose membership changed.
 */
import type Database from 'better-sqlite3'
import type { Db } from './database.js'
import type { DeriveKeys, StoredContact } from './state-store.js'
import { Changes, type ChangeStamp } from './changes.js'

interface ContactRow { id: string, data: string, etag: string, update_time: string, photo_id: string | null }
interface PageRow extends ContactRow { sort_key: string }

/** A new uploaded photo (or null: back to the default one), written with a contact change. */
export interface PhotoChange { id: string, bytes: Buffer, contentType: string }

export type { ChangeStamp } from './changes.js'

export interface GroupRef { id: string, groupType: 'USER_CONTACT_GROUP' | 'SYSTEM_CONTACT_GROUP' }

/** The orders of people.connections.list, each with the column it sorts on. */
export const SORT_COLUMNS = {
  LAST_MODIFIED_ASCENDING: { column: 'update_time', descending: false },
  LAST_MODIFIED_DESCENDING: { column: 'update_time', descending: true },
  FIRST_NAME_ASCENDING: { column: 'given_key', descending: false },
  LAST_NAME_ASCENDING: { column: 'family_key', descending: false }
} as const
export type SortOrder = keyof typeof SORT_COLUMNS

/** Where a page starts: the sort key and id of the last contact of the previous page. */
export type Cursor = [string, string]

export class ContactsStore {
  private readonly s
  private readonly changes: Changes

  constructor (private readonly db: Db, private readonly derive: DeriveKeys) {
    this.changes = new Changes(db)
    this.s = {
      get: db.prepare<[string, string], ContactRow>('SELECT id, data, etag, update_time, photo_id FROM contacts WHERE account_id = ? AND id = ?'),
      photo: db.prepare<[string], { photo: Buffer, photo_type: string }>('SELECT photo, photo_type FROM contacts WHERE photo_id = ?'),
      setPhoto: db.prepare('UPDATE contacts SET photo_id = ?, photo = ?, photo_type = ? WHERE account_id = ? AND id = ?'),
      memberships: db.prepare<[string, string], { group_id: string }>('SELECT group_id FROM memberships WHERE account_id = ? AND contact_id = ? ORDER BY rowid'),
      groups: db.prepare<[string], { id: string, group_type: GroupRef['groupType'] }>('SELECT id, group_type FROM contact_groups WHERE account_id = ?'),
      insert: db.prepare('INSERT INTO contacts (account_id, id, data, etag, update_time, given_key, family_key, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      update: db.prepare('UPDATE contacts SET data = ?, etag = ?, update_time = ?, given_key = ?, family_key = ?, search_text = ? WHERE account_id = ? AND id = ?'),
      delete: db.prepare('DELETE FROM contacts WHERE account_id = ? AND id = ?'),
      addMembership: db.prepare('INSERT INTO memberships (account_id, contact_id, group_id) VALUES (?, ?, ?)'),
      removeMembership: db.prepare('DELETE FROM memberships WHERE account_id = ? AND contact_id = ? AND group_id = ?'),
      count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM contacts WHERE account_id = ?'),
      // Ordered by first name, then family name, then id: deterministic whatever FTS ranks.
      search: db.prepare<[string, string, number], ContactRow>(
        `SELECT c.id, c.data, c.etag, c.update_time, c.photo_id FROM contact_search s JOIN contacts c ON c.rowid = s.rowid
         WHERE contact_search MATCH ? AND c.account_id = ? ORDER BY c.given_key, c.family_key, c.id LIMIT ?`)
    }
    // One keyset query per sort order, first page and following pages: an index range scan each.
    const pages = {} as Record<SortOrder, { first: Database.Statement<[string, number], PageRow>, after: Database.Statement<[string, string, string, number], PageRow> }>
    for (const [order, { column, descending }] of Object.entries(SORT_COLUMNS) as Array<[SortOrder, typeof SORT_COLUMNS[SortOrder]]>) {
      const dir = descending ? 'DESC' : 'ASC'
      const select = `SELECT id, data, etag, update_time, photo_id, ${column} AS sort_key FROM contacts WHERE account_id = ?`
      pages[order] = {
        first: db.prepare(`${select} ORDER BY ${column} ${dir}, id ${dir} LIMIT ?`),
        after: db.prepare(`${select} AND (${column}, id) ${descending ? '<' : '>'} (?, ?) ORDER BY ${column} ${dir}, id ${dir} LIMIT ?`)
      }
    }
    this.pages = pages
  }

  private readonly pages: Record<SortOrder, { first: Database.Statement<[string, number], PageRow>, after: Database.Statement<[string, string, string, number], PageRow> }>

  /**
   * Up to `limit` contacts in `order`, starting after `cursor`; with the cursor of the last
   * one, to start the next page from.
   */
  page (accountId: string, order: SortOrder, cursor: Cursor | undefined, limit: number): Array<{ contact: StoredContact, cursor: Cursor }> {
    const rows = cursor === undefined
      ? this.pages[order].first.all(accountId, limit)
      : this.pages[order].after.all(accountId, cursor[0], cursor[1], limit)
    return rows.map(row => ({ contact: this.fromRow(accountId, row), cursor: [row.sort_key, row.id] }))
  }

  private fromRow (accountId: string, row: ContactRow): StoredContact {
    return {
      id: row.id,
      data: JSON.parse(row.data) as Record<string, unknown>,
      etag: row.etag,
      updateTime: row.update_time,
      memberships: this.s.memberships.all(accountId, row.id).map(m => m.group_id),
      photoId: row.photo_id
    }
  }

  /** The position of the account's latest change, for sync tokens. */
  lastSeq (accountId: string): number {
    return this.changes.lastSeq(accountId)
  }

  /** Contacts changed after `seq` (and up to `upTo`), each once, oldest change first. */
  changedSince (accountId: string, seq: number, upTo: number): Array<{ id: string, deleted: boolean }> {
    return this.changes.since(accountId, 'person', seq).filter(r => r.seq <= upTo).map(r => ({ id: r.resource_id, deleted: r.deleted === 1 }))
  }

  get (accountId: string, contactId: string): StoredContact | undefined {
    const row = this.s.get.get(accountId, contactId)
    return row && this.fromRow(accountId, row)
  }

  /** Up to `limit` contacts whose search words match an FTS5 query, in a fixed order. */
  search (accountId: string, ftsQuery: string, limit: number): StoredContact[] {
    return this.s.search.all(ftsQuery, accountId, limit).map(row => this.fromRow(accountId, row))
  }

  /** Runs `fn` in one transaction: the batch methods are all or nothing. */
  transaction<T> (fn: () => T): T {
    return this.db.transaction(fn).immediate()
  }

  /** The bytes of an uploaded photo, by its id. */
  photo (photoId: string): { bytes: Buffer, contentType: string } | undefined {
    const row = this.s.photo.get(photoId)
    return row && { bytes: row.photo, contentType: row.photo_type }
  }

  /** The account's groups, by id. */
  groups (accountId: string): Map<string, GroupRef> {
    return new Map(this.s.groups.all(accountId).map(g => [g.id, { id: g.id, groupType: g.group_type }]))
  }

  count (accountId: string): number {
    return this.s.count.get(accountId)!.n
  }

  private writeMemberships (accountId: string, contactId: string, before: readonly string[], after: readonly string[]): void {
    for (const g of before) if (!after.includes(g)) this.s.removeMembership.run(accountId, contactId, g)
    for (const g of after) if (!before.includes(g)) this.s.addMembership.run(accountId, contactId, g)
  }

  /** Stores the contact `build` returns; it runs inside the transaction and may throw. */
  create (accountId: string, build: () => StoredContact, stamp: ChangeStamp): StoredContact {
    return this.db.transaction(() => {
      const contact = build()
      const keys = this.derive(contact.data)
      this.s.insert.run(accountId, contact.id, JSON.stringify(contact.data), contact.etag, contact.updateTime, keys.givenKey, keys.familyKey, keys.searchText)
      this.writeMemberships(accountId, contact.id, [], contact.memberships)
      this.changes.log(accountId, 'person', contact.id, false, stamp)
      this.changes.touchGroupsBetween(accountId, [], contact.memberships, stamp)
      return contact
    }).immediate()
  }

  /**
   * Reads the contact, hands it to `change` (which may throw: nothing is written then) and
   * stores what it returns. Returns undefined when the contact does not exist.
   */
  mutate (accountId: string, contactId: string, change: (current: StoredContact) => StoredContact & { photo?: PhotoChange | null }, stamp: ChangeStamp): StoredContact | undefined {
    return this.db.transaction(() => {
      const current = this.get(accountId, contactId)
      if (!current) return undefined
      const next = change(current)
      const keys = this.derive(next.data)
      this.s.update.run(JSON.stringify(next.data), next.etag, next.updateTime, keys.givenKey, keys.familyKey, keys.searchText, accountId, contactId)
      if (next.photo !== undefined) {
        this.s.setPhoto.run(next.photo?.id ?? null, next.photo?.bytes ?? null, next.photo?.contentType ?? null, accountId, contactId)
      }
      this.writeMemberships(accountId, contactId, current.memberships, next.memberships)
      this.changes.log(accountId, 'person', contactId, false, stamp)
      this.changes.touchGroupsBetween(accountId, current.memberships, next.memberships, stamp)
      return this.get(accountId, contactId)!
    }).immediate()
  }

  /** Deletes a contact (its memberships go with it); false when it does not exist. */
  delete (accountId: string, contactId: string, stamp: ChangeStamp): boolean {
    return this.db.transaction(() => {
      const memberships = this.s.memberships.all(accountId, contactId).map(m => m.group_id)
      if (this.s.delete.run(accountId, contactId).changes === 0) return false
      this.changes.log(accountId, 'person', contactId, true, stamp)
      this.changes.touchGroupsBetween(accountId, memberships, [], stamp)
      return true
    }).immediate()
  }
}
