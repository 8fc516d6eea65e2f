/**
 * Listing people who are not the account's contacts (other contacts, the directory): a page at a
 * time in the order they were stored, or — with a sync token — only what changed since, removed
 * ones as tombstones. Page tokens are keyset cursors (or offsets into a sync's changes) bound to
 * the request's parameters; sync tokens are change positions that expire after 7 days of
 * emulator time (src/tokens.ts), as connections.list's.
 */
import type { FastifyRequest } from 'fastify'
import type { OtherPeopleStore, OtherSourceType, StoredOtherPerson } from '../../db/other-people-store.js'
import { isOffset, issuedPageToken, pageToken, readIssuedPageToken, readPageToken, readSyncToken, syncToken, type SyncScope } from '../../src/tokens.js'
import { given } from './common.js'

export interface OtherListing {
  store: OtherPeopleStore
  /** The account (other contacts) or the domain (directory). */
  owner: string
  types: readonly OtherSourceType[]
  size: number
  /** The hash of every parameter a page token is bound to. */
  pageParams: string
  /** What a sync token is bound to. */
  scope: SyncScope
  /** The response's field of people: `otherContacts` or `people`. */
  key: string
  /** The response's count field, if the method has one (`totalSize`). */
  totalKey?: string
  render: (person: StoredOtherPerson) => Record<string, unknown>
  renderDeleted: (p: { id: string, sourceType: OtherSourceType }) => Record<string, unknown>
}

export function listOtherPeople (request: FastifyRequest, l: OtherListing): Record<string, unknown> {
  const api = request.api
  const sync = given(api.syncToken)
  const wantsSyncToken = api.requestSyncToken === true || sync !== undefined
  const token = given(api.pageToken)
  const now = request.server.clock.nowMicros()
  const out: Record<string, unknown> = {}
  let upTo: number
  let last: boolean
  if (sync !== undefined) {
    const since = readSyncToken(sync, now, l.scope)
    const page = token === undefined ? undefined : readIssuedPageToken(token, l.pageParams, isOffset, l.scope)
    upTo = page?.syncSeq ?? l.store.lastSeq(l.owner)
    const offset = page?.cursor ?? 0
    const changes = l.store.changedSince(l.owner, l.types, since, upTo)
    const shown = changes.slice(offset, offset + l.size).map(c => c.person ? l.render(c.person) : l.renderDeleted(c))
    if (shown.length > 0) out[l.key] = shown
    last = offset + l.size >= changes.length
    if (!last) out.nextPageToken = issuedPageToken(offset + l.size, l.pageParams, upTo, l.scope)
    if (l.totalKey !== undefined && changes.length > 0) out[l.totalKey] = changes.length
  } else {
    const page = token === undefined ? undefined : wantsSyncToken ? readIssuedPageToken(token, l.pageParams, isOffset, l.scope) : readPageToken(token, l.pageParams, isOffset)
    upTo = page?.syncSeq ?? l.store.lastSeq(l.owner)
    // One more than a page tells whether another page follows.
    const rows = l.store.page(l.owner, l.types, page?.cursor ?? 0, l.size + 1)
    const shown = rows.slice(0, l.size)
    if (shown.length > 0) out[l.key] = shown.map(r => l.render(r.person))
    last = rows.length <= l.size
    if (!last) out.nextPageToken = wantsSyncToken ? issuedPageToken(shown[shown.length - 1]!.rowid, l.pageParams, upTo, l.scope) : pageToken(shown[shown.length - 1]!.rowid, l.pageParams, upTo)
    if (l.totalKey !== undefined) {
      const total = l.store.count(l.owner, l.types)
      if (total > 0) out[l.totalKey] = total
    }
  }
  if (last && wantsSyncToken) out.nextSyncToken = syncToken(upTo, now, l.scope)
  return out
}
