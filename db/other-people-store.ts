/**
 * People who are not the account's contacts: its other contacts (table other_contacts, owned by
 * an account) and its domain's directory (table directory_people, owned by a domain). Both are
 * read the same way — in the order they were stored, by change position for syncs, or all of
 * an owner's for a search — so one class reads either table. Synchronous: prepared statements.
 */
import { lazily } from './lazy.js'
import type { Db } from './database.js'
import type { Changes } from './changes.js'
import type { DeriveKeys, OrderedPerson, OtherChange, OtherSourceType, StoredOtherPerson } from './model.js'

interface Row { rowid: number, id: string, source_type: OtherSourceType, data: string, etag: string, update_time: string, search_text: string, seq: number, deleted: number }

function person (row: Row): StoredOtherPerson {
  return { id: row.id, sourceType: row.source_type, data: JSON.parse(row.data) as Record<string, unknown>, etag: row.etag, updateTime: row.update_time }
}

const COLUMNS = 'rowid, id, source_type, data, etag, update_time, search_text, seq, deleted'

export class OtherPeopleStore {
  private readonly s

  /**
   * `table`: other_contacts (owner: account_id) or directory_people (owner: domain). Source
   * types are given as two parameters (the same one twice for one type).
   */
  constructor (private readonly db: Db, readonly table: 'other_contacts' | 'directory_people', private readonly changes: Changes, private readonly derive: DeriveKeys) {
    const owner = table === 'other_contacts' ? 'account_id' : 'domain'
    const types = '(source_type = @a OR source_type = @b)'
    this.s = lazily({
      page: () => db.prepare<{ owner: string, a: string, b: string, after: number, limit: number }, Row>(
        `SELECT ${COLUMNS} FROM ${table} WHERE ${owner} = @owner AND deleted = 0 AND ${types} AND rowid > @after ORDER BY rowid LIMIT @limit`),
      count: () => db.prepare<{ owner: string, a: string, b: string }, number>(
        `SELECT count(*) FROM ${table} WHERE ${owner} = @owner AND deleted = 0 AND ${types}`).pluck(),
      all: () => db.prepare<{ owner: string, a: string, b: string }, Row>(
        `SELECT ${COLUMNS} FROM ${table} WHERE ${owner} = @owner AND deleted = 0 AND ${types} ORDER BY rowid`),
      get: () => db.prepare<{ owner: string, a: string, b: string, id: string }, Row>(
        `SELECT ${COLUMNS} FROM ${table} WHERE ${owner} = @owner AND deleted = 0 AND ${types} AND id = @id`),
      since: () => db.prepare<{ owner: string, a: string, b: string, since: number, upTo: number }, Row>(
        `SELECT ${COLUMNS} FROM ${table} WHERE ${owner} = @owner AND ${types} AND seq > @since AND seq <= @upTo ORDER BY seq`),
      lastSeq: () => db.prepare<{ owner: string }, number>(`SELECT coalesce(max(seq), 0) FROM ${table} WHERE ${owner} = @owner`).pluck(),
      insert: () => db.prepare(`INSERT INTO ${table} (${owner}, id, source_type, data, etag, update_time, search_text, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      // A removed person stays as a tombstone: a sync lists it as deleted.
      remove: () => db.prepare(`UPDATE ${table} SET deleted = 1, data = '{}', search_text = '', seq = ?, update_time = ? WHERE ${owner} = ? AND source_type = ? AND id = ? AND deleted = 0`),
      dropTombstone: () => db.prepare(`DELETE FROM ${table} WHERE ${owner} = ? AND source_type = ? AND id = ? AND deleted = 1`)
    })
  }

  private static types (types: readonly OtherSourceType[]): { a: string, b: string } {
    return { a: types[0]!, b: types[1] ?? types[0]! }
  }

  /** Up to `limit` people of the owner after the cursor (a rowid; 0 for the first page). */
  page (owner: string, types: readonly OtherSourceType[], after: number, limit: number): OrderedPerson[] {
    return this.s.page.all({ owner, ...OtherPeopleStore.types(types), after, limit }).map(row => ({ person: person(row), rowid: row.rowid }))
  }

  count (owner: string, types: readonly OtherSourceType[]): number {
    return this.s.count.get({ owner, ...OtherPeopleStore.types(types) }) ?? 0
  }

  get (owner: string, types: readonly OtherSourceType[], id: string): StoredOtherPerson | undefined {
    const row = this.s.get.get({ owner, ...OtherPeopleStore.types(types), id })
    return row === undefined ? undefined : person(row)
  }

  /** The owner's people whose search words pass `matches`, in order, at most `limit`, with how many matched in all. */
  search (owner: string, types: readonly OtherSourceType[], matches: (searchText: string) => boolean, limit: number, offset = 0): { people: StoredOtherPerson[], total: number } {
    const people: StoredOtherPerson[] = []
    let total = 0
    for (const row of this.s.all.iterate({ owner, ...OtherPeopleStore.types(types) })) {
      if (!matches(row.search_text)) continue
      if (total >= offset && people.length < limit) people.push(person(row))
      total++
    }
    return { people, total }
  }

  /** What changed after position `since` up to `upTo`, oldest change first. */
  changedSince (owner: string, types: readonly OtherSourceType[], since: number, upTo: number): OtherChange[] {
    return this.s.since.all({ owner, ...OtherPeopleStore.types(types), since, upTo }).map(row =>
      row.deleted === 1 ? { id: row.id, sourceType: row.source_type, deleted: true } : { id: row.id, sourceType: row.source_type, deleted: false, person: person(row) })
  }

  /** The position of the owner's latest change (0: none since it was stored). */
  lastSeq (owner: string): number {
    return this.s.lastSeq.get({ owner }) ?? 0
  }

  /** Adds a person now (the control plane): a change at a new position; a tombstone of its id goes. */
  add (owner: string, p: StoredOtherPerson): void {
    this.db.transaction(() => {
      this.s.dropTombstone.run(owner, p.sourceType, p.id)
      this.s.insert.run(owner, p.id, p.sourceType, JSON.stringify(p.data), p.etag, p.updateTime, this.derive(p.data).searchText, this.changes.next())
    }).immediate()
  }

  /** Removes a person now (the control plane), leaving a tombstone; false when there is none. */
  remove (owner: string, sourceType: OtherSourceType, id: string, time: string): boolean {
    return this.db.transaction(() => this.s.remove.run(this.changes.next(), time, owner, sourceType, id).changes > 0).immediate()
  }
}
