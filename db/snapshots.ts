/**
 * Named snapshots of the whole state (POST /_emulator/snapshots): a copy of every table of the
 * emulator's state — accounts, tokens, contacts with their photos and change positions, groups,
 * memberships, tombstones, other contacts, domains and their directories — in a database
 * attached to the emulator's connection as `snapshots`: in memory for an in-memory emulator, the
 * file `<db>.snapshots` beside a file database (so that its snapshots survive a restart).
 *
 * Copies are made and brought back by SQLite itself (`INSERT … SELECT`), rows with their rowids,
 * so that a restore gives back the state exactly, in the order it was stored. The full-text
 * index is not copied: a restore empties it and marks every contact, and the emulator indexes
 * them again before the next search reads it (as after migration 011).
 *
 * The lines of history (migration 016) are not part of a snapshot: a restore starts a new line
 * branching from the snapshot's (see Changes.validToken), and the next change position follows
 * the highest ever handed out, so that no position is handed out twice in one line of history.
 */
import type { Db } from './database.js'
import { keepTokensPutAside, putAsideTokens } from './sync-tokens.js'

export interface SnapshotInfo {
  name: string
  /** The emulator-clock time when it was saved. */
  time: string
  /** Bytes it takes (in memory or on disk). */
  size: number
  /** Contacts it holds. */
  contacts: number
}

/** What a snapshot keeps besides the tables: the emulator's clock and random stream (JSON), its history. */
export interface SnapshotPoint {
  /** JSON of the clock's and the random stream's state (the caller's). */
  extra: string
  /** The last change position handed out when it was saved. */
  lastSeq: number
  /** The line of history it was saved in. */
  lineage: number
}

interface IndexRow {
  id: number
  name: string
  time: string
  size: number
  contacts: number
  schema_version: number
  last_seq: number
  lineage: number
  extra: string
}

interface Table { name: string, columns: string[], rowid: boolean }

/** A snapshot found for a restore. */
export interface RestorableSnapshot { id: number, info: SnapshotInfo, point: SnapshotPoint }

/** Rows a restore deletes or copies per step (about 20 ms of work for contacts). */
export const RESTORE_SLICE = 2000

/** The most snapshots kept at once (chosen). */
export const MAX_SNAPSHOTS = 100

/** A snapshot's name: what its URLs can carry unescaped. */
export const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

/** Tables written last on a restore: other tables' triggers update them (counts), so theirs must be the snapshot's values. */
const COUNTED = ['contact_groups', 'accounts', 'totals']

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`

export class Snapshots {
  private readonly schemaVersion: number
  private readonly pageSize: number

  /**
   * Attaches the snapshots database (`location`: `:memory:` or a file) and creates its index.
   * `budgetBytes` bounds what it may hold: a snapshot past it fails with SQLITE_FULL and
   * changes nothing.
   */
  constructor (private readonly db: Db, location: string, budgetBytes: number) {
    db.prepare('ATTACH DATABASE ? AS snapshots').run(location)
    db.exec(`CREATE TABLE IF NOT EXISTS snapshots.snapshot_index (
      id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, time TEXT NOT NULL, size INTEGER NOT NULL, contacts INTEGER NOT NULL,
      schema_version INTEGER NOT NULL, last_seq INTEGER NOT NULL, lineage INTEGER NOT NULL, extra TEXT NOT NULL) STRICT`)
    this.pageSize = db.pragma('snapshots.page_size', { simple: true }) as number
    db.pragma(`snapshots.max_page_count = ${Math.ceil(budgetBytes / this.pageSize)}`)
    this.schemaVersion = db.pragma('main.user_version', { simple: true }) as number
  }

  /** The state's tables and their columns, read from the schema when a snapshot is first saved or restored (not at start). */
  private get tables (): Table[] {
    this.tableList ??= this.readTables()
    return this.tableList
  }

  private tableList?: Table[]

  private readTables (): Table[] {
    const db = this.db
    const names = db.prepare<[], string>(`SELECT name FROM main.sqlite_master WHERE type = 'table'
      AND name NOT LIKE 'contact\\_search%' ESCAPE '\\' AND name NOT IN ('lineages', 'history')
      AND (name NOT LIKE 'sqlite\\_%' ESCAPE '\\' OR name = 'sqlite_sequence') ORDER BY rowid`).pluck().all()
    const ordered = [...names.filter(n => !COUNTED.includes(n)), ...COUNTED.filter(n => names.includes(n))]
    const columns = db.prepare<[string], string>('SELECT name FROM pragma_table_info(?)').pluck()
    const withoutRowid = db.prepare<[string], number>('SELECT wr FROM pragma_table_list(?) WHERE schema = \'main\'').pluck()
    return ordered.map(name => ({ name, columns: columns.all(name), rowid: name !== 'sqlite_sequence' && (withoutRowid.get(name) ?? 0) === 0 }))
  }

  private usedPages (): number {
    return (this.db.pragma('snapshots.page_count', { simple: true }) as number) - (this.db.pragma('snapshots.freelist_count', { simple: true }) as number)
  }

  private copyName (id: number, table: string): string {
    return `snapshots.${quote(`s${id}_${table}`)}`
  }

  private drop (row: { id: number }): void {
    for (const t of this.tables) this.db.exec(`DROP TABLE IF EXISTS ${this.copyName(row.id, t.name)}`)
    this.db.prepare('DELETE FROM snapshots.snapshot_index WHERE id = ?').run(row.id)
  }

  private find (name: string): IndexRow | undefined {
    return this.db.prepare<[string], IndexRow>('SELECT * FROM snapshots.snapshot_index WHERE name = ?').get(name)
  }

  list (): SnapshotInfo[] {
    return this.db.prepare<[], SnapshotInfo>('SELECT name, time, size, contacts FROM snapshots.snapshot_index ORDER BY id').all()
  }

  count (): number {
    return this.db.prepare<[], number>('SELECT count(*) FROM snapshots.snapshot_index').pluck().get()!
  }

  exists (name: string): boolean {
    return this.find(name) !== undefined
  }

  /** Saves the state under `name`, replacing a snapshot of that name. One transaction. */
  save (name: string, time: string, point: SnapshotPoint): SnapshotInfo {
    const db = this.db
    return db.transaction(() => {
      const existing = this.find(name)
      if (existing !== undefined) this.drop(existing)
      const before = this.usedPages()
      const id = db.prepare<[], number>('SELECT coalesce(max(id), 0) + 1 FROM snapshots.snapshot_index').pluck().get()!
      for (const t of this.tables) {
        const columns = t.columns.map(quote).join(', ')
        db.exec(`CREATE TABLE ${this.copyName(id, t.name)} AS SELECT ${t.rowid ? 'rowid AS emulator_rowid, ' : ''}${columns} FROM main.${quote(t.name)}`)
      }
      const contacts = db.prepare<[], number>('SELECT contacts FROM main.totals').pluck().get() ?? 0
      const size = (this.usedPages() - before) * this.pageSize
      db.prepare(`INSERT INTO snapshots.snapshot_index (id, name, time, size, contacts, schema_version, last_seq, lineage, extra)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, name, time, size, contacts, this.schemaVersion, point.lastSeq, point.lineage, point.extra)
      return { name, time, size, contacts }
    }).immediate()
  }

  /**
   * The snapshot `name` as a restore needs it: undefined when there is no such snapshot, a
   * message when it cannot be restored.
   */
  restorable (name: string): RestorableSnapshot | string | undefined {
    const row = this.find(name)
    if (row === undefined) return undefined
    if (row.schema_version !== this.schemaVersion) {
      return `Snapshot "${name}" was saved by an emulator whose database schema is version ${row.schema_version}; this one's is ${this.schemaVersion}. Save it again.`
    }
    return { id: row.id, info: { name: row.name, time: row.time, size: row.size, contacts: row.contacts }, point: { extra: row.extra, lastSeq: row.last_seq, lineage: row.lineage } }
  }

  /**
   * Brings a snapshot's state back, in slices of RESTORE_SLICE rows: the caller runs the steps
   * inside one transaction held open across turns of the event loop (src/steps.ts), while
   * nothing else uses the connection, so that a large state is restored without holding up
   * health checks. `highest` is the last change position handed out so far: the next one
   * follows it (and the snapshot's), in a new line of history. `epoch` is the one the snapshot
   * was saved in (Changes.epoch).
   */
  * restoreSteps (snapshot: RestorableSnapshot, highest: number, epoch: number): Generator<void, void> {
    const db = this.db
    // The sync tokens that stay good (db/sync-tokens.ts): issued in the snapshot's own history
    // after it was saved, by an account or a domain that had not changed since.
    putAsideTokens(db, { epoch, lineage: snapshot.point.lineage, seq: snapshot.point.lastSeq })
    // Rows go in table by table; the references between them are checked at commit.
    db.pragma('defer_foreign_keys = ON')
    // Referencing tables first, a slice at a time: the cascades of a parent's delete would be one statement.
    for (const t of [...this.tables].reverse().sort((a, b) => Number(COUNTED.includes(a.name)) - Number(COUNTED.includes(b.name)))) {
      if (!t.rowid) { db.exec(`DELETE FROM main.${quote(t.name)}`); continue }
      const slice = db.prepare(`DELETE FROM main.${quote(t.name)} WHERE rowid IN (SELECT rowid FROM main.${quote(t.name)} LIMIT ${RESTORE_SLICE})`)
      while (slice.run().changes === RESTORE_SLICE) yield
    }
    db.exec("INSERT INTO main.contact_search (contact_search) VALUES ('delete-all')")
    for (const t of this.tables) {
      const columns = t.columns.map(quote).join(', ')
      // Every contact is marked to be indexed for search again (the index was emptied).
      const values = t.name === 'contacts' ? t.columns.map(c => c === 'search_dirty' ? '1' : quote(c)).join(', ') : columns
      const copy = this.copyName(snapshot.id, t.name)
      if (!t.rowid) { db.exec(`INSERT INTO main.${quote(t.name)} (${columns}) SELECT ${values} FROM ${copy}`); continue }
      const slice = db.prepare<[number], { last: number | null, n: number }>(`SELECT max(emulator_rowid) AS last, count(*) AS n FROM (SELECT emulator_rowid FROM ${copy} WHERE emulator_rowid > ? ORDER BY emulator_rowid LIMIT ${RESTORE_SLICE})`)
      const insert = db.prepare<[number, number]>(`INSERT INTO main.${quote(t.name)} (rowid, ${columns}) SELECT emulator_rowid, ${values} FROM ${copy} WHERE emulator_rowid > ? AND emulator_rowid <= ? ORDER BY emulator_rowid`)
      let after = -Infinity
      for (;;) {
        const { last, n } = slice.get(after)!
        if (last === null) break
        insert.run(after, last)
        after = last
        if (n < RESTORE_SLICE) break
        yield
      }
    }
    keepTokensPutAside(db)
    db.prepare('UPDATE main.totals SET last_seq = max(last_seq, ?, ?)').run(highest, snapshot.point.lastSeq)
    const line = db.prepare<[], number>('SELECT coalesce(max(id), 0) + 1 FROM main.lineages').pluck().get()!
    db.prepare('INSERT INTO main.lineages (id, parent, parent_seq) VALUES (?, ?, ?)').run(line, snapshot.point.lineage, snapshot.point.lastSeq)
    db.prepare('UPDATE main.history SET lineage = ?').run(line)
  }

  /** Deletes snapshot `name`; false when there is none. */
  remove (name: string): boolean {
    const row = this.find(name)
    if (row === undefined) return false
    this.db.transaction(() => { this.drop(row) }).immediate()
    return true
  }
}
