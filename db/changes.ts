/**
 * Change positions, and the "touch" that every mutation does to the resources it affects: a
 * contact whose memberships change gets a new source etag; a user group whose members
 * change gets a new etag. Each resource's latest change is at an ever-growing position: a
 * sync token is a position, and a sync lists the resources whose latest change is after it.
 *
 * Where the latest change is kept: a live contact's on its own row (`contacts.change_seq`,
 * written by the same statement that writes the contact); a group's, and a deleted
 * contact's tombstone, in the change log (`changes`, one row per resource). Used inside the
 * stores' transactions.
 */
import { lazily } from './lazy.js'
import type { Statement } from 'better-sqlite3'
import type { Db } from './database.js'
import type { ChangeStamp } from './model.js'

export type { ChangeStamp } from './model.js'

export type ResourceType = 'person' | 'contactGroup'

export interface ChangeRow { resource_id: string, seq: number, deleted: number }

/**
 * The last position handed out on a connection, shared by every store opened on it; read
 * from the database when unknown. Forgotten after a rollback and after the accounts are
 * replaced, so that the next position follows what is stored, as a new emulator's does.
 */
const lastPositions = new WeakMap<Db, Positions>()

/** The last position handed out, the current line of history (migration 016) and epoch (017); undefined: read again. */
interface Positions { last: number | undefined, lineage: number | undefined, epoch: number | undefined }

function positionsOf (db: Db): Positions {
  let p = lastPositions.get(db)
  if (p === undefined) {
    p = { last: undefined, lineage: undefined, epoch: undefined }
    lastPositions.set(db, p)
  }
  return p
}

/** The highest position the database holds, rows and the kept last one (SQL, for a statement of its own). */
export const HIGHEST_STORED = `max(coalesce((SELECT max(seq) FROM changes), 0), coalesce((SELECT max(change_seq) FROM contacts), 0),
  coalesce((SELECT max(seq) FROM other_contacts), 0), coalesce((SELECT max(seq) FROM directory_people), 0),
  coalesce((SELECT last_seq FROM totals), 0))`

/** The statement reading HIGHEST_STORED, prepared once per connection (when first needed: after the migrations). */
const highestStatements = new WeakMap<Db, Statement<[], number>>()

function highestStored (db: Db): number {
  let statement = highestStatements.get(db)
  if (statement === undefined) {
    statement = db.prepare<[], number>(`SELECT ${HIGHEST_STORED}`).pluck()
    highestStatements.set(db, statement)
  }
  return statement.get()!
}

/**
 * Makes the last position handed out known, from what the database holds, before a write
 * removes the row that may hold it: a contact deleted (its tombstone's position is taken after
 * the row is gone), an account replaced. Worked out after it, the highest position could be
 * handed out again, and a sync token taken at it would miss the change that reused it. Every
 * store's transaction begins with it (db/database.ts, immediateRunner).
 */
export function primePositions (db: Db): void {
  // Only a connection positions are handed out on (a Changes is made for it once the schema is current).
  if (!handingOut.has(db)) return
  const p = positionsOf(db)
  p.last ??= highestStored(db)
}

/** The connections a Changes hands out positions on. */
const handingOut = new WeakSet<Db>()

/** Makes the next change position be worked out again from what the database holds. */
export function forgetPositions (db: Db): void {
  const p = positionsOf(db)
  p.last = undefined
  p.lineage = undefined
  p.epoch = undefined
}

export class Changes {
  private readonly s
  private readonly positions: Positions

  constructor (private readonly db: Db) {
    // (HIGHEST_STORED reads tables of migrations 014 and 015: a database of an older schema —
    // one a migration's test opens — is not primed.)
    if ((db.pragma('user_version', { simple: true }) as number) >= 15) handingOut.add(db)
    this.positions = positionsOf(db)
    this.s = lazily({
      // Once per connection (and after a reset): a scan of the contacts' positions.
      // The resource's previous row goes; the new one is at the given (later) position.
      log: () => db.prepare(`INSERT OR REPLACE INTO changes (seq, account_id, resource_type, resource_id, deleted, change_time)
        VALUES (?, ?, ?, ?, ?, ?)`),
      dropTombstone: () => db.prepare("DELETE FROM changes WHERE account_id = ? AND resource_type = 'person' AND resource_id = ?"),
      touchGroup: () => db.prepare("UPDATE contact_groups SET etag = ?, update_time = ? WHERE account_id = ? AND id = ? AND group_type = 'USER_CONTACT_GROUP'"),
      touchContact: () => db.prepare('UPDATE contacts SET etag = ?, update_time = ?, change_seq = ? WHERE account_id = ? AND id = ?'),
      // Each one index read: changes_by_position and contacts_by_change.
      lastSeq: () => db.prepare<{ account: string }, number | null>(
        'SELECT max(coalesce((SELECT max(seq) FROM changes WHERE account_id = @account), 0), coalesce((SELECT max(change_seq) FROM contacts WHERE account_id = @account), 0))').pluck(),
      groupsSince: () => db.prepare<[string, number], ChangeRow>(
        "SELECT resource_id, seq, deleted FROM changes WHERE account_id = ? AND resource_type = 'contactGroup' AND seq > ? ORDER BY seq"),
      contactsSince: () => db.prepare<{ account: string, seq: number }, ChangeRow>(
        `SELECT id AS resource_id, change_seq AS seq, 0 AS deleted FROM contacts WHERE account_id = @account AND change_seq > @seq
         UNION ALL
         SELECT resource_id, seq, deleted FROM changes WHERE account_id = @account AND resource_type = 'person' AND seq > @seq
         ORDER BY seq`)
    })
  }

  /**
   * Once per connection (and after a reset): a scan of every position stored. Other contacts
   * and directory people take their positions from the same counter. Prepared on first use.
   */
  /** The position of a new change: after every position handed out before. */
  next (): number {
    this.positions.last = this.lastPosition() + 1
    return this.positions.last
  }

  /** The last position handed out: known on this connection, or the highest the database holds. */
  lastPosition (): number {
    primePositions(this.db)
    return this.positions.last ?? highestStored(this.db)
  }

  /** Statements of the lines of history (migration 016), prepared on first use. */
  private history?: { current: Statement<[], number>, epoch: Statement<[], number>, branch: Statement<[number], { parent: number, parent_seq: number }> }

  private historyStatements (): NonNullable<Changes['history']> {
    this.history ??= {
      current: this.db.prepare<[], number>('SELECT lineage FROM history WHERE id = 1').pluck(),
      epoch: this.db.prepare<[], number>('SELECT epoch FROM history WHERE id = 1').pluck(),
      branch: this.db.prepare<[number], { parent: number, parent_seq: number }>('SELECT parent, parent_seq FROM lineages WHERE id = ?')
    }
    return this.history
  }

  /** Whole resets so far (migration 017): which history a sync token handed out belongs to, with its line. */
  epoch (): number {
    this.positions.epoch ??= this.historyStatements().epoch.get() ?? 0
    return this.positions.epoch
  }

  /** The current line of history: 0 until a snapshot is restored (see migration 016). */
  lineage (): number {
    this.positions.lineage ??= this.historyStatements().current.get() ?? 0
    return this.positions.lineage
  }

  /**
   * Whether a sync token issued at position `seq` in line `lineage` can be used now: it was
   * issued in the current line, or in a line the current one branched from (through restores)
   * at a position no later than every branch on the way. A token from the part of a line that
   * a restore undid would miss changes: it is not valid.
   */
  validToken (lineage: number, seq: number): boolean {
    const s = this.historyStatements()
    let line = this.lineage()
    for (let hops = 0; hops < 10000; hops++) {
      if (line === lineage) return true
      const branch = s.branch.get(line)
      if (branch === undefined || seq > branch.parent_seq) return false
      line = branch.parent
    }
    return false
  }

  /** A group's change, or a contact's deletion, in the log. */
  log (accountId: string, type: ResourceType, id: string, deleted: boolean, stamp: ChangeStamp): void {
    this.s.log.run(this.next(), accountId, type, id, deleted ? 1 : 0, stamp.time)
  }

  /** A contact stored again under an id that was deleted: its tombstone goes. */
  dropTombstone (accountId: string, contactId: string): void {
    this.s.dropTombstone.run(accountId, contactId)
  }

  /** A user group's members changed: new etag and a log entry (system groups have no etag). */
  touchGroup (accountId: string, groupId: string, stamp: ChangeStamp): void {
    if (this.s.touchGroup.run(stamp.groupEtag(), stamp.time, accountId, groupId).changes > 0) {
      this.log(accountId, 'contactGroup', groupId, false, stamp)
    }
  }

  /** Touches every group a membership was added to or removed from. */
  touchGroupsBetween (accountId: string, before: readonly string[], after: readonly string[], stamp: ChangeStamp): void {
    for (const g of before) if (!after.includes(g)) this.touchGroup(accountId, g, stamp)
    for (const g of after) if (!before.includes(g)) this.touchGroup(accountId, g, stamp)
  }

  /** A contact changed without its data changing (its memberships): new etag, new position. */
  touchContact (accountId: string, contactId: string, stamp: ChangeStamp): void {
    this.s.touchContact.run(stamp.sourceEtag(), stamp.time, this.next(), accountId, contactId)
  }

  /** The position of the account's latest change (0 when none): what a sync token holds. */
  lastSeq (accountId: string): number {
    return this.s.lastSeq.get({ account: accountId }) ?? 0
  }

  /** Statements of pruning, prepared on first use (they name tables and columns of migrations 012–015). */
  private pruning?: ReturnType<Changes['preparePruning']>

  private preparePruning () {
    const db = this.db
    return {
      prunedSeq: db.prepare<[string], number>('SELECT tombstones_pruned_seq FROM accounts WHERE id = ?').pluck(),
      pruneOld: db.prepare('DELETE FROM changes WHERE deleted = 1 AND change_time < ?'),
      overCap: db.prepare<[number], { account_id: string }>('SELECT account_id FROM changes WHERE deleted = 1 GROUP BY account_id HAVING count(*) > ?'),
      capSeq: db.prepare<[string, number], number>('SELECT seq FROM changes WHERE account_id = ? AND deleted = 1 ORDER BY seq DESC LIMIT 1 OFFSET ?').pluck(),
      pruneUpTo: db.prepare('DELETE FROM changes WHERE account_id = ? AND deleted = 1 AND seq <= ?'),
      markPruned: db.prepare('UPDATE accounts SET tombstones_pruned_seq = max(tombstones_pruned_seq, ?) WHERE id = ?'),
      // Removed other contacts and directory people stay as rows of their own tables.
      pruneOldOthers: db.prepare('DELETE FROM other_contacts WHERE deleted = 1 AND update_time < ?'),
      pruneOldDirectory: db.prepare('DELETE FROM directory_people WHERE deleted = 1 AND update_time < ?'),
      // The last position handed out, kept before the tombstones that may hold it go.
      keepLast: db.prepare('UPDATE totals SET last_seq = max(last_seq, ?)')
    }
  }

  /**
   * The position of the newest tombstone of the account pruned by number (0: none): a sync
   * token from before it would miss deletions.
   */
  prunedSeq (accountId: string): number {
    this.pruning ??= this.preparePruning()
    return this.pruning.prunedSeq.get(accountId) ?? 0
  }

  /**
   * Prunes tombstones — of contacts and groups, other contacts and directory people: every one
   * whose change time is before `before` (no sync token that is still valid can need it), and
   * in an account with more than `cap` contact and group tombstones, the oldest beyond it
   * (noting the position, so that older sync tokens are expired). The last position handed
   * out is kept in the database first: a pruned tombstone may have held it, and a position is
   * never handed out twice, even after a restart. One transaction; returns how many went.
   */
  pruneTombstones (before: string, cap: number): number {
    const p = this.pruning ??= this.preparePruning()
    return this.db.transaction(() => {
      p.keepLast.run(this.lastPosition())
      let removed = p.pruneOld.run(before).changes + p.pruneOldOthers.run(before).changes + p.pruneOldDirectory.run(before).changes
      for (const { account_id: account } of p.overCap.all(cap)) {
        const upTo = p.capSeq.get(account, cap)
        if (upTo === undefined) continue
        removed += p.pruneUpTo.run(account, upTo).changes
        p.markPruned.run(upTo, account)
      }
      return removed
    }).immediate()
  }

  /** Resources of a type whose latest change is after `seq`, oldest change first. */
  since (accountId: string, type: ResourceType, seq: number): ChangeRow[] {
    return type === 'person' ? this.s.contactsSince.all({ account: accountId, seq }) : this.s.groupsSince.all(accountId, seq)
  }
}
