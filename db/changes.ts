/**
 * The change log and the "touch" that every mutation does to the resources it affects: a
 * contact whose memberships change gets a new source etag; a user group whose members
 * change gets a new etag; each such change is written to the log that sync tokens read.
 * The log holds each resource's latest change only, at an ever-growing position: a sync
 * token is a position, and a sync lists the resources whose latest change is after it.
 * Used inside the stores' transactions.
 */
import type { Db } from './database.js'

/** What a mutation needs to stamp a change: its time and fresh etags. */
export interface ChangeStamp {
  time: string
  groupEtag: () => string
  sourceEtag: () => string
}

export type ResourceType = 'person' | 'contactGroup'

export interface ChangeRow { resource_id: string, seq: number, deleted: number }

export class Changes {
  private readonly s

  constructor (db: Db) {
    this.s = {
      // The resource's previous row goes; the new one takes the position after the last
      // (worked out before the old row is removed, so positions only ever grow).
      log: db.prepare(`INSERT OR REPLACE INTO changes (seq, account_id, resource_type, resource_id, deleted, change_time)
        VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM changes), ?, ?, ?, ?, ?)`),
      touchGroup: db.prepare("UPDATE contact_groups SET etag = ?, update_time = ? WHERE account_id = ? AND id = ? AND group_type = 'USER_CONTACT_GROUP'"),
      touchContact: db.prepare('UPDATE contacts SET etag = ?, update_time = ? WHERE account_id = ? AND id = ?'),
      lastSeq: db.prepare<[string], { seq: number | null }>('SELECT max(seq) AS seq FROM changes WHERE account_id = ?'),
      since: db.prepare<[string, ResourceType, number], ChangeRow>(
        'SELECT resource_id, seq, deleted FROM changes WHERE account_id = ? AND resource_type = ? AND seq > ? ORDER BY seq')
    }
  }

  log (accountId: string, type: ResourceType, id: string, deleted: boolean, stamp: ChangeStamp): void {
    this.s.log.run(accountId, type, id, deleted ? 1 : 0, stamp.time)
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

  /** A contact changed without its data changing (its memberships): new etag and a log entry. */
  touchContact (accountId: string, contactId: string, stamp: ChangeStamp): void {
    this.s.touchContact.run(stamp.sourceEtag(), stamp.time, accountId, contactId)
    this.log(accountId, 'person', contactId, false, stamp)
  }

  /** The position of the account's latest change (0 when none): what a sync token holds. */
  lastSeq (accountId: string): number {
    return this.s.lastSeq.get(accountId)?.seq ?? 0
  }

  /** Resources of a type whose latest change is after `seq`, oldest change first. */
  since (accountId: string, type: ResourceType, seq: number): ChangeRow[] {
    return this.s.since.all(accountId, type, seq)
  }
}
