/**
 * The one listing algorithm of the API: connections.list, contactGroups.list,
 * otherContacts.list and people.listDirectoryPeople all list this way.
 *
 * - **Page mode** (no sync token): the rows in the store's order, a page at a time. A page token
 *   is a cursor (keyset or offset, the store's choice) bound to the request's parameters; one
 *   more row than a page is read to tell whether another page follows.
 * - **Sync mode** (a sync token): the changes after the token's position, deleted items as
 *   tombstones, paged by offset into that list.
 *
 * Every page of a listing stands on the change position its first page saw (`upTo`, carried
 * in its page tokens): the sync token its last page hands out is that position, so nothing
 * written while a client pages is missed by its next sync. A listing that ends with a sync token
 * registers its page tokens as it registers sync tokens (src/tokens.ts, issuedPageToken).
 *
 * The caller reads the parameters and renders; the stores are reached through `ListingSource`.
 */
import { isOffset, issuedPageToken, pageToken, readIssuedPageToken, readPageToken, readSyncToken, syncToken, type SyncScope } from '../tokens.js'

/** What a listing request asks for, its parameters already read and checked. */
export interface ListingRequest {
  /** The page size, already defaulted and bounded. */
  size: number
  pageToken?: string | undefined
  syncToken?: string | undefined
  /** `requestSyncToken`, or true for a method whose every listing ends with a sync token. */
  requestSyncToken: boolean
  /** The hash of every parameter a page token is bound to (src/tokens.ts paramsHash). */
  pageParams: string
  /** What a sync token is bound to. */
  scope: SyncScope
  /**
   * Whether a page token is checked before the sync token it comes with (contactGroups.list, as
   * it always has); the others check the sync token first. It decides which 400 a request with
   * two bad tokens gets.
   */
  pageTokenFirst?: boolean
  /** The emulator's time (read when needed: a fixed clock ticks at each reading), for a sync token's age and the one handed out. */
  now: () => bigint
}

/** How the listing reaches one owner's rows and changes (an account's contacts, a domain's directory…). */
export interface ListingSource<Row, Change, Cursor, Item> {
  /** The owner's last change position. */
  lastSeq: () => number
  /** Where the owner's tombstones were pruned up to (a sync token from before it is expired); none when never pruned. */
  prunedSeq?: () => number
  /** The changes after `since` up to `upTo`, in order, deletions included. */
  changedSince: (since: number, upTo: number) => readonly Change[]
  showChange: (change: Change) => Item
  /** At most `limit` rows after `cursor` (from the first when undefined), in the listing's order. */
  page: (cursor: Cursor | undefined, limit: number) => readonly Row[]
  /** The cursor a page that ends with `row` hands on. */
  cursorOf: (row: Row) => Cursor
  /** Whether a page token's cursor has this listing's shape. */
  isCursor: (c: unknown) => c is Cursor
  showRow: (row: Row) => Item
  /** How many rows the owner has, when the method answers a total in page mode. */
  count?: () => number
}

export interface ListingPage<Item> {
  items: Item[]
  /** Page mode: count() (undefined without one); sync mode: the number of changes listed. */
  total: number | undefined
  nextPageToken?: string
  /** On the last page of a listing that asked for one. */
  nextSyncToken?: string
}

export function list<Row, Change, Cursor, Item> (request: ListingRequest, source: ListingSource<Row, Change, Cursor, Item>): ListingPage<Item> {
  const { size, pageParams, scope } = request
  const wantsSyncToken = request.requestSyncToken || request.syncToken !== undefined
  let upTo: number
  let out: ListingPage<Item>
  if (request.syncToken !== undefined) {
    const readPage = (): { cursor: number, syncSeq: number | undefined } | undefined =>
      request.pageToken === undefined ? undefined : readIssuedPageToken(request.pageToken, pageParams, isOffset, scope)
    const first = request.pageTokenFirst === true ? readPage() : undefined
    const prunedSeq = source.prunedSeq?.()
    const since = readSyncToken(request.syncToken, request.now(), prunedSeq === undefined ? scope : { ...scope, prunedSeq })
    const page = request.pageTokenFirst === true ? first : readPage()
    upTo = page?.syncSeq ?? source.lastSeq()
    const offset = page?.cursor ?? 0
    const changes = source.changedSince(since, upTo)
    out = { items: changes.slice(offset, offset + size).map(source.showChange), total: changes.length }
    if (offset + size < changes.length) out.nextPageToken = issuedPageToken(offset + size, pageParams, upTo, scope)
  } else {
    const page = request.pageToken === undefined
      ? undefined
      : wantsSyncToken ? readIssuedPageToken(request.pageToken, pageParams, source.isCursor, scope) : readPageToken(request.pageToken, pageParams, source.isCursor)
    upTo = page?.syncSeq ?? source.lastSeq()
    // One more than a page tells whether another page follows.
    const rows = source.page(page?.cursor, size + 1)
    const shown = rows.slice(0, size)
    out = { items: shown.map(source.showRow), total: source.count?.() }
    if (rows.length > size) {
      const cursor = source.cursorOf(shown[shown.length - 1]!)
      out.nextPageToken = wantsSyncToken ? issuedPageToken(cursor, pageParams, upTo, scope) : pageToken(cursor, pageParams, upTo)
    }
  }
  if (out.nextPageToken === undefined && wantsSyncToken) out.nextSyncToken = syncToken(upTo, request.now(), scope)
  return out
}
