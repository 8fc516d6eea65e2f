/**
 * Opens the SQLite database and brings its schema up to date. Migrations are the numbered
 * files of db/migrations, applied in order inside one transaction each and tracked by
 * `PRAGMA user_version`.
 */
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { forgetPositions, primePositions } from './changes.js'

export type Db = Database.Database

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url))

/**
 * Where better-sqlite3's compiled module is, in the package's folder: build/Release, where npm
 * builds or downloads it; elsewhere (a debug build, an older layout) as the package itself finds
 * it, by its `bindings` dependency asked from the package's folder. Throws bindings' error, which
 * names every place it looked, when there is none.
 */
export function findSqliteModule (packageDir: string): string {
  const release = join(packageDir, 'build', 'Release', 'better_sqlite3.node')
  if (existsSync(release)) return release
  const bindings = createRequire(join(packageDir, 'package.json'))('bindings') as (options: { bindings: string, module_root: string, path: true }) => string
  return bindings({ bindings: 'better_sqlite3.node', module_root: packageDir, path: true })
}

/**
 * better-sqlite3's compiled module, named to every open (found once per process): otherwise the
 * `bindings` package searches a dozen places for it at a process's first open (~2 ms of a start),
 * and in the server's bundle, which holds better-sqlite3's JavaScript (scripts/build.mjs), it
 * could not search from the package's folder.
 */
let sqliteModulePath: string | undefined
function sqliteModule (): string {
  sqliteModulePath ??= findSqliteModule(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')))
  return sqliteModulePath
}

export interface Migration { version: number, name: string, sql: string }

/** The migrations of each folder, read once per process (they are part of the build). */
const loaded = new Map<string, Migration[]>()
/** The folder each list was read from: where the build left its image (migratedImageFile). */
const folders = new WeakMap<Migration[], string>()

export function loadMigrations (dir = migrationsDir): Migration[] {
  let migrations = loaded.get(dir)
  if (migrations === undefined) {
    migrations = readMigrations(dir)
    loaded.set(dir, migrations)
    folders.set(migrations, dir)
  }
  return migrations
}

function readMigrations (dir: string): Migration[] {
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

/** Why a database file cannot be used: one line for the start-up error (exit 2). */
export class DatabaseUnusable extends Error {
  override name = 'DatabaseUnusable'
}

/** How long a statement may wait for a lock at run time: never seconds (the event loop would stop). */
export const BUSY_TIMEOUT_MS = 100

/**
 * Checks, before anything is served, that a database file can be used: that it can be
 * written, that no other process holds it, and that its pages are sound. Taking the lock is
 * part of the check: from here on this connection holds the file alone (locking_mode
 * EXCLUSIVE), so that a second emulator on the same file — whose caches would not see the
 * first one's writes — cannot start, and no other writer can hold the lock while a request
 * waits for it.
 */
function claim (db: Db, file: string): void {
  try {
    // A file can be opened read-only without a word: ask before SQLite falls back.
    if (existsSync(file)) accessSync(file, constants.R_OK | constants.W_OK)
    accessSync(dirname(file), constants.W_OK)
  } catch {
    throw new DatabaseUnusable('it is read-only for this user (the emulator writes to it, and to its -wal file beside it)')
  }
  db.pragma('busy_timeout = 0')
  try {
    db.pragma('locking_mode = EXCLUSIVE')
    db.pragma('journal_mode = WAL')
    db.exec('BEGIN EXCLUSIVE; COMMIT')
  } catch (err) {
    const code = (err as { code?: string }).code ?? ''
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new DatabaseUnusable('it is in use by another process (another emulator holds it)')
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') throw new DatabaseUnusable(`it cannot be written: ${(err as Error).message}`)
    throw err
  }
  const problems = db.pragma('quick_check(3)', { simple: false }) as Array<{ quick_check: string }>
  if (problems.length !== 1 || problems[0]!.quick_check !== 'ok') {
    throw new DatabaseUnusable(`it is damaged (PRAGMA quick_check: ${problems.map(p => p.quick_check).join('; ').replace(/\s*\n\s*/g, '; ')})`)
  }
  db.pragma('synchronous = NORMAL')
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
}

/**
 * The largest in-memory database SQLite's memdb VFS holds (SQLITE_MEMDB_DEFAULT_MAXSIZE, 1 GiB):
 * a larger storage ceiling keeps the database on `:memory:`'s own pager (see openDatabase).
 */
export const MEMDB_MAX_BYTES = 1024 * 1024 * 1024

/**
 * Pages of an in-memory database kept in its page cache (4 KiB each): the pages a request
 * touches, many times over. The rest are read from the database's own memory when needed.
 */
export const MEMORY_CACHE_PAGES = 500

/**
 * A new in-memory database. Not a plain `:memory:` database: there, every page lives in the
 * page cache, and a transaction in which a B-tree rebalance swapped two page numbers (it
 * parks one on the pending-byte page, number 262,145) ends by scanning the whole cache's
 * hash table (SQLite's pcache1TruncateUnsafe) — a write cost time in proportion to the size
 * of the database (an insert at 80,000 contacts took 2.5 × as long as at 10,000). Instead the
 * database is an empty image opened on SQLite's memdb VFS (sqlite3_deserialize, what
 * better-sqlite3 does with a Buffer): its bytes live in one growing buffer, and the page
 * cache is an ordinary bounded one, so that scan covers MEMORY_CACHE_PAGES at most. Same
 * SQL, same rollback journal (in memory); at most MEMDB_MAX_BYTES.
 */
function memoryDatabase (image: Buffer = Buffer.alloc(0)): Db {
  // An image of no bytes is an empty database; better-sqlite3 opens a copy of the image.
  const db = new Database(image, { nativeBinding: sqliteModule() })
  db.pragma(`cache_size = ${MEMORY_CACHE_PAGES}`)
  return db
}

/**
 * Images of a new in-memory database with every migration applied, one per list of migrations:
 * the first in-memory database of a process is migrated, and every later one opens a copy of its
 * image (0.2 ms, against 7–20 ms of migrations: an emulator per test file starts at once).
 */
const migratedImages = new Map<string, Buffer>()
const MIGRATED_IMAGES_KEPT = 8

/** Each list's key (its names and SQL, tens of kilobytes): made once, not at every new database. */
const keys = new WeakMap<Migration[], string>()

function migrationsKey (migrations: Migration[]): string {
  let key = keys.get(migrations)
  if (key === undefined) {
    key = migrations.map(m => `${m.name}\n${m.sql}`).join('\n')
    keys.set(migrations, key)
  }
  return key
}

/** The image of a new in-memory database with these migrations applied. */
export function migratedImage (migrations: Migration[]): Buffer {
  const db = memoryDatabase()
  try {
    migrate(db, migrations, 0)
    return db.serialize()
  } finally {
    db.close()
  }
}

/**
 * Where the build leaves the image of these migrations, beside them (scripts/build.mjs): named
 * by a digest of their names and SQL, so that it is never taken for other migrations' image.
 */
export function migratedImageFile (migrations: Migration[], dir: string): string {
  return join(dir, `migrated-${createHash('sha256').update(migrationsKey(migrations)).digest('hex').slice(0, 16)}.sqlite`)
}

/** The build's image of migrations read from a folder, if it is there and is an SQLite database of their schema version (by its header). */
function builtImage (migrations: Migration[]): Buffer | undefined {
  const dir = folders.get(migrations)
  if (dir === undefined) return undefined
  let image: Buffer
  try {
    image = readFileSync(migratedImageFile(migrations, dir))
  } catch {
    return undefined
  }
  // An SQLite file's header: its magic string, and the user_version at byte 60 (big-endian).
  return image.length >= 100 && image.toString('latin1', 0, 16) === SQLITE_MAGIC && image.readUInt32BE(60) === migrations.length ? image : undefined
}

const SQLITE_MAGIC = 'SQLite format 3\0'

function migratedMemoryDatabase (migrations: Migration[]): Db {
  const key = migrationsKey(migrations)
  const kept = migratedImages.get(key)
  if (kept !== undefined) return memoryDatabase(kept)
  // The first of the process: the build's image (a fresh process starts without running the
  // migrations; its first open reads its schema, so a damaged one is not kept), or the
  // migrations run here (from the sources, or a build without one).
  const built = builtImage(migrations)
  let db: Db | undefined
  try {
    if (built !== undefined) db = memoryDatabase(built)
  } catch {
    db = undefined
  }
  const image = db === undefined ? migratedImage(migrations) : built!
  // One list of migrations in a process that serves; tests that make many keep the latest few.
  if (migratedImages.size >= MIGRATED_IMAGES_KEPT) migratedImages.delete(migratedImages.keys().next().value!)
  migratedImages.set(key, image)
  return db ?? memoryDatabase(image)
}

function migrate (db: Db, migrations: Migration[], current: number): void {
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(m.sql)
      db.pragma(`user_version = ${m.version}`)
    })()
  }
}

export interface OpenOptions {
  /**
   * The most bytes the database may hold (its hard ceiling): past MEMDB_MAX_BYTES an
   * in-memory database stays a plain `:memory:` one (slower writes, no 1 GiB cap).
   */
  maxBytes?: number
}

export function openDatabase (file: string, migrations = loadMigrations(), options: OpenOptions = {}): OpenedDatabase {
  const inMemory = file === ':memory:'
  if (inMemory && (options.maxBytes ?? 0) <= MEMDB_MAX_BYTES) {
    const db = migratedMemoryDatabase(migrations)
    db.pragma('foreign_keys = ON')
    return { db, created: true, previousVersion: 0 }
  }
  const db = new Database(file, { timeout: 0, nativeBinding: sqliteModule() })
  try {
    // SQLite's default 4 KiB pages. (1 KiB pages made an update's journal copies smaller, but
    // on a plain `:memory:` database, 3× slower inserts at 20,000 contacts: see memoryDatabase.)
    if (!inMemory) claim(db, file)
    db.pragma('foreign_keys = ON')
    const current = db.pragma('user_version', { simple: true }) as number
    if (current > migrations.length) {
      throw new DatabaseUnusable(`it has schema version ${current}, newer than this emulator's ${migrations.length}`)
    }
    migrate(db, migrations, current)
    return { db, created: current === 0, previousVersion: current }
  } catch (err) {
    db.close()
    if (!(err instanceof DatabaseUnusable) && (err as { code?: string }).code === 'SQLITE_NOTADB') throw new DatabaseUnusable('it is not an SQLite database')
    if (!(err instanceof DatabaseUnusable) && ((err as { code?: string }).code ?? '').startsWith('SQLITE_CORRUPT')) throw new DatabaseUnusable(`it is damaged: ${(err as Error).message}`)
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
  // The last position is known before anything is removed (see primePositions).
  const tx = db.transaction((fn: () => unknown) => {
    primePositions(db)
    return fn()
  })
  return <T>(fn: () => T): T => {
    try {
      return tx.immediate(fn) as T
    } catch (err) {
      forgetPositions(db)
      throw err
    }
  }
}
