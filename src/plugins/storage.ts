/**
 * The database and the stores over it. Opens (and migrates) the database, loads the start
 * fixtures into a new database, and closes it when the app closes.
 */
import type { FastifyInstance } from 'fastify'
import { statfsSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Statement } from 'better-sqlite3'
import { openDatabase, type Db } from '../../db/database.js'
import type { PackedAccount, StoredClient, StoredDomain } from '../../db/model.js'
import { AccountsStore } from '../../db/accounts-store.js'
import { OtherPeopleStore } from '../../db/other-people-store.js'
import { ContactsStore } from '../../db/contacts-store.js'
import { GroupsStore } from '../../db/groups-store.js'
import { Changes, forgetPositions } from '../../db/changes.js'
import { Snapshots } from '../../db/snapshots.js'
import { SyncTokens } from '../../db/sync-tokens.js'
import { ConfigError } from '../config.js'
import { contactKeys } from '../people/keys.js'
import { systemGroups } from '../accounts.js'
import { RenderCache } from '../people/render.js'
import type { Person } from '../schemas/generated.js'
import { indexedText } from '../people/search.js'
import { formatTime } from '../clock.js'
import { runSteps } from '../steps.js'
import { checkContactSize } from '../limits.js'
import { SYNC_TOKEN_LIFETIME_MICROS } from '../tokens.js'

/** Tombstones one account keeps at most (chosen): beyond, the oldest go (see Changes.pruneTombstones). */
export const MAX_TOMBSTONES_PER_ACCOUNT = 25000
/** How often tombstones are pruned. */
const PRUNE_INTERVAL_MS = 10_000

export interface StorageOptions {
  db: string
  /** Overrides MAX_TOMBSTONES_PER_ACCOUNT (tests). */
  tombstonesPerAccount?: number
  /** Accounts declared by the start fixtures (already checked), contacts packed as text. */
  startAccounts: readonly PackedAccount[]
  /** Domains declared by the start fixtures. */
  startDomains?: readonly StoredDomain[]
  startClients?: readonly StoredClient[]
}

/** The database's share of the emulator's memory (or disk): see Config.maxStorageMiB. */
export interface StorageBudget {
  budgetBytes: number
  /** Bytes the database holds now (its pages less the free ones). */
  usedBytes: () => number
  /** Whether a write that adds data should be refused (429): checked before such writes. */
  full: () => boolean
  /**
   * Whether SQLite's "database or disk is full" (SQLITE_FULL) came from the budget's ceiling —
   * a write that would have taken the database past it (429) — rather than from a full disk
   * (503). In memory nothing else can fill. A file: the disk had room for what the ceiling
   * still allows, and the ceiling is the budget's own.
   */
  ceilingReached: () => boolean
}

/** The hard ceiling of the database: a quarter above the budget (see storageBudget). */
function storageCeilingBytes (maxStorageMiB: number): number {
  return maxStorageMiB * 1024 * 1024 * 1.25
}

/**
 * The budget, and a hard ceiling a quarter above it that SQLite itself enforces (max_page_count:
 * a write past it fails with SQLITE_FULL and changes nothing). Writes that add data are refused
 * once the budget is used (checked every write when near it, every 64th otherwise); deletes and
 * resets have the quarter to work in.
 */
function storageBudget (db: Db, maxStorageMiB: number, file: string): StorageBudget {
  const budgetBytes = maxStorageMiB * 1024 * 1024
  const pageSize = db.pragma('page_size', { simple: true }) as number
  const ceilingPages = Math.ceil(storageCeilingBytes(maxStorageMiB) / pageSize)
  db.pragma(`max_page_count = ${ceilingPages}`)
  let pages: Statement<[], number> | undefined
  const usedBytes = (): number => (pages ??= db.prepare<[], number>('SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count())').pluck()).get()! * pageSize
  let skip = 0
  return {
    budgetBytes,
    usedBytes,
    full: () => {
      if (skip > 0) { skip--; return false }
      const used = usedBytes()
      skip = used < budgetBytes * 0.9 ? 63 : 0
      return used >= budgetBytes
    },
    ceilingReached: () => {
      if (file === ':memory:') return true
      // SQLite keeps max_page_count at least the file's size: a file past the ceiling (the
      // emulator restarted with a smaller --max-storage) is past the budget. A smaller one was
      // set by someone else (a test standing in for a full disk).
      if ((db.pragma('max_page_count', { simple: true }) as number) < ceilingPages) return false
      try {
        // (A disk filled by the write-ahead log's own growth, with room left for what the
        // ceiling allows, is counted as the budget's: the 429 then, rather than the 503.)
        const disk = statfsSync(dirname(file))
        return disk.bavail * disk.bsize >= ceilingPages * pageSize - usedBytes()
      } catch {
        return false
      }
    }
  }
}

/** How long after start the contacts the fixtures marked for indexing are indexed. */
const STARTUP_INDEX_DELAY_MS = 1000

async function storage (app: FastifyInstance, options: StorageOptions): Promise<void> {
  let opened
  try {
    opened = openDatabase(options.db, undefined, { maxBytes: storageCeilingBytes(app.config.maxStorageMiB) })
  } catch (err) {
    throw new ConfigError(`invalid configuration: cannot open database ${options.db}: ${(err as Error).message} (flag --db or env PEOPLE_EMULATOR_DB)`)
  }
  const { db, created, previousVersion } = opened
  const state = new AccountsStore(db, contactKeys)
  // Contacts written before migration 002 get their sort keys and search words, once.
  if (previousVersion > 0 && previousVersion < 2) state.backfillKeys()
  // A file database that already holds state keeps it: fixtures seed only a new database,
  // and POST /_emulator/reset goes back to them.
  const startDomains = options.startDomains ?? []
  const startClients = options.startClients ?? []
  const hasFixtures = options.startAccounts.length > 0 || startDomains.length > 0 || startClients.length > 0
  const fixturesGiven = hasFixtures || app.config.fixtures !== undefined
  if (created && hasFixtures) {
    state.replaceAccounts(options.startAccounts, startDomains, startClients, true)
  } else if (!created && fixturesGiven && app.config.fixturesOnStart === 'always') {
    // As a whole reset does: the state goes back to the fixtures (history starts again).
    try {
      db.transaction(() => { runSteps(state.replaceSteps(options.startAccounts, {}, startDomains, startClients)) }).immediate()
    } finally {
      forgetPositions(db)
    }
  }
  // A file database that kept its state over the fixtures: the start says so (src/server.ts).
  app.decorate('fixturesKept', !created && fixturesGiven && app.config.fixturesOnStart !== 'always')
  app.decorate('db', db)
  app.decorate('storageBudget', storageBudget(db, app.config.maxStorageMiB, options.db))
  app.decorate('accounts', state)
  const changes = new Changes(db)
  const contacts = new ContactsStore(db, contactKeys, indexedText, changes, checkContactSize)
  app.decorate('contacts', contacts)
  contacts.onBackgroundError = (err, retryInMs) => {
    app.log.error({ err, retryInMs }, 'indexing contacts for search failed; the search index is behind until it succeeds')
  }
  // Contacts marked for indexing (fixtures, writes just before a crash) are indexed a second
  // after start: not while the emulator is still starting (1,000 fixture contacts take ~10 ms
  // to index), and a search before then indexes them first anyway.
  contacts.scheduleSearchIndex(STARTUP_INDEX_DELAY_MS)
  app.decorate('groups', new GroupsStore(db, systemGroups(), changes))
  app.decorate('otherContacts', new OtherPeopleStore(db, 'other_contacts', changes, contactKeys))
  app.decorate('directory', new OtherPeopleStore(db, 'directory_people', changes, contactKeys))
  app.decorate('changes', changes)
  const syncTokens = new SyncTokens(db)
  app.decorate('syncTokens', syncTokens)
  // Beside a file database its snapshots persist (`<db>.snapshots`); in memory, with the emulator.
  try {
    app.decorate('snapshots', new Snapshots(db, options.db === ':memory:' ? ':memory:' : `${options.db}.snapshots`, app.config.maxStorageMiB * 1024 * 1024))
  } catch (err) {
    db.close()
    throw new ConfigError(`invalid configuration: cannot open the snapshots of database ${options.db} (${options.db}.snapshots): ${(err as Error).message} (flag --db or env PEOPLE_EMULATOR_DB)`)
  }
  // Tombstones older than a sync token's lifetime, or beyond the bound of an account, go: under
  // create/delete churn the change log stays bounded. Outside any request: a failure is logged.
  const cap = options.tombstonesPerAccount ?? MAX_TOMBSTONES_PER_ACCOUNT
  const prune = (): void => {
    // Not inside work that holds a transaction open across turns (an import): next time.
    if (db.inTransaction) return
    try {
      const before = formatTime(app.clock.peek() - SYNC_TOKEN_LIFETIME_MICROS)
      changes.pruneTombstones(before, cap)
      syncTokens.prune(before)
    } catch (err) {
      app.log.error({ err }, 'pruning tombstones failed; retried at the next interval')
    }
  }
  app.decorate('pruneTombstones', prune)
  const pruning = setInterval(prune, PRUNE_INTERVAL_MS).unref()
  app.decorate('renderings', new RenderCache<Person>())
  // Packed: each contact is one string (PackedContact), unpacked only while it is stored again.
  const startAccounts = options.startAccounts
  app.decorate('startAccounts', () => startAccounts)
  app.decorate('startDomains', () => startDomains)
  app.decorate('startClients', () => startClients)
  app.addHook('onClose', async () => {
    clearInterval(pruning)
    // A database file keeps its search index for the next start; one in memory goes with the
    // emulator, and indexing it now would only make the close wait.
    if (options.db === ':memory:') contacts.cancelSearchIndex()
    else {
      try {
        contacts.flushSearchIndex()
      } catch (err) {
        // The words stay marked in the database: indexed at the next start.
        app.log.error({ err }, 'indexing contacts for search failed at close')
      }
    }
    db.close()
  })
}

export default storage
