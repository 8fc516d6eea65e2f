/**
 * The SQL of the contacts store (db/contacts-store.ts): its prepared statements, and one keyset
 * query per order of people.connections.list.
 */
import { lazily } from './lazy.js'
import type Database from 'better-sqlite3'
import type { Db } from './database.js'
import type { GroupRef, SortOrder } from './model.js'

export interface ContactRow { id: string, data: string, etag: string, update_time: string, photo_id: string | null }
export interface PageRow extends ContactRow { sort_key: string }

/** The orders of people.connections.list, each with the column it sorts on. */
export const SORT_COLUMNS = {
  LAST_MODIFIED_ASCENDING: { column: 'update_time', descending: false },
  LAST_MODIFIED_DESCENDING: { column: 'update_time', descending: true },
  FIRST_NAME_ASCENDING: { column: 'given_key', descending: false },
  LAST_NAME_ASCENDING: { column: 'family_key', descending: false }
} as const satisfies Record<SortOrder, { column: string, descending: boolean }>

type Statement<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>
type ForUpdate = ContactRow & { search_text: string | null, given_key: string | null, family_key: string | null }

/** The store's statements (declared, so that the library's type declarations can name them). */
export interface ContactStatements {
  photo: Statement<[string], { photo: Buffer, photo_type: string }>
  setPhoto: Statement
  memberships: Statement<[string, string], { group_id: string }>
  pageMemberships: Statement<[string, string], { contact_id: string, group_id: string }>
  group: Statement<[string, string], { id: string, group_type: GroupRef['groupType'] }>
  insert: Statement
  getForUpdate: Statement<[string, string], ForUpdate>
  delete: Statement
  addMembership: Statement
  removeMembership: Statement
  count: Statement<[string], { n: number }>
  search: Statement<[string, string, number], ContactRow>
  pages: Record<SortOrder, { first: Statement<[string, number], PageRow>, after: Statement<[string, string, string, number], PageRow> }>
}

export function contactStatements (db: Db): ContactStatements {
  // One keyset query per sort order, first page and following pages: an index range scan each.
  const pages = {} as ContactStatements['pages']
  for (const [order, { column, descending }] of Object.entries(SORT_COLUMNS) as Array<[SortOrder, typeof SORT_COLUMNS[SortOrder]]>) {
    const dir = descending ? 'DESC' : 'ASC'
    const select = `SELECT id, data, etag, update_time, photo_id, ${column} AS sort_key FROM contacts WHERE account_id = ?`
    pages[order] = lazily({
      first: () => db.prepare<[string, number], PageRow>(`${select} ORDER BY ${column} ${dir}, id ${dir} LIMIT ?`),
      after: () => db.prepare<[string, string, string, number], PageRow>(`${select} AND (${column}, id) ${descending ? '<' : '>'} (?, ?) ORDER BY ${column} ${dir}, id ${dir} LIMIT ?`)
    })
  }
  // Each prepared when first used (db/lazy.ts).
  return lazily({
    photo: () => db.prepare<[string], { photo: Buffer, photo_type: string }>('SELECT photo, photo_type FROM contacts WHERE photo_id = ?'),
    setPhoto: () => db.prepare('UPDATE contacts SET photo_id = ?, photo = ?, photo_type = ? WHERE account_id = ? AND id = ?'),
    memberships: () => db.prepare<[string, string], { group_id: string }>('SELECT group_id FROM memberships WHERE account_id = ? AND contact_id = ? ORDER BY rowid'),
    // The memberships of a whole page of contacts at once (a JSON array of ids).
    pageMemberships: () => db.prepare<[string, string], { contact_id: string, group_id: string }>(
      'SELECT m.contact_id, m.group_id FROM json_each(?) j CROSS JOIN memberships m ON m.account_id = ? AND m.contact_id = j.value ORDER BY j.key, m.rowid'),
    group: () => db.prepare<[string, string], { id: string, group_type: GroupRef['groupType'] }>('SELECT id, group_type FROM contact_groups WHERE account_id = ? AND id = ?'),
    insert: () => db.prepare('INSERT INTO contacts (account_id, id, data, etag, update_time, given_key, family_key, search_text, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    // A contact with its current search words and sort keys (a write sets only those that change).
    getForUpdate: () => db.prepare<[string, string], ForUpdate>(
      'SELECT id, data, etag, update_time, photo_id, search_text, given_key, family_key FROM contacts WHERE account_id = ? AND id = ?'),
    delete: () => db.prepare('DELETE FROM contacts WHERE account_id = ? AND id = ?'),
    addMembership: () => db.prepare('INSERT INTO memberships (account_id, contact_id, group_id) VALUES (?, ?, ?)'),
    removeMembership: () => db.prepare('DELETE FROM memberships WHERE account_id = ? AND contact_id = ? AND group_id = ?'),
    count: () => db.prepare<[string], { n: number }>('SELECT contact_count AS n FROM accounts WHERE id = ?'),
    // Ordered by first name, then family name, then id: deterministic whatever FTS ranks.
    search: () => db.prepare<[string, string, number], ContactRow>(
        `SELECT c.id, c.data, c.etag, c.update_time, c.photo_id FROM contact_search s JOIN contacts c ON c.rowid = s.rowid
         WHERE contact_search MATCH ? AND c.account_id = ? ORDER BY c.given_key, c.family_key, c.id LIMIT ?`),
    pages: () => pages
  })
}
