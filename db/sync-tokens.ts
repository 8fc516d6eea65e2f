/**
 * The sync tokens handed out (migration 017): a token is accepted only when its row is here,
 * that is, in the history that issued it. A whole reset, a reset of the account, an import
 * that replaces the account or the domain, a restore of a snapshot that does not hold the row:
 * each takes the row away with the state it belonged to, and the token is expired — whatever
 * its bytes, which a deterministic run gives again after a reset.
 *
 * Rows go when their token could no longer be used anyway (older than a sync token's
 * lifetime: by the index on `issued`), and an owner keeps its newest MAX_SYNC_TOKENS_PER_OWNER
 * (checked every prune, for the owners issued tokens since the last): an older token of a
 * client that synced that many times since is expired (it syncs in full, as after 7 days).
 * Page tokens of listings that end with a sync token are kept here too (src/tokens.ts).
 */
import { createHash } from 'node:crypto'
import type { Statement } from 'better-sqlite3'
import type { Db } from './database.js'

/** Tokens one account or domain keeps at most (chosen). */
export const MAX_SYNC_TOKENS_PER_OWNER = 1000

/** Whose tokens: an account's (connections, contact groups, other contacts) or a domain's directory. */
export type TokenOwner = 'account' | 'domain'

const TABLES: Record<TokenOwner, { table: string, column: string, parent: string, key: string }> = {
  account: { table: 'account_sync_tokens', column: 'account_id', parent: 'accounts', key: 'id' },
  domain: { table: 'domain_sync_tokens', column: 'domain', parent: 'domains', key: 'domain' }
}

/** What identifies a token: the first 16 bytes of the SHA-256 of its text. */
function digestOf (token: string): Buffer {
  return createHash('sha256').update(token).digest().subarray(0, 16)
}

interface OwnerStatements {
  issue: Statement<[string, Buffer, number, number, number, string, string]>
  issued: Statement<[string, Buffer], number>
  count: Statement<[string], number>
  trim: Statement<[string, string, number]>
  old: Statement<[string]>
}

/** The registry of one database (prepared on first use: they name tables of migration 017). */
export class SyncTokens {
  private statements?: Record<TokenOwner, OwnerStatements>
  /** Owners that were issued tokens since the last prune: only theirs can be over the bound. */
  private readonly touched: Record<TokenOwner, Set<string>> = { account: new Set(), domain: new Set() }

  constructor (private readonly db: Db) {}

  private s (kind: TokenOwner): OwnerStatements {
    this.statements ??= {
      account: this.prepare('account'),
      domain: this.prepare('domain')
    }
    return this.statements[kind]
  }

  private prepare (kind: TokenOwner): OwnerStatements {
    const { table, column, parent, key } = TABLES[kind]
    const db = this.db
    return {
      // Nothing when the owner is gone meanwhile (a reset while the listing was answered).
      issue: db.prepare(`INSERT OR IGNORE INTO ${table} (${column}, digest, seq, lineage, epoch, issued)
        SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM ${parent} WHERE ${key} = ?)`),
      issued: db.prepare<[string, Buffer], number>(`SELECT 1 FROM ${table} WHERE ${column} = ? AND digest = ?`).pluck(),
      count: db.prepare<[string], number>(`SELECT count(*) FROM ${table} WHERE ${column} = ?`).pluck(),
      trim: db.prepare(`DELETE FROM ${table} WHERE ${column} = ? AND rowid <= (SELECT rowid FROM ${table} WHERE ${column} = ? ORDER BY rowid DESC LIMIT 1 OFFSET ?)`),
      old: db.prepare(`DELETE FROM ${table} WHERE issued < ?`)
    }
  }

  /** Records a token handed out: its position, the line of history and the epoch it belongs to, when. */
  issue (kind: TokenOwner, owner: string, token: string, at: { seq: number, lineage: number, epoch: number, time: string }): void {
    try {
      this.s(kind).issue.run(owner, digestOf(token), at.seq, at.lineage, at.epoch, at.time, owner)
    } catch (err) {
      // A read is never refused for this (a full database, a failing disk): the token is not
      // kept, and when it comes back it is expired — its client syncs in full.
      if (((err as { code?: unknown }).code as string | undefined)?.startsWith('SQLITE_') === true) return
      throw err
    }
    this.touched[kind].add(owner)
  }

  /** Whether the token was handed out in this history. */
  issued (kind: TokenOwner, owner: string, token: string): boolean {
    return this.s(kind).issued.get(owner, digestOf(token)) !== undefined
  }

  /** Drops the rows issued before `before` (expired anyway), and each owner's beyond its newest MAX_SYNC_TOKENS_PER_OWNER. */
  prune (before: string, cap = MAX_SYNC_TOKENS_PER_OWNER): number {
    let removed = 0
    for (const kind of ['account', 'domain'] as const) {
      const s = this.s(kind)
      removed += s.old.run(before).changes
      for (const owner of this.touched[kind]) {
        if (s.count.get(owner)! > cap) removed += s.trim.run(owner, owner, cap).changes
      }
      this.touched[kind].clear()
    }
    return removed
  }
}

/**
 * Statements of a snapshot's restore (db/snapshots.ts): the rows of tokens that stay valid
 * across it — issued in the epoch and line of history the snapshot was saved in, at a position
 * no later than its last (by an account or domain that had not changed since) — are put aside
 * before the state is replaced, and kept after it for the owners the snapshot holds.
 */
export function putAsideTokens (db: Db, at: { epoch: number, lineage: number, seq: number }): void {
  for (const s of putAsideStatements(db)) {
    s.clear.run()
    s.putAside.run(at.epoch, at.lineage, at.seq)
  }
}

export function keepTokensPutAside (db: Db): void {
  for (const s of putAsideStatements(db)) {
    s.keep.run()
    s.clear.run()
  }
}

interface PutAside { clear: Statement, putAside: Statement<[number, number, number]>, keep: Statement }
const putAsideByDb = new WeakMap<Db, PutAside[]>()

/**
 * The statements of both, over temporary tables made once per connection: a table created and
 * dropped at each restore would change the schema, which makes SQLite prepare every statement
 * of the connection again.
 */
function putAsideStatements (db: Db): PutAside[] {
  let found = putAsideByDb.get(db)
  if (found === undefined) {
    found = Object.values(TABLES).map(({ table, column, parent, key }) => {
      db.exec(`CREATE TEMP TABLE IF NOT EXISTS kept_${table} AS SELECT rowid AS original, * FROM main.${table} WHERE 0`)
      return {
        clear: db.prepare(`DELETE FROM temp.kept_${table}`),
        putAside: db.prepare<[number, number, number]>(`INSERT INTO temp.kept_${table} SELECT rowid AS original, * FROM main.${table} WHERE epoch = ? AND lineage = ? AND seq <= ? ORDER BY rowid`),
        keep: db.prepare(`INSERT OR IGNORE INTO main.${table} (${column}, digest, seq, lineage, epoch, issued)
          SELECT k.${column}, k.digest, k.seq, k.lineage, k.epoch, k.issued FROM temp.kept_${table} k
          WHERE EXISTS (SELECT 1 FROM main.${parent} p WHERE p.${key} = k.${column}) ORDER BY k.original`)
      }
    })
    putAsideByDb.set(db, found)
  }
  return found
}
