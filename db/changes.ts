/**
 * The change log and the "touch" that every mutation does to the resources it affects: a
 * contact whose memberships change gets a new source etag; a user group whose members
 * change gets a new etag; each such change is appended to the log that sync tokens read.
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
      log: db.prepare('INSERT INTO changes (account_id, resource_type, resource_id, deleted, change_time) VALUES (?, ?, ?, ?, ?)'),
      touchGroup: db.prepare("UPDATE contact_groups SET etag = ?, update_time = ? WHERE account_id = ? AND id = ? AND group_type = 'USER_CONTACT_GROUP'"),
      touchContact: db.prepare('UPDATE contacts SET etag = ?, update_time = ? WHERE account_id = ? AND id = ?'),
      lastSeq: db.prepare<[string], { seq: number | null }>('SELECT max(seq) AS seq FROM changes WHERE account_id = ?'),
      since: db.prepare<[string, ResourceType, number], ChangeRow>(
        'SELECT resource_id, max(seq) AS seq, deleted FROM changes WHERE account_id = ? AND resource_type = ? AND seq > ? GROUP BY resource_id ORDER BY seq')
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

  /** Resources of a type changed after `seq`, each once, with its latest change, oldest first. */
  since (accountId: string, type: ResourceType, seq: number): ChangeRow[] {
    return this.s.since.all(accountId, type, seq)
  }
}
