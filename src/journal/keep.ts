/**
 * What the request journal keeps of a request, and how it is bounded and cleaned when it is
 * recorded: texts cut and copied (a slice of a V8 string keeps its whole parent alive), the
 * credentials of a batch's body redacted, an account whose id is its token shown by a digest.
 * The journal itself is src/journal/journal.ts; the plugin that records is src/plugins/journal.ts.
 */
import { CREDENTIAL_PARAMETERS, redactParameters } from '../secret-parameters.js'
import { createHash } from 'node:crypto'
import { ERROR_INFO, type ApiError } from '../errors.js'
import { isCredentialHeader } from '../http.js'
import type { JournalError } from '../journal-entry.js'

/** The most of a body kept, in characters (chosen): beyond, the start and a note of the length. */
export const JOURNAL_BODY_LIMIT = 64 * 1024
/** The most of a URL, an error message or an account id kept, in characters (chosen). */
export const JOURNAL_TEXT_LIMIT = 8 * 1024
/** What an entry takes besides its texts (its object, numbers and references), counted against --journal-memory. */
export const ENTRY_OVERHEAD = 512
/**
 * The most one page of `GET /_emulator/requests` holds, in characters of JSON (chosen): a page
 * ends before the entry that would pass it (it always holds one).
 */
export const JOURNAL_PAGE_CHARS = 4 * 1024 * 1024
/** Entries a page of `GET /_emulator/requests` holds by default, and at most. */
export const DEFAULT_JOURNAL_PAGE = 100
export const MAX_JOURNAL_PAGE = 1000
/**
 * Nesting a kept body may have to be shown as JSON (chosen: the API's bodies nest a few levels,
 * a fault's details 32): a deeper one is shown as its text (JSON.stringify and the readers of
 * the answer recurse).
 */
export const MAX_SHOWN_DEPTH = 32
/**
 * The most one entry of a page may take, as the answer writes it (indented or not): past it,
 * its bodies are shown as their texts (indentation multiplies a deep body's length).
 */
export const MAX_ENTRY_CHARS = JOURNAL_PAGE_CHARS / 4

/** Query parameters whose values never appear: credentials. */
const CREDENTIALS = CREDENTIAL_PARAMETERS

// The entry's shape is its own module: the web UI (ui/) reads it too, without the server's types.

/**
 * One entry as the journal keeps it. The request path makes it whole (its shape never changes
 * after), and Journal.record bounds and copies what it must, in place.
 */
export interface Recorded {
  id: number
  micros: bigint
  /** The account's id; for an id longer than JOURNAL_TEXT_LIMIT (a token), its digest. */
  accountId: string | null
  /** The account's id is its token: shown as a digest. */
  idIsToken: boolean
  /** accountId is already the digest (the token was too long to keep). */
  digested: boolean
  method: string | null
  httpMethod: string
  url: string
  query: unknown
  status: number
  error: JournalError | null
  fault: string | null
  durationMs: number
  requestText: string | undefined
  /** Bytes (a cached rendering's, shared with every response that sends it) are decoded when shown. */
  responseText: string | Uint8Array | undefined
  /** What the entry counts against the journal's memory. */
  bytes: number
}

/** How an account whose id is its token appears: never the token itself. */
export function tokenDigest (token: string): string {
  return 'token:' + createHash('sha256').update(token).digest('hex').slice(0, 12)
}

/**
 * A copy of a string that shares no memory with it: a slice of a long string keeps its whole
 * parent alive in V8 (and a flattened cons string its parts), so what the journal keeps of a
 * long text is copied. UTF-16 code units go through as they are (lone surrogates included).
 */
export function detached (text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le')
}

/** At most `limit` characters of `text`, then a note of its length: copied when cut. */
export function cut (text: string, limit: number): string {
  if (text.length <= limit) return text
  return detached(text.slice(0, limit)) + `…[truncated: ${text.length} characters in all]`
}

export function keep (text: string | Uint8Array | undefined): string | Uint8Array | undefined {
  if (text instanceof Uint8Array) return text.byteLength <= JOURNAL_BODY_LIMIT * 4 ? text : keep(textOf(text))
  if (text === undefined) return text
  return cut(text, JOURNAL_BODY_LIMIT)
}

export function textOf (value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) {
    // Only the start of a long one is decoded.
    const buffer = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    return buffer.length > JOURNAL_BODY_LIMIT * 4 ? buffer.subarray(0, JOURNAL_BODY_LIMIT * 4).toString('utf8') + `…[truncated: ${buffer.length} bytes in all]` : buffer.toString('utf8')
  }
  return undefined
}

/** What a kept text counts against the journal's memory: two bytes a character at most, as V8 stores them. */
export function sizeOf (text: string | Uint8Array | undefined): number {
  if (text === undefined) return 0
  return typeof text === 'string' ? text.length * 2 : text.byteLength
}

/** A header line inside a batch part: its name (checked by isCredentialHeader). Linear: no backtracking. */
const HEADER_LINE = /^([!#$%&'*+.^\w`|~-]+)[ \t]*:/
/** What a text holding a credential header or parameter contains, whatever its case or encoding ("%" may hide a name). */
const MAY_HOLD_CREDENTIALS = /authoriz|cookie|key|token|secret|passw|credential|code|hint|assertion|%/i
/** A request line inside a batch part. */
const REQUEST_LINE = /^([A-Za-z]+[ \t]+)(\S+)(.*)$/

/** The request target with the values of its credential parameters replaced by [Redacted]. */
function redactTarget (target: string): string {
  const q = target.indexOf('?')
  if (q === -1) return target
  return target.slice(0, q + 1) + redactParameters(target.slice(q + 1), CREDENTIALS)
}

/**
 * A batch's body as the journal keeps it: every header line whose name says it holds a
 * credential (Authorization, Proxy-Authorization, Cookie, X-Goog-Api-Key, …), with its folded
 * continuation lines, and the credential parameters of every request line read `[Redacted]`.
 * Line by line, so that a part cut short by JOURNAL_BODY_LIMIT is redacted as well.
 */
export function redactBatchText (text: string): string {
  // The common batch names none of these (nor encodes a name): nothing to look for, line by line.
  if (!MAY_HOLD_CREDENTIALS.test(text)) return text
  const lines = text.split('\n')
  let folding = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (folding && /^[ \t]/.test(line)) { lines[i] = ' [Redacted]'; continue }
    folding = false
    // Any line whose text before its first colon names a credential, header or not, however
    // spelt (a batch refused as malformed is kept too): what follows the colon goes.
    const colon = line.indexOf(':')
    if (colon > 0 && isCredentialHeader(line.slice(0, colon))) {
      const header = HEADER_LINE.exec(line)
      lines[i] = `${header === null ? line.slice(0, colon) : header[1]!}: [Redacted]${line.endsWith('\r') ? '\r' : ''}`
      folding = true
      continue
    }
    const request = REQUEST_LINE.exec(line.endsWith('\r') ? line.slice(0, -1) : line)
    if (request !== null && request[2]!.includes('?')) lines[i] = request[1]! + redactTarget(request[2]!) + request[3]! + (line.endsWith('\r') ? '\r' : '')
  }
  return lines.join('\n')
}

/** The deepest nesting of arrays and objects in a JSON text, counted up to `max` + 1 (strings skipped). */
export function jsonDepth (text: string, max: number): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > max) return deepest
    } else if (c === 0x7d || c === 0x5d) {
      depth--
    }
  }
  return deepest
}

export function bodyValue (text: string | undefined, asText = false): unknown {
  if (text === undefined || text === '') return null
  if (asText || text.length > JOURNAL_BODY_LIMIT) return text
  // Nested deeper than an answer should carry: shown as the text it is.
  if (jsonDepth(text, MAX_SHOWN_DEPTH) > MAX_SHOWN_DEPTH) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export function errorOf (err: ApiError): JournalError {
  const info = err.details.find(d => (d as { '@type'?: string })['@type'] === ERROR_INFO) as { reason?: unknown } | undefined
  const reason = typeof info?.reason === 'string' ? info.reason : err.reason
  return { status: err.status, reason: cut(reason, JOURNAL_TEXT_LIMIT), message: cut(err.message, JOURNAL_TEXT_LIMIT) }
}

export function queryOf (query: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  if (typeof query !== 'object' || query === null) return out
  for (const [name, value] of Object.entries(query as Record<string, string | string[]>)) {
    out[name] = CREDENTIALS.has(name) ? '[Redacted]' : value
  }
  return out
}

/**
 * The query of a URL too long to keep whole (a call of a batch may carry megabytes): its
 * parameters in order while they fit in JOURNAL_TEXT_LIMIT characters in all, each name and
 * value copied, credentials redacted at once. Returns it and the characters it holds.
 */
export function boundedQuery (query: unknown): { query: Record<string, string | string[]>, chars: number } {
  const out: Record<string, string | string[]> = {}
  let chars = 0
  if (typeof query !== 'object' || query === null) return { query: out, chars }
  const room = (): number => JOURNAL_TEXT_LIMIT - chars
  const take = (text: string): string => {
    const kept = cut(text, Math.max(0, Math.min(1024, room())))
    chars += kept.length
    return kept
  }
  for (const [name, value] of Object.entries(query as Record<string, string | string[]>)) {
    if (room() <= 0) break
    const key = take(name)
    if (CREDENTIALS.has(name)) { out[key] = '[Redacted]'; continue }
    out[key] = Array.isArray(value) ? value.slice(0, 10).map(v => take(String(v))) : take(String(value))
  }
  return { query: out, chars }
}
