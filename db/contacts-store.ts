/**
 * Contacts and their memberships. Synchronous, prepared statements. A mutation reads, lets
 * the caller decide (and throw), then writes: the contact with its change position, and,
 * when they change, its memberships with the user groups they touch, in one `BEGIN
 * IMMEDIATE` transaction whenever it takes more than one statement.
 */
import type Database from 'better-sqlite3'
import { immediateRunner, type Db } from './database.js'
import type { ChangeStamp, Cursor, DeriveKeys, GroupRef, IndexText, PhotoChange, SortOrder, StoredContact } from './model.js'
import { Changes } from './changes.js'
import { contactCache, type CachedContact, type ContactCache } from './contact-cache.js'
import { SearchIndexer } from './search-indexer.js'
import { contactStatements, type ContactRow } from './contacts-sql.js'

/** Whether two membership lists hold the same groups (order aside). */
function sameMembers (a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true
  for (const g of a) if (!b.includes(g)) return false
  for (const g of b) if (!a.includes(g)) return false
  return true
}

export class ContactsStore {
  private readonly s
  private readonly changes: Changes
  /** Runs a function in a `BEGIN IMMEDIATE` transaction; built once (building one per call is costly). */
  private readonly immediate: <T>(fn: () => T) => T
  /** Contacts as last committed (kept right by triggers; see contact-cache.ts). */
  private readonly cache: ContactCache

  /**
   * `indexText` turns a contact's search words into what the full-text index holds for its
   * account (src/people/search.ts); `changes` is shared with the other stores of the database
   * (one set of statements); `checkData` throws for a contact's JSON that may not be stored
   * (too large).
   */
  constructor (private readonly db: Db, private readonly derive: DeriveKeys, private readonly indexText: IndexText, changes = new Changes(db), private readonly checkData: (json: string) => void = () => {}) {
    this.changes = changes
    this.immediate = immediateRunner(db)
    this.cache = contactCache(db)
    this.indexer = new SearchIndexer(db, indexText, this.immediate)
    this.s = contactStatements(db)
  }

  /**
   * Up to `limit` contacts in `order`, starting after `cursor`; with the cursor of the last
   * one, to start the next page from.
   */
  page (accountId: string, order: SortOrder, cursor: Cursor | undefined, limit: number): Array<{ contact: StoredContact, cursor: Cursor }> {
    const rows = cursor === undefined
      ? this.s.pages[order].first.all(accountId, limit)
      : this.s.pages[order].after.all(accountId, cursor[0], cursor[1], limit)
    const memberships = this.membershipsOf(accountId, rows.map(r => r.id))
    return rows.map(row => ({ contact: this.fromRow(accountId, row, memberships.get(row.id) ?? []), cursor: [row.sort_key, row.id] }))
  }

  /** The memberships of many contacts in one query. */
  private membershipsOf (accountId: string, contactIds: readonly string[]): Map<string, string[]> {
    const out = new Map<string, string[]>()
    if (contactIds.length === 0) return out
    for (const m of this.s.pageMemberships.all(JSON.stringify(contactIds), accountId)) {
      const list = out.get(m.contact_id)
      if (list) list.push(m.group_id)
      else out.set(m.contact_id, [m.group_id])
    }
    return out
  }

  private fromRow (accountId: string, row: ContactRow, memberships?: string[]): StoredContact {
    let data: Record<string, unknown> | undefined
    return {
      id: row.id,
      // Parsed when first read: a rendering found in the cache never needs it.
      get data () {
        data ??= JSON.parse(row.data) as Record<string, unknown>
        return data
      },
      etag: row.etag,
      updateTime: row.update_time,
      memberships: memberships ?? this.s.memberships.all(accountId, row.id).map(m => m.group_id),
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
    return this.read(accountId, contactId)?.contact
  }

  /** A contact by id, from the cache or else from the database (and then remembered). */
  private read (accountId: string, contactId: string): CachedContact | undefined {
    const cached = this.cache.get(accountId, contactId)
    if (cached !== undefined) return cached
    const row = this.s.getForUpdate.get(accountId, contactId)
    if (!row) return undefined
    const entry = { contact: this.fromRow(accountId, row), searchText: row.search_text, givenKey: row.given_key, familyKey: row.family_key, size: row.data.length }
    this.cache.set(accountId, contactId, entry)
    return entry
  }

  /** The full-text index, brought up to date in batches (db/search-indexer.ts). */
  private readonly indexer: SearchIndexer

  /** Told of a background indexing batch that failed (the storage plugin logs it); the batch is retried. */
  get onBackgroundError (): (err: unknown, retryInMs: number) => void {
    return this.indexer.onBackgroundError
  }

  set onBackgroundError (report: (err: unknown, retryInMs: number) => void) {
    this.indexer.onBackgroundError = report
  }

  /** Indexes the words of the contacts written since the last batch; returns how many. */
  flushSearchIndex (): number {
    return this.indexer.flush()
  }

  /** Drops the batch of indexing scheduled (an in-memory database closing: nothing will search it). */
  cancelSearchIndex (): void {
    this.indexer.cancel()
  }

  /** Indexes soon, in one batch, what writes have marked (searches index first anyway). */
  scheduleSearchIndex (firstDelayMs = 100): void {
    this.indexer.schedule(firstDelayMs)
  }

  /**
   * Up to `limit` contacts whose search words match an FTS5 query, in a fixed order. The
   * index is brought up to date first; if that cannot be done now (a full disk), the search
   * reads the index as it is — it is a read, and reads keep working — and the background
   * flush tries again.
   */
  search (accountId: string, ftsQuery: string, limit: number): StoredContact[] {
    try {
      this.flushSearchIndex()
    } catch (err) {
      this.onBackgroundError(err, 0)
      this.scheduleSearchIndex()
    }
    const rows = this.s.search.all(ftsQuery, accountId, limit)
    const memberships = this.membershipsOf(accountId, rows.map(r => r.id))
    return rows.map(row => this.fromRow(accountId, row, memberships.get(row.id) ?? []))
  }

  /** Runs `fn` in one transaction: the batch methods are all or nothing. */
  transaction<T> (fn: () => T): T {
    return this.immediate(fn)
  }

  /** The bytes of an uploaded photo, by its id. */
  photo (photoId: string): { bytes: Buffer, contentType: string } | undefined {
    const row = this.s.photo.get(photoId)
    return row && { bytes: row.photo, contentType: row.photo_type }
  }

  /** One of the account's groups, by id (what a membership names). */
  group (accountId: string, groupId: string): GroupRef | undefined {
    const row = this.s.group.get(accountId, groupId)
    return row && { id: row.id, groupType: row.group_type }
  }

  count (accountId: string): number {
    return this.s.count.get(accountId)?.n ?? 0
  }

  /** Contacts the whole emulator holds (kept by triggers, migration 013). */
  total (): number {
    // Prepared on first use: the table comes with migration 013.
    this.totalStatement ??= this.db.prepare<[], number>('SELECT contacts FROM totals WHERE id = 1').pluck()
    return this.totalStatement.get() ?? 0
  }

  private totalStatement: Database.Statement<[], number> | undefined

  /** Writes the difference between two membership lists. */
  private writeMemberships (accountId: string, contactId: string, before: readonly string[], after: readonly string[]): void {
    for (const g of before) if (!after.includes(g)) this.s.removeMembership.run(accountId, contactId, g)
    for (const g of after) if (!before.includes(g)) this.s.addMembership.run(accountId, contactId, g)
  }

  /** Stores the contact `build` returns; it runs inside the transaction and may throw. */
  create (accountId: string, build: () => StoredContact, stamp: ChangeStamp): StoredContact {
    return this.immediate(() => {
      const contact = build()
      const keys = this.derive(contact.data)
      const data = JSON.stringify(contact.data)
      this.checkData(data)
      this.s.insert.run(accountId, contact.id, data, contact.etag, contact.updateTime, keys.givenKey, keys.familyKey, keys.searchText, this.changes.next())
      this.changes.dropTombstone(accountId, contact.id)
      this.scheduleSearchIndex()
      this.writeMemberships(accountId, contact.id, [], contact.memberships)
      this.changes.touchGroupsBetween(accountId, [], contact.memberships, stamp)
      return contact
    })
  }

  /**
   * Reads the contact, hands it to `change` (which may throw: nothing is written then) and
   * stores what it returns. Returns undefined when the contact does not exist.
   *
   * Deciding needs no transaction: the read and the write run in one synchronous turn on the
   * one connection, so nothing can come between them. A change of the contact alone is one
   * UPDATE (its change position is on its row), atomic by itself; a change that also writes
   * a photo or memberships (and touches groups) is one `BEGIN IMMEDIATE` transaction.
   */
  mutate (accountId: string, contactId: string, change: (current: StoredContact) => StoredContact & { photo?: PhotoChange | null }, stamp: ChangeStamp): StoredContact | undefined {
    const found = this.read(accountId, contactId)
    if (!found) return undefined
    const current = found.contact
    const next = change(current)
    const keys = this.derive(next.data)
    const data = JSON.stringify(next.data)
    this.checkData(data)
    const membershipsChange = !sameMembers(current.memberships, next.memberships)
    const write = (): void => {
      const given = keys.givenKey !== found.givenKey
      const family = keys.familyKey !== found.familyKey
      const words = keys.searchText !== found.searchText
      const args: unknown[] = [data, next.etag, next.updateTime, this.changes.next()]
      if (given) args.push(keys.givenKey)
      if (family) args.push(keys.familyKey)
      if (words) args.push(keys.searchText)
      args.push(accountId, contactId)
      this.updateStatement(given, family, words).run(...args)
      if (words) this.scheduleSearchIndex()
      if (next.photo !== undefined) {
        this.s.setPhoto.run(next.photo?.id ?? null, next.photo?.bytes ?? null, next.photo?.contentType ?? null, accountId, contactId)
      }
      if (membershipsChange) {
        this.writeMemberships(accountId, contactId, current.memberships, next.memberships)
        this.changes.touchGroupsBetween(accountId, current.memberships, next.memberships, stamp)
      }
    }
    if (next.photo === undefined && !membershipsChange) write()
    else this.immediate(write)
    const photoId = next.photo === undefined ? current.photoId ?? null : next.photo?.id ?? null
    // As the table now orders them (by rowid): those kept, as before, then those added.
    const memberships = membershipsChange
      ? [...current.memberships.filter(g => next.memberships.includes(g)), ...next.memberships.filter(g => !current.memberships.includes(g))]
      : current.memberships
    const contact: StoredContact = { id: contactId, data: next.data, etag: next.etag, updateTime: next.updateTime, memberships, photoId }
    // Committed (unless an outer transaction is still open: then set() leaves it out).
    this.cache.set(accountId, contactId, { contact, ...keys, size: data.length })
    return contact
  }

  /** UPDATE statements by the sort keys and search words they set, prepared when first needed. */
  private readonly updates: Array<Database.Statement | undefined> = []

  /**
   * The UPDATE of a contact that sets its data, etag, time and change position, and of its
   * sort keys and search words only those that change: SQLite rewrites an index entry for
   * every indexed column a statement sets, changed or not. New words also mark the contact
   * for the next indexing batch (see flushSearchIndex). Parameters in that order, then the
   * account and contact ids.
   */
  private updateStatement (given: boolean, family: boolean, words: boolean): Database.Statement {
    const key = (given ? 1 : 0) | (family ? 2 : 0) | (words ? 4 : 0)
    let statement = this.updates[key]
    if (statement === undefined) {
      const set = ['data = ?', 'etag = ?', 'update_time = ?', 'change_seq = ?']
      if (given) set.push('given_key = ?')
      if (family) set.push('family_key = ?')
      if (words) set.push('search_text = ?', 'search_dirty = 1')
      statement = this.db.prepare(`UPDATE contacts SET ${set.join(', ')} WHERE account_id = ? AND id = ?`)
      this.updates[key] = statement
    }
    return statement
  }

  /** Deletes a contact (its memberships go with it); false when it does not exist. */
  delete (accountId: string, contactId: string, stamp: ChangeStamp): boolean {
    return this.immediate(() => {
      const memberships = this.s.memberships.all(accountId, contactId).map(m => m.group_id)
      if (this.s.delete.run(accountId, contactId).changes === 0) return false
      this.changes.log(accountId, 'person', contactId, true, stamp)
      this.changes.touchGroupsBetween(accountId, memberships, [], stamp)
      return true
    })
  }
}
