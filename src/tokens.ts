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

interface PageRecord { k: 'page', o: number, p: string, s?: number }
interface SyncRecord { k: 'sync', s: number, t: string, r: string }

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

export function pageToken (offset: number, params: string, syncSeq?: number): string {
  return encode(syncSeq === undefined ? { k: 'page', o: offset, p: params } : { k: 'page', o: offset, p: params, s: syncSeq })
}

export function invalidPageToken (): ApiError {
  return invalidArgument('Page token is invalid or was issued for a request with different parameters.')
}

/** The offset and (for incremental lists) the sync position a page token holds. */
export function readPageToken (token: string, params: string): { offset: number, syncSeq: number | undefined } {
  const r = decode(token)
  if (!r || r.k !== 'page' || !Number.isSafeInteger(r.o) || (r.o as number) < 0 || r.p !== params ||
    (r.s !== undefined && !Number.isSafeInteger(r.s))) throw invalidPageToken()
  return { offset: r.o as number, syncSeq: r.s as number | undefined }
}

export function syncToken (seq: number, issuedMicros: bigint, resource: string): string {
  return encode({ k: 'sync', s: seq, t: issuedMicros.toString(), r: resource })
}

export function expiredSyncToken (): ApiError {
  return failedPrecondition('Sync token is expired. Clear local cache and retry call without the sync token.', {
    details: [{ '@type': ERROR_INFO, reason: 'EXPIRED_SYNC_TOKEN', domain: 'people.googleapis.com' }]
  })
}

/** The change-log position a sync token holds; 400 when it is not one, 400 FAILED_PRECONDITION when expired. */
export function readSyncToken (token: string, resource: string, nowMicros: bigint): number {
  const r = decode(token)
  if (!r || r.k !== 'sync' || r.r !== resource || !Number.isSafeInteger(r.s) || typeof r.t !== 'string' || !/^\d+$/.test(r.t)) {
    throw invalidArgument('Sync token is invalid.')
  }
  if (nowMicros - BigInt(r.t) > SYNC_TOKEN_LIFETIME_MICROS) throw expiredSyncToken()
  return r.s as number
}
