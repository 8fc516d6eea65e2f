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
import type { Statement } from 'better-sqlite3'
import type { Db } from './database.js'
import { keepTokensPutAside, putAsideTokens } from './sync-tokens.js'
import { lazily } from './lazy.js'

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

interface Table { name: string, columns: string[], rowid: boolean, key: string[] }

type RangeStatement = Statement<[number, number]>
interface DiffStatements { bounds: Statement<[], { low: number | null, high: number | null }>, remove: RangeStatement, update: RangeStatement | undefined, removeDiffering: RangeStatement, add: RangeStatement }

/** A snapshot found for a restore. */
export interface RestorableSnapshot { id: number, info: SnapshotInfo, point: SnapshotPoint }

/** Rows a restore deletes or copies per step (about 20 ms of work for contacts). */
export const RESTORE_SLICE = 2000

/** The most snapshots kept at once (chosen). */
export const MAX_SNAPSHOTS = 100

/** The internal snapshot a whole reset restores (no snapshot name can start with a dot). */
export const RESET_IMAGE = '.reset'

/** A snapshot's name: what its URLs can carry unescaped. */
export const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

/** Tables written last on a restore: other tables' triggers update them (counts), so theirs must be the snapshot's values. */
const COUNTED = ['contact_groups', 'accounts', 'totals']

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`
const table = (t: Table): string => `main.${quote(t.name)}`

export class Snapshots {
  private schemaVersionRead?: number
  private pageSizeRead?: number
  private attached = false
  private readonly s

  /**
   * The snapshots database (`location`: `:memory:` or a file) and its index. `budgetBytes`
   * bounds what it may hold: a snapshot past it fails with SQLITE_FULL and changes nothing.
   * A file is attached at once (a reset image of an earlier run is dropped; a file that cannot
   * be opened stops the start); one in memory when first used — an emulator that never saves,
   * restores or resets does not pay for it.
   */
  constructor (private readonly db: Db, private readonly location: string, private readonly budgetBytes: number) {
    this.s = lazily({
      find: () => db.prepare<[string], IndexRow>('SELECT * FROM snapshots.snapshot_index WHERE name = ?'),
      unlist: () => db.prepare<[number]>('DELETE FROM snapshots.snapshot_index WHERE id = ?'),
      // Copies keyed by their rows' rowids (what a restore compares by): this version's are.
      keyed: () => db.prepare<[string], number>("SELECT pk FROM pragma_table_info(?, 'snapshots') WHERE name = 'emulator_rowid'").pluck(),
      lastSeq: () => db.prepare<[number, number]>('UPDATE main.totals SET last_seq = max(last_seq, ?, ?)'),
      nextLine: () => db.prepare<[], number>('SELECT coalesce(max(id), 0) + 1 FROM main.lineages').pluck(),
      line: () => db.prepare<[number, number, number]>('INSERT INTO main.lineages (id, parent, parent_seq) VALUES (?, ?, ?)'),
      history: () => db.prepare<[number]>('UPDATE main.history SET lineage = ?')
    })
    // A reset image of an earlier run (a file database's snapshots): its fixtures may have
    // changed. (Snapshots in memory are new with the emulator.)
    if (location !== ':memory:') {
      const stale = this.find(RESET_IMAGE)
      if (stale !== undefined) db.transaction(() => { this.drop(stale) })()
    }
  }

  /**
   * Attaches the snapshots database and creates its index, the first time anything reads or
   * writes them (never inside a transaction: each public method is called before the one it
   * runs in, as routes/snapshots.ts and routes/state.ts do).
   */
  private attach (): void {
    if (this.attached) return
    const db = this.db
    db.prepare('ATTACH DATABASE ? AS snapshots').run(this.location)
    try {
      db.exec(`CREATE TABLE IF NOT EXISTS snapshots.snapshot_index (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, time TEXT NOT NULL, size INTEGER NOT NULL, contacts INTEGER NOT NULL,
        schema_version INTEGER NOT NULL, last_seq INTEGER NOT NULL, lineage INTEGER NOT NULL, extra TEXT NOT NULL) STRICT`)
      this.pageSizeRead = db.pragma('snapshots.page_size', { simple: true }) as number
      db.pragma(`snapshots.max_page_count = ${Math.ceil(this.budgetBytes / this.pageSizeRead)}`)
    } catch (err) {
      // Attached again, whole, by the next call.
      db.exec('DETACH DATABASE snapshots')
      throw err
    }
    this.attached = true
  }

  private get pageSize (): number {
    this.attach()
    return this.pageSizeRead!
  }

  private get schemaVersion (): number {
    this.schemaVersionRead ??= this.db.pragma('main.user_version', { simple: true }) as number
    return this.schemaVersionRead
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
    const key = db.prepare<[string], string>('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').pluck()
    return ordered.map(name => ({ name, columns: columns.all(name), rowid: name !== 'sqlite_sequence' && (withoutRowid.get(name) ?? 0) === 0, key: key.all(name) }))
  }

  private usedPages (): number {
    return (this.db.pragma('snapshots.page_count', { simple: true }) as number) - (this.db.pragma('snapshots.freelist_count', { simple: true }) as number)
  }

  private copyName (id: number, table: string): string {
    return `snapshots.${quote(`s${id}_${table}`)}`
  }

  private drop (row: { id: number }): void {
    for (const t of this.tables) {
      this.statements.delete(this.copyName(row.id, t.name))
      this.db.exec(`DROP TABLE IF EXISTS ${this.copyName(row.id, t.name)}`)
    }
    this.s.unlist.run(row.id)
  }

  private find (name: string): IndexRow | undefined {
    this.attach()
    return this.s.find.get(name)
  }

  list (): SnapshotInfo[] {
    this.attach()
    return this.db.prepare<[], SnapshotInfo>("SELECT name, time, size, contacts FROM snapshots.snapshot_index WHERE name NOT LIKE '.%' ORDER BY id").all()
  }

  count (): number {
    this.attach()
    return this.db.prepare<[], number>("SELECT count(*) FROM snapshots.snapshot_index WHERE name NOT LIKE '.%'").pluck().get()!
  }

  /**
   * Saves the state a whole reset has just given as the image later resets are restored from:
   * a reset's state is always the same (the start fixtures, as read at start, their positions
   * from 1), so a reset writes only what differs from it. False when it does not fit in the
   * snapshots' storage (resets then replace everything, as the first one did).
   */
  saveResetImage (): boolean {
    if (this.resetImageTooLarge) return false
    try {
      this.save(RESET_IMAGE, '', { extra: '{}', lastSeq: 0, lineage: 0 })
      return true
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_FULL') throw err
      // Not tried again by this process (a copy that fails costs what one that fits does):
      // the reset's state is the same each time, and the snapshots filling the storage are the user's.
      this.resetImageTooLarge = true
      return false
    }
  }

  private resetImageTooLarge = false

  /** The image a whole reset is restored from (its id), once the first reset saved it. */
  resetImage (): number | undefined {
    const image = this.restorable(RESET_IMAGE)
    return typeof image === 'object' ? image.id : undefined
  }

  exists (name: string): boolean {
    return this.find(name) !== undefined
  }

  /** Saves the state under `name`, replacing a snapshot of that name. One transaction. */
  save (name: string, time: string, point: SnapshotPoint): SnapshotInfo {
    this.attach()
    const db = this.db
    return db.transaction(() => {
      const existing = this.find(name)
      if (existing !== undefined) this.drop(existing)
      const before = this.usedPages()
      const id = db.prepare<[], number>('SELECT coalesce(max(id), 0) + 1 FROM snapshots.snapshot_index').pluck().get()!
      for (const t of this.tables) {
        const columns = t.columns.map(quote).join(', ')
        if (!t.rowid) {
          db.exec(`CREATE TABLE ${this.copyName(id, t.name)} AS SELECT ${columns} FROM ${table(t)}`)
          continue
        }
        // The row's rowid is the copy's own (its INTEGER PRIMARY KEY): a restore finds a row's copy by it.
        db.exec(`CREATE TABLE ${this.copyName(id, t.name)} (emulator_rowid INTEGER PRIMARY KEY, ${columns})`)
        db.exec(`INSERT INTO ${this.copyName(id, t.name)} (emulator_rowid, ${columns}) SELECT rowid, ${columns} FROM ${table(t)}`)
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
    // An older emulator's copies are not keyed by their rows' rowids.
    if (this.s.keyed.get(`s${row.id}_contacts`) !== 1) return `Snapshot "${name}" was saved by an older version of the emulator, in a form this one does not restore. Save it again.`
    return { id: row.id, info: { name: row.name, time: row.time, size: row.size, contacts: row.contacts }, point: { extra: row.extra, lastSeq: row.last_seq, lineage: row.lineage } }
  }

  /**
   * Brings a snapshot's state back, in slices of RESTORE_SLICE rowids: the caller runs the steps
   * inside one transaction held open across turns of the event loop (src/steps.ts), while
   * nothing else uses the connection, so that a large state is restored without holding up
   * health checks. Only what differs is written (replaceRows): each table's rows are compared
   * with their copies by rowid; a row the snapshot lacks is deleted, one that differs is updated
   * in place, a copy whose row is missing is inserted. A test that changed
   * a few contacts since the snapshot costs a few rows' work, and the rows left alone keep their
   * search index entries and their cached contacts (the triggers of those written do as for any
   * write: counts, search index, contact cache). `highest` is the last change position handed
   * out so far: the next one follows it (and the snapshot's), in a new line of history. `epoch`
   * is the one the snapshot was saved in (Changes.epoch).
   */
  * restoreSteps (snapshot: RestorableSnapshot, highest: number, epoch: number): Generator<void, void> {
    const db = this.db
    // The sync tokens that stay good (db/sync-tokens.ts): issued in the snapshot's own history
    // after it was saved, by an account or a domain that had not changed since.
    putAsideTokens(db, { epoch, lineage: snapshot.point.lineage, seq: snapshot.point.lastSeq })
    yield * this.replaceRows(snapshot.id)
    keepTokensPutAside(db)
    const s = this.s
    s.lastSeq.run(highest, snapshot.point.lastSeq)
    const line = s.nextLine.get()!
    s.line.run(line, snapshot.point.lineage, snapshot.point.lastSeq)
    s.history.run(line)
  }

  /**
   * Writes the rows of snapshot `id` over the state, only where they differ (see restoreSteps),
   * in slices; inside the caller's transaction. A whole reset uses it too, with the image of the
   * state a reset gives (saveResetImage).
   */
  * replaceRows (id: number): Generator<void, void> {
    const db = this.db
    // Rows go in table by table; the references between them are checked at commit.
    db.pragma('defer_foreign_keys = ON')
    // Referencing tables first: a parent's row is deleted after its children's, so its cascades find nothing left.
    const deleting = [...this.tables].reverse().sort((a, b) => Number(COUNTED.includes(a.name)) - Number(COUNTED.includes(b.name)))
    for (const t of deleting) {
      const copy = this.copyName(id, t.name)
      if (!t.rowid) { db.exec(`DELETE FROM main.${quote(t.name)}`); continue }
      const statements = this.diffStatements(t, copy)
      yield * this.inRanges(statements, (from, to) => {
        statements.remove.run(from, to)
        try {
          statements.update?.run(from, to)
        } catch (err) {
          // A unique key two rows swap (two groups' names): the rows that differ go, and come
          // back whole below. (A statement that fails leaves nothing of itself behind.)
          const code = (err as { code?: string }).code
          if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw err
          statements.removeDiffering.run(from, to)
        }
      })
    }
    for (const t of this.tables) {
      const copy = this.copyName(id, t.name)
      if (!t.rowid) { db.exec(`INSERT INTO main.${quote(t.name)} (${t.columns.map(quote).join(', ')}) SELECT ${t.columns.map(quote).join(', ')} FROM ${copy}`); continue }
      const statements = this.diffStatements(t, copy)
      yield * this.inRanges(statements, (from, to) => statements.add.run(from, to))
    }
    // The counts last: the rows inserted above moved them (their triggers), and every other
    // column of these rows is the copy's already, so only counts can differ here.
    for (const t of this.tables.filter(t => COUNTED.includes(t.name) && t.rowid)) {
      const statements = this.diffStatements(t, this.copyName(id, t.name))
      yield * this.inRanges(statements, (from, to) => statements.update?.run(from, to))
    }
  }

  /**
   * Runs `step` on each range of RESTORE_SLICE rowids [from, to) that covers a table's rows and
   * its copy's, with a turn of the event loop between two ranges (none for a table of one).
   */
  private * inRanges (statements: DiffStatements, step: (from: number, to: number) => unknown): Generator<void, void> {
    const { low, high } = statements.bounds.get()!
    if (low === null || high === null) return
    for (let from = low; from <= high; from += RESTORE_SLICE) {
      if (from > low) yield
      step(from, Math.min(from + RESTORE_SLICE, high + 1))
    }
  }

  private readonly statements = new Map<string, DiffStatements>()

  /**
   * A table's statements for one range of rowids [from, to): delete the rows the snapshot does
   * not have, update in place the rows that differ from their copies (their columns but the key;
   * a delete and an insert would cascade from an account's row to everything it holds), insert the
   * copies whose rows are missing — and, when an update meets a unique key two rows swap,
   * delete the rows that differ instead. Contacts are compared without search_dirty (a row kept
   * keeps its search index entry); one written is marked for the index.
   */
  private diffStatements (t: Table, copy: string): DiffStatements {
    let found = this.statements.get(copy)
    if (found === undefined) {
      // A row whose key is not its copy's is another row (a rowid given again): deleted, and
      // its copy inserted. The others have their other columns updated where they differ —
      // the key left alone, so that no reference to it is looked for.
      const sameKey = t.key.length === 0 ? '1' : t.key.map(c => `s.${quote(c)} IS ${table(t)}.${quote(c)}`).join(' AND ')
      const keyOfM = t.key.length === 0 ? '1' : t.key.map(c => `s.${quote(c)} IS m.${quote(c)}`).join(' AND ')
      const rest = t.columns.filter(c => !t.key.includes(c))
      const compared = rest.filter(c => !(t.name === 'contacts' && c === 'search_dirty'))
      const differs = compared.length === 0 ? '0' : compared.map(c => `m.${quote(c)} IS NOT s.${quote(c)}`).join(' OR ')
      const columns = t.columns.map(quote).join(', ')
      const value = (c: string): string => t.name === 'contacts' && c === 'search_dirty' ? '1' : `s.${quote(c)}`
      const values = t.columns.map(value).join(', ')
      const target = table(t)
      const differing = `SELECT m.rowid FROM ${target} m JOIN ${copy} s ON s.emulator_rowid = m.rowid WHERE m.rowid >= ? AND m.rowid < ? AND ${keyOfM} AND (${differs})`
      found = {
        // Each min() and max() alone, so that SQLite reads it from the end of the rowid order.
        bounds: this.db.prepare(`SELECT min(coalesce(a, b), coalesce(b, a)) AS low, max(coalesce(c, d), coalesce(d, c)) AS high FROM (SELECT
          (SELECT min(rowid) FROM ${target}) AS a, (SELECT min(emulator_rowid) FROM ${copy}) AS b, (SELECT max(rowid) FROM ${target}) AS c, (SELECT max(emulator_rowid) FROM ${copy}) AS d)`),
        remove: this.db.prepare(`DELETE FROM ${target} WHERE rowid >= ? AND rowid < ? AND NOT EXISTS (SELECT 1 FROM ${copy} s WHERE s.emulator_rowid = ${target}.rowid AND ${sameKey})`),
        update: rest.length === 0
          ? undefined
          : this.db.prepare(`UPDATE ${target} SET (${rest.map(quote).join(', ')}) = (SELECT ${rest.map(value).join(', ')} FROM ${copy} s WHERE s.emulator_rowid = ${target}.rowid) WHERE rowid IN (${differing})`),
        removeDiffering: this.db.prepare(`DELETE FROM ${target} WHERE rowid IN (${differing})`),
        add: this.db.prepare(`INSERT INTO ${target} (rowid, ${columns}) SELECT s.emulator_rowid, ${values} FROM ${copy} s
          WHERE s.emulator_rowid >= ? AND s.emulator_rowid < ? AND NOT EXISTS (SELECT 1 FROM ${target} m WHERE m.rowid = s.emulator_rowid) ORDER BY s.emulator_rowid`)
      }
      this.statements.set(copy, found)
    }
    return found
  }

  /** Deletes snapshot `name`; false when there is none. */
  remove (name: string): boolean {
    const row = this.find(name)
    if (row === undefined) return false
    this.db.transaction(() => { this.drop(row) }).immediate()
    return true
  }
}
