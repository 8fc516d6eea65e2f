/**
 * Contacts as last committed, by account and id, so that a read by id (people.get, and the
 * read at the start of every update) needs no SQL and no JSON parse.
 *
 * Staleness is ruled out by SQLite itself, not by the writers: temporary triggers on the
 * connection call back into this cache whenever a contact's row or its memberships change,
 * whichever statement does it (an update, a group deleted in cascade, a reset, an import),
 * and the entry is dropped. An entry is only added outside transactions, so that it always
 * holds committed state: a rolled-back batch cannot leave its writes behind here.
 *
 * One cache per connection, shared by every store opened on it (the trigger callback is a
 * function of the connection), and within it one set of entries per account.
 */
import type { Db } from './database.js'
import type { StoredContact } from './model.js'
import { AccountLru } from './account-lru.js'

export interface CachedContact {
  contact: StoredContact
  /** The contact's search words as stored, for deciding whether a write must re-index. */
  searchText: string | null
  /** Its sort keys as stored: a write sets (and re-indexes) only those that change. */
  givenKey: string | null
  familyKey: string | null
  /** The length of its stored JSON: what the entry costs, roughly (the cache is bounded by it). */
  size: number
}

/** Entries kept at most per account; the account's oldest goes first (a cache, not a copy of the database). */
export const CONTACT_CACHE_SIZE = 5000
/** Stored JSON one account's entries may hold in all (a contact may be 128 KB). */
export const CONTACT_CACHE_BYTES = 32 * 1024 * 1024

/**
 * Kept per account (AccountLru), each within its own bounds: what one account reads or writes
 * never evicts another's entries.
 */
export class ContactCache {
  private readonly entries = new AccountLru<CachedContact>(CONTACT_CACHE_SIZE, CONTACT_CACHE_BYTES)

  constructor (private readonly db: Db) {}

  get (accountId: string, contactId: string): CachedContact | undefined {
    return this.entries.get(accountId, contactId)
  }

  /** Remembers a contact read or written; ignored inside a transaction (it may roll back). */
  set (accountId: string, contactId: string, entry: CachedContact): void {
    if (this.db.inTransaction) return
    this.entries.set(accountId, contactId, entry, entry.size)
  }

  forget (accountId: string, contactId: string): void {
    this.entries.delete(accountId, contactId)
  }

  /** The stored JSON the entries hold in all. */
  get byteSize (): number {
    return this.entries.byteSize
  }

  /** Entries in all. */
  get size (): number {
    return this.entries.size
  }

  /** One account's entries. */
  sizeOf (accountId: string): number {
    return this.entries.sizeOf(accountId)
  }

  /** One account's stored JSON. */
  byteSizeOf (accountId: string): number {
    return this.entries.byteSizeOf(accountId)
  }
}

const caches = new WeakMap<Db, ContactCache>()

/** The connection's contact cache, created with its triggers on first use. */
export function contactCache (db: Db): ContactCache {
  let cache = caches.get(db)
  if (cache === undefined) {
    const created = new ContactCache(db)
    db.function('emulator_contact_changed', { deterministic: false, directOnly: true }, (accountId: unknown, contactId: unknown) => {
      created.forget(String(accountId), String(contactId))
      return null
    })
    // TEMP triggers live with the connection: nothing is written into the database file.
    db.exec(`
      CREATE TEMP TRIGGER IF NOT EXISTS contact_cache_update AFTER UPDATE OF account_id, id, data, etag, update_time, photo_id, search_text, given_key, family_key ON main.contacts
        BEGIN SELECT emulator_contact_changed(old.account_id, old.id); END;
      CREATE TEMP TRIGGER IF NOT EXISTS contact_cache_delete AFTER DELETE ON main.contacts
        BEGIN SELECT emulator_contact_changed(old.account_id, old.id); END;
      CREATE TEMP TRIGGER IF NOT EXISTS contact_cache_insert AFTER INSERT ON main.contacts
        BEGIN SELECT emulator_contact_changed(new.account_id, new.id); END;
      CREATE TEMP TRIGGER IF NOT EXISTS contact_cache_join AFTER INSERT ON main.memberships
        BEGIN SELECT emulator_contact_changed(new.account_id, new.contact_id); END;
      CREATE TEMP TRIGGER IF NOT EXISTS contact_cache_leave AFTER DELETE ON main.memberships
        BEGIN SELECT emulator_contact_changed(old.account_id, old.contact_id); END;
      CREATE TEMP TRIGGER IF NOT EXISTS contact_cache_move AFTER UPDATE ON main.memberships
        BEGIN SELECT emulator_contact_changed(old.account_id, old.contact_id); SELECT emulator_contact_changed(new.account_id, new.contact_id); END;
    `)
    caches.set(db, created)
    cache = created
  }
  return cache
}
