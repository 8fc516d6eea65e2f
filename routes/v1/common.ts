/** What the handlers of every resource share: reading parameters, page sizes, batch entries. */
import type { FastifyRequest } from 'fastify'
import { ApiError, invalidArgument, storageFull } from '../../src/errors.js'
import type { Status } from '../../src/schemas/generated.js'
import { baseUrl } from '../../src/http.js'
import type { RenderContext } from '../../src/people/render.js'
import { formatTime } from '../../src/clock.js'
import type { SyncScope } from '../../src/tokens.js'
import type { TokenOwner } from '../../db/sync-tokens.js'
import type { ApiRequest } from './index.js'
import type { MethodId } from '../../src/generated/contract.js'

/** A string parameter that is present and not empty (an empty one counts as absent). */
export function given (value: string | undefined): string | undefined {
  return value === '' ? undefined : value
}

/**
 * The sync tokens handed out to an account (or a domain's directory), for a listing's SyncScope;
 * undefined for an account not stored yet: its tokens are at position 0, good in any history.
 */
export function issuedTokens (request: FastifyRequest, kind: TokenOwner, owner: string): SyncScope['issued'] {
  if (kind === 'account' && request.account?.stored !== true) return undefined
  const { syncTokens, changes, clock } = request.server
  return {
    has: token => syncTokens.issued(kind, owner, token),
    add: (token, seq) => { syncTokens.issue(kind, owner, token, { seq, lineage: changes.lineage(), epoch: changes.epoch(), time: formatTime(clock.peek()) }) }
  }
}

/**
 * `task` on the request's account, stored first if it is not yet (a new token's first write
 * stores it); a task that fails takes a just-stored account away again, so that a refused
 * request leaves nothing behind.
 */
function onStoredAccount<T> (request: ApiRequest<MethodId>, task: () => T, grows: boolean): T {
  // A write that adds data, once the database holds what --max-storage allows: 429.
  if (grows && request.server.storageBudget.full()) throw storageFull(request.server.config.maxStorageMiB)
  const undo = request.server.ensureAccount(request)
  if (undo === undefined) return task()
  try {
    return task()
  } catch (err) {
    undo()
    throw err
  }
}

/**
 * Runs a (synchronous) mutation of the request's account in the account's queue
 * (MutationQueue.run). `grows: false` for one that only removes (a delete): it runs even when
 * the storage is full.
 */
export async function mutation<T> (request: ApiRequest<MethodId>, task: () => T, grows = true): Promise<T> {
  return await request.server.mutations.run(request.account.id, () => onStoredAccount(request, task, grows))
}

/** mutation() without a promise when nothing of the account is queued (MutationQueue.runSync). */
export function mutationSync<T> (request: ApiRequest<MethodId>, task: () => T): T | Promise<T> {
  return request.server.mutations.runSync(request.account.id, () => onStoredAccount(request, task, true))
}

/**
 * `answer` applied to a result that may still be coming (MutationQueue.runSync): at once for a
 * value, when it settles for a promise, so that a handler returns a promise only when it waits.
 */
export function answerWith<T, U> (result: T | Promise<T>, answer: (value: T) => U): U | Promise<U> {
  return result instanceof Promise ? result.then(answer) : answer(result)
}

/** A list's page size: 0 or absent means the default; outside 1…max is 400 (chosen message). */
export function pageSize (requested: number | undefined, defaultSize: number, max: number): number {
  const n = requested ?? 0
  if (n < 0 || n > max) throw invalidArgument(`pageSize must be between 1 and ${max}.`)
  return n === 0 ? defaultSize : n
}

/** The entry of a batch read for a name whose read failed: its status (PersonResponse, ContactGroupResponse). */
export interface FailedEntry { requestedResourceName: string, status: Status }

/**
 * The entries of a batch read: what `read` makes of each requested name, or the status of the
 * error it throws — one failing name never fails the batch.
 */
export function batchEntries<E> (names: readonly string[], read: (name: string) => E): Array<E | FailedEntry> {
  return names.map(name => {
    try {
      return read(name)
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      return { requestedResourceName: name, status: err.toStatus() }
    }
  })
}

/**
 * How a request's people are rendered: at the emulator's address as the client reached it,
 * reusing the emulator's renderings of the request's account — except for a contact just
 * written (`written`), whose rendering no later read would reuse.
 */
export function renderContext (request: ApiRequest<MethodId>, written = false): RenderContext {
  return written
    ? { baseUrl: baseUrl(request), written: true }
    : { baseUrl: baseUrl(request), cache: request.server.renderings, accountId: request.account.id }
}
