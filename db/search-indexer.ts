/**
 * The contacts' full-text index (FTS5 table contact_search), brought up to date in batches: a
 * write marks its contact (search_dirty) and the index takes the marked contacts a slice at a
 * time — soon after the write in the background, or at once before a search. A background
 * batch that fails (a full disk, a lock) is reported and retried later, never thrown: nothing
 * in the background may end the process.
 */
import { lazily } from './lazy.js'
import type { Db } from './database.js'
import type { IndexText } from './model.js'

/** Contacts indexed per transaction. */
const INDEX_SLICE = 1000

export class SearchIndexer {
  private readonly s

  /** `immediate` runs a function in a `BEGIN IMMEDIATE` transaction (the store's own). */
  constructor (private readonly db: Db, private readonly indexText: IndexText, private readonly immediate: <T>(fn: () => T) => T) {
    this.s = lazily({
      dirty: () => db.prepare<[number], { rowid: number, account_id: string, search_text: string | null }>('SELECT rowid, account_id, search_text FROM contacts WHERE search_dirty = 1 LIMIT ?'),
      unindex: () => db.prepare('DELETE FROM contact_search WHERE rowid = ?'),
      index: () => db.prepare('INSERT INTO contact_search (rowid, search_text) VALUES (?, ?)'),
      clean: () => db.prepare('UPDATE contacts SET search_dirty = 0 WHERE rowid = ?')
    })
  }

  private flushTimer: NodeJS.Timeout | undefined
  /** Consecutive failed background flushes: the next one waits longer (100 ms doubled, at most 30 s). */
  private flushFailures = 0
  /** Told of a background flush that failed (the storage plugin logs it); the flush is retried. */
  onBackgroundError: (err: unknown, retryInMs: number) => void = () => {}

  /** Drops the batch scheduled, unindexed (the database is closing and goes with the emulator). */
  cancel (): void {
    if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = undefined }
  }

  /** Indexes the words of the contacts written since the last batch; returns how many. */
  flush (): number {
    if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = undefined }
    // In slices of a bounded size, each its own transaction: a fixture of 20,000 contacts is
    // indexed without holding all their words, or FTS5's pending index, in memory at once.
    let indexed = 0
    for (;;) {
      const n = this.indexSlice()
      indexed += n
      if (n < INDEX_SLICE) return indexed
    }
  }

  /** Indexes up to INDEX_SLICE marked contacts in one transaction; returns how many. */
  private indexSlice (): number {
    return this.immediate(() => {
      const rows = this.s.dirty.all(INDEX_SLICE)
      for (const row of rows) {
        this.s.unindex.run(row.rowid)
        this.s.index.run(row.rowid, this.indexText(row.search_text ?? '', row.account_id))
        this.s.clean.run(row.rowid)
      }
      return rows.length
    })
  }

  /**
   * Indexes soon, in one batch, what writes have marked (searches index first anyway). The
   * batch runs outside any request: a failure (a full disk, a lock) is reported and retried
   * later, never thrown — nothing in the background may end the process.
   */
  schedule (firstDelayMs = 100): void {
    const delay = this.flushFailures === 0 ? firstDelayMs : Math.min(30000, 100 * 2 ** this.flushFailures)
    const due = Date.now() + delay
    if (this.flushTimer !== undefined) {
      // A batch due later (the one after start) comes sooner for a write.
      if (this.flushDue <= due) return
      clearTimeout(this.flushTimer)
    }
    this.flushDue = due
    this.flushTimer = setTimeout(() => { this.backgroundIndex() }, delay).unref()
  }

  /** When the scheduled batch runs (Date.now() time). */
  private flushDue = 0

  private backgroundIndex (): void {
    this.flushTimer = undefined
    // Not inside work that holds a transaction open across turns (an import): later.
    if (this.db.inTransaction) { this.schedule(); return }
    try {
      // One slice now; if there is more, the next as soon as the event loop has served what
      // waits (a large import is indexed without holding up requests for long).
      const more = this.indexSlice() === INDEX_SLICE
      this.flushFailures = 0
      if (more) { this.flushDue = Date.now(); this.flushTimer = setTimeout(() => { this.backgroundIndex() }, 0).unref() }
    } catch (err) {
      this.flushFailures++
      this.onBackgroundError(err, Math.min(30000, 100 * 2 ** this.flushFailures))
      this.schedule()
    }
  }
}
