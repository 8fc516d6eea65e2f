/**
 * Page tokens and sync tokens. Both are opaque to clients (base64url of a small JSON record)
 * and carry what is needed to check them: a page token the hash of the request's other
 * parameters (a page token used with different parameters is a 400, as on Google), a sync
 * token the change-log position and the emulator time it was issued at (it expires after
 * 7 days of emulator time).
 */
import { createHash } from 'node:crypto'
import { ApiError, ERROR_INFO, failedPrecondition, invalidArgument } from './errors.js'

/** Sync tokens older than this are expired (documented: 7 days). */
export const SYNC_TOKEN_LIFETIME_MICROS = 7n * 24n * 3600n * 1000000n

/** `c`: where the next page starts (an offset, or a keyset cursor); `p`: the parameters' hash; `s`: the change-log position of the listing. */
interface PageRecord { k: 'page', c: unknown, p: string, s?: number }
/**
 * `s`: the change-log position; `t`: when it was issued (emulator time); `r`: the listing;
 * `a`: the account's creation (a token outlives no reset of its account); `p`: the parameters' hash;
 * `h`: the line of history it was issued in, when not the first (snapshots restored: migration 016).
 */
interface SyncRecord { k: 'sync', s: number, t: string, r: string, a: string, p?: string, h?: number }

function encode (record: PageRecord | SyncRecord): string {
  return Buffer.from(JSON.stringify(record)).toString('base64url')
}

function decode (token: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/** A short hash of the parameters a page or sync token is bound to. */
export function paramsHash (params: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(params)).digest('base64url').slice(0, 16)
}

export function pageToken (cursor: unknown, params: string, syncSeq?: number): string {
  return encode(syncSeq === undefined ? { k: 'page', c: cursor, p: params } : { k: 'page', c: cursor, p: params, s: syncSeq })
}

export function invalidPageToken (): ApiError {
  return invalidArgument('Page token is invalid or was issued for a request with different parameters.')
}

/**
 * The cursor and the change-log position a page token holds; `isCursor` checks the cursor's
 * shape. A token that is not ours, or was issued for other parameters, is a 400.
 */
export function readPageToken<C> (token: string, params: string, isCursor: (c: unknown) => c is C): { cursor: C, syncSeq: number | undefined } {
  const r = decode(token)
  if (!r || r.k !== 'page' || r.p !== params || !isCursor(r.c) || (r.s !== undefined && !Number.isSafeInteger(r.s))) throw invalidPageToken()
  return { cursor: r.c, syncSeq: r.s as number | undefined }
}

export const isOffset = (c: unknown): c is number => Number.isSafeInteger(c) && (c as number) >= 0

/**
 * A page token of a listing that ends with a sync token: it carries the position that token
 * will stand on, so it is handed out as sync tokens are (SyncScope.issued) — a page token from
 * another history (before a whole reset, say, with the same bytes) is refused, not continued.
 */
export function issuedPageToken (cursor: unknown, params: string, syncSeq: number, scope: SyncScope): string {
  const token = pageToken(cursor, params, syncSeq)
  scope.issued?.add(token, syncSeq)
  return token
}

/** readPageToken, for a page token issuedPageToken handed out: one this history did not is a 400. */
export function readIssuedPageToken<C> (token: string, params: string, isCursor: (c: unknown) => c is C, scope: SyncScope): { cursor: C, syncSeq: number | undefined } {
  const page = readPageToken(token, params, isCursor)
  if (scope.issued !== undefined && !scope.issued.has(token)) throw invalidPageToken()
  return page
}

export interface SyncScope {
  /** The listing: `connections` or `contactGroups`. */
  resource: string
  /** When the account was created. */
  account: string
  /** The hash of the parameters the token is bound to, if any. */
  params?: string
  /**
   * The account was declared (fixtures, an import): what it holds was stored whole, at no
   * position of its own, so a token taken before it existed has not seen it (is expired).
   */
  declared?: boolean
  /** Where the account's tombstones were pruned up to: a token from before it is expired. */
  prunedSeq?: number
  /** The parameters `params` covers, for the message of a mismatch (`personFields, sortOrder and sources`). */
  paramNames?: string
  /** The lines of history restores made (db/changes.ts): a token from a part of history a restore undid is expired. */
  history?: { lineage: () => number, validToken: (lineage: number, seq: number) => boolean }
  /**
   * The tokens handed out in this history (db/sync-tokens.ts): one it did not issue — from before
   * a reset or an import of its account, from a history a restore left — is expired.
   */
  issued?: { has: (token: string) => boolean, add: (token: string, seq: number) => void }
}

export function syncToken (seq: number, issuedMicros: bigint, scope: SyncScope): string {
  const record: SyncRecord = { k: 'sync', s: seq, t: issuedMicros.toString(), r: scope.resource, a: paramsHash({ created: scope.account }) }
  if (scope.params !== undefined) record.p = scope.params
  const lineage = scope.history?.lineage() ?? 0
  if (lineage !== 0) record.h = lineage
  const token = encode(record)
  scope.issued?.add(token, seq)
  return token
}

export function expiredSyncToken (): ApiError {
  return failedPrecondition('Sync token is expired. Clear local cache and retry call without the sync token.', {
    details: [{ '@type': ERROR_INFO, reason: 'EXPIRED_SYNC_TOKEN', domain: 'people.googleapis.com' }]
  })
}

/**
 * The change-log position a sync token holds; 400 when it is not one (or was issued for
 * other parameters), 400 FAILED_PRECONDITION when expired.
 */
export function readSyncToken (token: string, nowMicros: bigint, scope: SyncScope): number {
  const r = decode(token)
  if (!r || r.k !== 'sync' || r.r !== scope.resource || !Number.isSafeInteger(r.s) || typeof r.t !== 'string' || !/^\d+$/.test(r.t)) {
    throw invalidArgument('Sync token is invalid.')
  }
  // The account was reset (or deleted and created again) since: its history is not the token's.
  // A token issued before the account was stored (it had no history) holds position 0: every
  // change since is news to it, whatever the account has been through — as long as the account
  // was then stored by its own writes, each at a position of its own. One declared since (an
  // import) holds contents at no position: the token would list none of them.
  const beforeStored = r.a === paramsHash({ created: '' }) && r.s === 0 && scope.declared !== true
  if (r.a !== paramsHash({ created: scope.account }) && !beforeStored) throw expiredSyncToken()
  if (r.p !== scope.params) throw invalidArgument(`Sync token was issued for a request with different parameters: ${scope.paramNames ?? 'its parameters'} must match the request that asked for it.`)
  if (nowMicros - BigInt(r.t) > SYNC_TOKEN_LIFETIME_MICROS) throw expiredSyncToken()
  // Deletions it would have to list are no longer kept.
  if ((r.s as number) < (scope.prunedSeq ?? 0)) throw expiredSyncToken()
  // A snapshot restored since undid changes it has seen.
  const lineage = r.h === undefined ? 0 : r.h
  if (!Number.isSafeInteger(lineage)) throw invalidArgument('Sync token is invalid.')
  if (scope.history !== undefined && !scope.history.validToken(lineage as number, r.s as number)) throw expiredSyncToken()
  // Not handed out in this history: its bytes may be those of a token of the new one (a
  // deterministic run after a reset), its history is not.
  if (!beforeStored && scope.issued !== undefined && !scope.issued.has(token)) throw expiredSyncToken()
  return r.s as number
}
