/**
 * Opens the SQLite database and brings its schema up to date. Migrations are the numbered
 * files of db/migrations, applied in order inside one transaction each and tracked by
 * `PRAGMA user_version`.
 */
import Database from 'better-sqlite3'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { forgetPositions } from './changes.js'

export type Db = Database.Database

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url))

export interface Migration { version: number, name: string, sql: string }

export function loadMigrations (dir = migrationsDir): Migration[] {
  const migrations = readdirSync(dir)
    .filter(f => /^\d{3}-[\w-]+\.sql$/.test(f))
    .sort()
    .map(name => ({ version: Number(name.slice(0, 3)), name, sql: readFileSync(dir + name, 'utf8') }))
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} is out of sequence: expected number ${i + 1}`)
  })
  return migrations
}

export interface OpenedDatabase {
  db: Db
  /** True when this open created the schema: the database had never been migrated. */
  created: boolean
  /** The schema version the database had before this open (0: new). */
  previousVersion: number
}

export function openDatabase (file: string, migrations = loadMigrations()): OpenedDatabase {
  const db = new Database(file)
  try {
    // In memory: SQLite's default 4 KiB pages. (1 KiB pages made an update's journal copies
    // smaller, but every write that grows an in-memory database costs time in proportion
    // to its page count: with 1 KiB pages, 3× slower inserts at 20,000 contacts.)
    if (file !== ':memory:') {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('busy_timeout = 5000')
    }
    db.pragma('foreign_keys = ON')
    const current = db.pragma('user_version', { simple: true }) as number
    if (current > migrations.length) {
      throw new Error(`database ${file} has schema version ${current}, newer than this emulator's ${migrations.length}`)
    }
    for (const m of migrations.slice(current)) {
      db.transaction(() => {
        db.exec(m.sql)
        db.pragma(`user_version = ${m.version}`)
      })()
    }
    return { db, created: current === 0, previousVersion: current }
  } catch (err) {
    db.close()
    throw err
  }
}

/**
 * A function that runs `fn` in a `BEGIN IMMEDIATE` transaction (a savepoint when nested).
 * Built once per store: better-sqlite3 builds a transaction wrapper on every db.transaction()
 * call, which costs more than the transaction itself on a hot path. After a rollback the
 * change positions it handed out are given out again (see db/changes.ts).
 */
export function immediateRunner (db: Db): <T>(fn: () => T) => T {
  const tx = db.transaction((fn: () => unknown) => fn())
  return <T>(fn: () => T): T => {
    try {
      return tx.immediate(fn) as T
    } catch (err) {
      forgetPositions(db)
      throw err
    }
  }
}
