import t, { type Test } from 'tap'
import { list, type ListingRequest, type ListingSource } from '../src/sync/listing.js'
import { isOffset, paramsHash, type SyncScope } from '../src/tokens.js'
import { ApiError } from '../src/errors.js'

/** A store of one owner's items in memory: each write is a change at the next position. */
class Store {
  seq = 0
  readonly rows = new Map<string, { id: string, seq: number }>()
  readonly log: Array<{ id: string, seq: number, deleted: boolean }> = []
  put (id: string): void { this.seq++; this.rows.set(id, { id, seq: this.seq }); this.log.push({ id, seq: this.seq, deleted: false }) }
  remove (id: string): void { this.seq++; this.rows.delete(id); this.log.push({ id, seq: this.seq, deleted: true }) }
  /** In name order; the cursor is the last name shown. */
  source (counted = true): ListingSource<string, { id: string, deleted: boolean }, string, string> {
    return {
      lastSeq: () => this.seq,
      changedSince: (since, upTo) => {
        // The latest change of each item in the range, in position order.
        const latest = new Map<string, { id: string, seq: number, deleted: boolean }>()
        for (const c of this.log) if (c.seq > since && c.seq <= upTo) { latest.delete(c.id); latest.set(c.id, c) }
        return [...latest.values()]
      },
      showChange: c => c.deleted ? `-${c.id}` : `~${c.id}`,
      page: (cursor, limit) => [...this.rows.keys()].sort().filter(id => cursor === undefined || id > cursor).slice(0, limit),
      cursorOf: id => id,
      isCursor: (c): c is string => typeof c === 'string',
      showRow: id => id,
      ...(counted ? { count: () => this.rows.size } : {})
    }
  }
}

function clock (): () => bigint {
  let now = 1_000_000n
  return () => ++now
}

function request (over: Partial<ListingRequest> & { issued?: Set<string> } = {}): ListingRequest {
  const issued = over.issued ?? new Set<string>()
  const scope: SyncScope = { resource: 'things', account: 'created-1', params: 'p', issued: { has: tok => issued.has(tok), add: tok => { issued.add(tok) } } }
  return { size: 2, requestSyncToken: false, pageParams: paramsHash({ size: 2 }), scope, now: clock(), ...over }
}

function apiError (t: Test, fn: () => unknown, status: string, message: RegExp): void {
  try {
    fn()
    t.fail('expected an ApiError')
  } catch (err) {
    t.ok(err instanceof ApiError, 'an ApiError')
    t.equal((err as ApiError).status, status)
    t.match((err as ApiError).message, message)
  }
}

t.test('page mode: pages in the source order, a total, page tokens until the last page, no sync token unless asked', async t => {
  const store = new Store()
  for (const id of ['d', 'b', 'e', 'a', 'c']) store.put(id)
  const first = list(request(), store.source())
  t.same(first.items, ['a', 'b'])
  t.equal(first.total, 5)
  t.type(first.nextPageToken, 'string')
  t.equal(first.nextSyncToken, undefined)
  const second = list(request({ pageToken: first.nextPageToken }), store.source())
  t.same(second.items, ['c', 'd'])
  const third = list(request({ pageToken: second.nextPageToken }), store.source())
  t.same(third.items, ['e'])
  t.equal(third.nextPageToken, undefined, 'the last page hands on no page token')
  t.equal(third.nextSyncToken, undefined)
  t.equal(list(request(), store.source(false)).total, undefined, 'no count: no total')
})

t.test('an empty listing is one page with nothing, and a sync token when asked', async t => {
  const store = new Store()
  const out = list(request({ requestSyncToken: true }), store.source())
  t.same(out.items, [])
  t.equal(out.total, 0)
  t.equal(out.nextPageToken, undefined)
  t.type(out.nextSyncToken, 'string')
})

t.test('a page token is bound to the parameters; from other parameters or not ours it is a 400', async t => {
  const store = new Store()
  for (const id of ['a', 'b', 'c']) store.put(id)
  const first = list(request(), store.source())
  apiError(t, () => list(request({ pageToken: first.nextPageToken, pageParams: paramsHash({ size: 3 }) }), store.source()), 'INVALID_ARGUMENT', /Page token is invalid/)
  apiError(t, () => list(request({ pageToken: 'not-a-token' }), store.source()), 'INVALID_ARGUMENT', /Page token is invalid/)
})

t.test('the listing stands on the position of its first page: its sync token misses nothing written while it paged', async t => {
  const store = new Store()
  const issued = new Set<string>()
  for (const id of ['a', 'b', 'c']) store.put(id)
  const first = list(request({ requestSyncToken: true, issued }), store.source())
  t.ok(issued.has(first.nextPageToken!), 'a page token of a listing that ends with a sync token is registered')
  store.put('z') // written while the client pages
  const last = list(request({ requestSyncToken: true, issued, pageToken: first.nextPageToken }), store.source())
  t.same(last.items, ['c', 'z'], 'the page shows what is there now')
  const sync = list(request({ syncToken: last.nextSyncToken, issued }), store.source())
  t.same(sync.items, ['~z'], 'and the sync token, standing on the first page, lists z')
  t.equal(sync.total, 1)
})

t.test('a page token of a listing that ends with a sync token must have been handed out', async t => {
  const store = new Store()
  for (const id of ['a', 'b', 'c']) store.put(id)
  const first = list(request({ requestSyncToken: true }), store.source())
  apiError(t, () => list(request({ requestSyncToken: true, pageToken: first.nextPageToken }), store.source()), 'INVALID_ARGUMENT', /Page token is invalid/)
})

t.test('sync mode: the changes since the token in order, tombstones, paged by offset, a new sync token on the last page', async t => {
  const store = new Store()
  const issued = new Set<string>()
  store.put('a')
  const start = list(request({ requestSyncToken: true, issued }), store.source())
  store.put('b'); store.put('c'); store.remove('a'); store.put('b')
  const p1 = list(request({ syncToken: start.nextSyncToken, issued }), store.source())
  t.same(p1.items, ['~c', '-a'], 'each item once, at its latest change')
  t.equal(p1.total, 3)
  t.equal(p1.nextSyncToken, undefined)
  t.ok(issued.has(p1.nextPageToken!))
  store.put('d') // after the first page: not in this sync
  const p2 = list(request({ syncToken: start.nextSyncToken, pageToken: p1.nextPageToken, issued }), store.source())
  t.same(p2.items, ['~b'])
  t.equal(p2.nextPageToken, undefined)
  const next = list(request({ syncToken: p2.nextSyncToken, issued }), store.source())
  t.same(next.items, ['~d'], 'the next sync starts where the listing stood')
  const none = list(request({ syncToken: next.nextSyncToken, issued }), store.source())
  t.same(none.items, [])
  t.equal(none.total, 0)
  t.type(none.nextSyncToken, 'string')
})

t.test('a sync token not handed out, from other parameters, too old, or older than the pruned tombstones is refused', async t => {
  const store = new Store()
  const issued = new Set<string>()
  store.put('a')
  const token = list(request({ requestSyncToken: true, issued }), store.source()).nextSyncToken!
  apiError(t, () => list(request({ syncToken: token }), store.source()), 'FAILED_PRECONDITION', /Sync token is expired/)
  const other = request({ issued })
  other.scope = { ...other.scope, params: 'q', paramNames: 'q' }
  apiError(t, () => list({ ...other, syncToken: token }, store.source()), 'INVALID_ARGUMENT', /different parameters: q must match/)
  const later = (): bigint => 1_000_000n + 8n * 24n * 3600n * 1000000n
  apiError(t, () => list(request({ syncToken: token, issued, now: later }), store.source()), 'FAILED_PRECONDITION', /Sync token is expired/)
  store.put('b')
  apiError(t, () => list(request({ syncToken: token, issued }), { ...store.source(), prunedSeq: () => 2 }), 'FAILED_PRECONDITION', /Sync token is expired/)
  t.same(list(request({ syncToken: token, issued }), { ...store.source(), prunedSeq: () => 1 }).items, ['~b'], 'pruned up to its own position: still good')
  apiError(t, () => list(request({ syncToken: 'nonsense', issued }), store.source()), 'INVALID_ARGUMENT', /Sync token is invalid/)
})

t.test('offset cursors (a store listed by position) page the same way', async t => {
  const items = ['g1', 'g2', 'g3']
  const source: ListingSource<{ item: string, next: number }, never, number, string> = {
    lastSeq: () => 0,
    changedSince: () => [],
    showChange: c => c,
    page: (offset = 0, limit) => items.slice(offset, offset + limit).map((item, i) => ({ item, next: offset + i + 1 })),
    cursorOf: row => row.next,
    isCursor: isOffset,
    showRow: row => row.item,
    count: () => items.length
  }
  const first = list(request({ requestSyncToken: true }), source)
  t.same(first.items, ['g1', 'g2'])
  apiError(t, () => list(request({ requestSyncToken: true, pageToken: Buffer.from(JSON.stringify({ k: 'page', c: -1, p: paramsHash({ size: 2 }) })).toString('base64url') }), source), 'INVALID_ARGUMENT', /Page token is invalid/)
})

t.test('with two bad tokens, the sync token is checked first — or the page token, for a listing that says so', async t => {
  const store = new Store()
  store.put('a')
  const badSync = list(request({ requestSyncToken: true }), store.source()).nextSyncToken! // never registered in this history
  apiError(t, () => list(request({ syncToken: badSync, pageToken: 'not-a-token' }), store.source()), 'FAILED_PRECONDITION', /Sync token is expired/)
  apiError(t, () => list(request({ syncToken: badSync, pageToken: 'not-a-token', pageTokenFirst: true }), store.source()), 'INVALID_ARGUMENT', /Page token is invalid/)
})
