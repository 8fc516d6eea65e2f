/**
 * The request journal: every request to the API — each call of an HTTP batch too, and the
 * batch itself — recorded, newest last, in a ring of at most `--journal-size` entries (0: off)
 * that together take at most `--journal-memory` MiB (the oldest go first), so that a test can
 * assert on the calls its code made (`GET /_emulator/requests`, `emulator.requests()`). The
 * control plane's own requests are not recorded.
 *
 * On the request path an entry is a handful of references (the body text already read, the
 * payload already serialised, the query already parsed): parsing and formatting happen when
 * the journal is read. What a request can make large is bounded and copied when it is
 * recorded — a body past JOURNAL_BODY_LIMIT characters, a long URL, error message or account
 * id — so that an entry never holds on to the rest of what it was cut from (a slice of a V8
 * string keeps its whole parent alive). Credentials never appear: no header is kept, the
 * credential parameters of the query are redacted when shown, the credential headers and
 * parameters inside a batch's body when it is recorded, and an account whose id is its token
 * (every undeclared account) is shown by a digest of it.
 */
import fp from 'fastify-plugin'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { formatTime } from '../clock.js'
import { ERROR_INFO, type ApiError } from '../errors.js'
import { isControlPlanePath, isCredentialHeader } from '../http.js'
import { isOffset, paramsHash, readPageToken } from '../tokens.js'
import type { JournalEntry, JournalError, JournalFilter } from '../journal-entry.js'

/** The most of a body kept, in characters (chosen): beyond, the start and a note of the length. */
export const JOURNAL_BODY_LIMIT = 64 * 1024
/** The most of a URL, an error message or an account id kept, in characters (chosen). */
export const JOURNAL_TEXT_LIMIT = 8 * 1024
/** What an entry takes besides its texts (its object, numbers and references), counted against --journal-memory. */
const ENTRY_OVERHEAD = 512
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
const MAX_ENTRY_CHARS = JOURNAL_PAGE_CHARS / 4

/** Query parameters whose values never appear: credentials. */
const CREDENTIALS = new Set(['access_token', 'oauth_token', 'key'])

// The entry's shape is its own module: the web UI (ui/) reads it too, without the server's types.
export type { JournalEntry, JournalError, JournalFilter } from '../journal-entry.js'

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
function cut (text: string, limit: number): string {
  if (text.length <= limit) return text
  return detached(text.slice(0, limit)) + `…[truncated: ${text.length} characters in all]`
}

function keep (text: string | Uint8Array | undefined): string | Uint8Array | undefined {
  if (text instanceof Uint8Array) return text.byteLength <= JOURNAL_BODY_LIMIT * 4 ? text : keep(textOf(text))
  if (text === undefined) return text
  return cut(text, JOURNAL_BODY_LIMIT)
}

function textOf (value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) {
    // Only the start of a long one is decoded.
    const buffer = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    return buffer.length > JOURNAL_BODY_LIMIT * 4 ? buffer.subarray(0, JOURNAL_BODY_LIMIT * 4).toString('utf8') + `…[truncated: ${buffer.length} bytes in all]` : buffer.toString('utf8')
  }
  return undefined
}

/** What a kept text counts against the journal's memory: two bytes a character at most, as V8 stores them. */
function sizeOf (text: string | Uint8Array | undefined): number {
  if (text === undefined) return 0
  return typeof text === 'string' ? text.length * 2 : text.byteLength
}

/** A header line inside a batch part: its name (checked by isCredentialHeader). Linear: no backtracking. */
const HEADER_LINE = /^([!#$%&'*+.^\w`|~-]+)[ \t]*:/
/** What a text holding a credential header or parameter contains, whatever its case or encoding ("%" may hide a name). */
const MAY_HOLD_CREDENTIALS = /authoriz|cookie|key|token|secret|passw|credential|%/i
/** A request line inside a batch part. */
const REQUEST_LINE = /^([A-Za-z]+[ \t]+)(\S+)(.*)$/

/** A query parameter's name as the query parser reads it (percent and `+` decoded); undefined when it does not decode. */
function parameterName (raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

/** The request target with the values of its credential parameters replaced by [Redacted]. */
function redactTarget (target: string): string {
  const q = target.indexOf('?')
  if (q === -1) return target
  return target.slice(0, q + 1) + target.slice(q + 1).split('&').map(part => {
    const eq = part.indexOf('=')
    const name = parameterName(eq === -1 ? part : part.slice(0, eq))
    return name === undefined || CREDENTIALS.has(name) ? `${eq === -1 ? part : part.slice(0, eq)}=[Redacted]` : part
  }).join('&')
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

function bodyValue (text: string | undefined, asText = false): unknown {
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

function queryOf (query: unknown): Record<string, string | string[]> {
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
function boundedQuery (query: unknown): { query: Record<string, string | string[]>, chars: number } {
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

/** A filter made ready for a read: the digest of its account worked out once. */
interface Matcher { filter: JournalFilter, accountDigest: string | undefined }

function matcher (filter: JournalFilter): Matcher {
  return { filter, accountDigest: filter.account === undefined ? undefined : tokenDigest(filter.account) }
}

/** Whether an entry is of the account: by its id, or (an id that is a token) by the digest shown. */
function matchesAccount (r: Recorded, account: string, accountDigest: string): boolean {
  if (r.accountId === null) return false
  if (r.digested) return r.accountId === account || r.accountId === accountDigest
  return r.accountId === account || (r.idIsToken && tokenDigest(r.accountId) === account)
}

function matches (r: Recorded, { filter, accountDigest }: Matcher): boolean {
  if (filter.since !== undefined && r.id <= filter.since) return false
  if (filter.method !== undefined && r.method !== filter.method) return false
  if (filter.account !== undefined && !matchesAccount(r, filter.account, accountDigest!)) return false
  const status = filter.status
  if (status !== undefined && (typeof status === 'number' ? r.status !== status : r.error?.status !== status)) return false
  return true
}

/** One page of the journal: its entries, and the id the next page starts after (none: the last page). */
export interface JournalPage { entries: JournalEntry[], after: number | undefined }

/** The bounded ring of recorded requests. */
export class Journal {
  private readonly ring: Array<Recorded | undefined>
  /** Where the next entry goes, and how many entries are kept (the oldest at next - count). */
  private next = 0
  private count = 0
  private lastId = 0
  /** What the kept entries count against maxBytes. */
  private used = 0

  /**
   * @param size the most entries kept (--journal-size)
   * @param maxBytes the most memory they take together (--journal-memory): the oldest go first
   */
  constructor (readonly size: number, readonly maxBytes = 16 * 1024 * 1024) {
    this.ring = new Array<Recorded | undefined>(size)
  }

  get enabled (): boolean {
    return this.size > 0
  }

  /** What the kept entries take, as counted against maxBytes. */
  get bytes (): number {
    return this.used
  }

  /** Keeps an entry (its id given here); `batch`: its body is an HTTP batch's, whose credentials are redacted. */
  record (entry: Recorded, batch = false): void {
    if (this.size === 0) return
    entry.id = ++this.lastId
    const accountId = entry.accountId
    if (accountId !== null && accountId.length > JOURNAL_TEXT_LIMIT) {
      // A token too long to keep is kept as the digest it is shown as.
      entry.digested = entry.idIsToken
      entry.accountId = entry.idIsToken ? tokenDigest(accountId) : cut(accountId, JOURNAL_TEXT_LIMIT)
    }
    const long = entry.url.length > JOURNAL_TEXT_LIMIT
    let queryChars = 0
    if (long) {
      entry.url = cut(entry.url, JOURNAL_TEXT_LIMIT)
      const bounded = boundedQuery(entry.query)
      entry.query = bounded.query
      queryChars = bounded.chars
    }
    let requestText = keep(entry.requestText) as string | undefined
    if (batch && requestText !== undefined) requestText = redactBatchText(requestText)
    entry.requestText = requestText
    entry.responseText = keep(entry.responseText)
    const error = entry.error
    // The URL's characters count twice (its query is parsed from it), three times for a long
    // one's (its query is a bounded copy, counted as it is).
    entry.bytes = ENTRY_OVERHEAD + sizeOf(entry.url) * (long ? 1 : 2) + queryChars * 4 + sizeOf(entry.accountId ?? undefined) + sizeOf(requestText) + sizeOf(entry.responseText) +
      (error === null ? 0 : sizeOf(error.message) + sizeOf(error.reason))
    // The oldest go: to make room for one more entry, or for its bytes.
    while (this.count > 0 && (this.count === this.size || this.used + entry.bytes > this.maxBytes)) this.dropOldest()
    this.ring[this.next] = entry
    this.next = (this.next + 1) % this.size
    this.count++
    this.used += entry.bytes
  }

  private dropOldest (): void {
    const at = (this.next - this.count + this.size) % this.size
    this.used -= this.ring[at]!.bytes
    this.ring[at] = undefined
    this.count--
  }

  clear (): void {
    this.ring.fill(undefined)
    this.next = 0
    this.count = 0
    this.used = 0
  }

  private at (i: number): Recorded {
    return this.ring[(this.next - this.count + i + this.size) % this.size]!
  }

  /** The entries that match, oldest first: all of them (library mode). */
  entries (filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = []
    const m = matcher(filter)
    for (let i = 0; i < this.count; i++) {
      const r = this.at(i)
      if (matches(r, m)) out.push(this.show(r))
    }
    return out
  }

  /**
   * A page of the entries that match, oldest first: at most `pageSize` entries after the id
   * `after`, and at most JOURNAL_PAGE_CHARS characters of their JSON as the answer writes it
   * (`indent`: prettyPrint's; always one entry).
   */
  page (filter: JournalFilter, pageSize: number, after = 0, indent?: number): JournalPage {
    const entries: JournalEntry[] = []
    let chars = 0
    const m = matcher(filter)
    for (let i = 0; i < this.count; i++) {
      const r = this.at(i)
      if (r.id <= after || !matches(r, m)) continue
      if (entries.length === pageSize) return { entries, after: entries[entries.length - 1]!.id }
      let shown = this.show(r)
      let length = JSON.stringify(shown, null, indent).length
      if (length > MAX_ENTRY_CHARS) {
        shown = this.show(r, true)
        length = JSON.stringify(shown, null, indent).length
      }
      if (entries.length > 0 && chars + length > JOURNAL_PAGE_CHARS) return { entries, after: entries[entries.length - 1]!.id }
      entries.push(shown)
      chars += length
    }
    return { entries, after: undefined }
  }

  /** An entry as shown; `asText`: its bodies as the texts they are, not parsed. */
  private show (r: Recorded, asText = false): JournalEntry {
    const q = r.url.indexOf('?')
    return {
      id: r.id,
      time: formatTime(r.micros),
      account: r.accountId === null ? null : r.digested ? r.accountId : r.idIsToken ? tokenDigest(r.accountId) : r.accountId,
      method: r.method,
      httpMethod: r.httpMethod,
      path: q === -1 ? r.url : r.url.slice(0, q),
      query: queryOf(r.query),
      status: r.status,
      error: r.error,
      fault: r.fault,
      durationMs: r.durationMs,
      requestBody: bodyValue(r.requestText, asText),
      // Bytes (at most 4 × the bound: see keep) are bounded once decoded, as a text is when
      // recorded: the same body shows the same.
      responseBody: bodyValue(typeof r.responseText === 'object' ? keep(Buffer.from(r.responseText.buffer, r.responseText.byteOffset, r.responseText.byteLength).toString('utf8')) as string : r.responseText, asText)
    }
  }
}

/** Parses the filter of `GET /_emulator/requests`; a bad value is a message. */
export function parseJournalFilter (query: Record<string, string | string[] | undefined>): JournalFilter | string {
  const filter: JournalFilter = {}
  for (const name of ['account', 'method', 'status', 'since'] as const) {
    const value = query[name]
    if (value === undefined) continue
    if (Array.isArray(value)) return `The filter "${name}" may be given once.`
    if (name === 'since') {
      if (!/^\d{1,15}$/.test(value)) return `Invalid since ${JSON.stringify(value)}: expected the id of a journal entry (a whole number).`
      filter.since = Number(value)
    } else if (name === 'status') {
      if (/^\d{3}$/.test(value)) filter.status = Number(value)
      else if (/^[A-Z_]+$/.test(value)) filter.status = value
      else return `Invalid status ${JSON.stringify(value)}: expected an HTTP status (404) or a canonical error status (NOT_FOUND).`
    } else {
      filter[name] = value
    }
  }
  return filter
}

/**
 * The page `GET /_emulator/requests` asks for: `pageSize` (1 to MAX_JOURNAL_PAGE) and
 * `pageToken` (the last page's nextPageToken, bound to the filter and page size it was issued
 * for, as the API's page tokens are); a bad value is a message, or the API's page-token error.
 */
export function parseJournalPage (query: Record<string, string | string[] | undefined>, filter: JournalFilter): { size: number, after: number, params: string } | string {
  for (const name of ['pageSize', 'pageToken'] as const) {
    if (Array.isArray(query[name])) return `The parameter "${name}" may be given once.`
  }
  const sizeText = query.pageSize as string | undefined
  if (sizeText !== undefined && (!/^\d{1,4}$/.test(sizeText) || Number(sizeText) < 1 || Number(sizeText) > MAX_JOURNAL_PAGE)) {
    return `Invalid pageSize ${JSON.stringify(sizeText)}: expected a number from 1 to ${MAX_JOURNAL_PAGE}.`
  }
  const size = sizeText === undefined ? DEFAULT_JOURNAL_PAGE : Number(sizeText)
  const params = paramsHash({ ...filter, size })
  const token = query.pageToken as string | undefined
  const after = token === undefined || token === '' ? 0 : readPageToken(token, params, isOffset).cursor
  return { size, after: Math.max(after, filter.since ?? 0), params }
}

async function journal (app: FastifyInstance): Promise<void> {
  const j = new Journal(app.config.journalSize, app.config.journalMemoryMiB * 1024 * 1024)
  app.decorate('journal', j)
  if (!j.enabled) return
  const clock = app.clock
  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    const url = request.url
    // The control plane is not recorded, however its path is spelt (`/%5Femulator/…`).
    const second = url.charCodeAt(1)
    if (!((second === 0x5f || second === 0x25) && isControlPlanePath(url))) {
      const account = request.account
      const apiError = request.apiError
      const entry: Recorded = {
        id: 0,
        micros: clock.peek(),
        accountId: account === null ? null : account.id,
        idIsToken: account !== null && account.id === account.token,
        digested: false,
        method: request.methodId,
        httpMethod: request.method,
        url,
        query: request.query,
        status: reply.statusCode,
        error: apiError === null ? null : errorOf(apiError),
        fault: request.fault,
        durationMs: 0,
        requestText: request.bodyText ?? textOf(request.body),
        responseText: typeof payload === 'string' || payload instanceof Uint8Array ? payload : undefined,
        bytes: 0
      }
      // The batch route's, however its path is spelt (`/%62atch`): decided by the route.
      const batch = request.methodId === null && request.routeOptions.url === '/batch'
      if (payload instanceof Readable) {
        // An answer sent as it is made (an HTTP batch's): recorded once it has all gone, after
        // the calls it made, as an answer made whole would be.
        reply.raw.once('close', () => {
          entry.micros = clock.peek()
          entry.durationMs = Math.round(reply.elapsedTime * 1000) / 1000
          j.record(entry, batch)
        })
      } else {
        entry.durationMs = Math.round(reply.elapsedTime * 1000) / 1000
        j.record(entry, batch)
      }
    }
    done(null, payload)
  })
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The request journal (see src/plugins/journal.ts). */
    journal: Journal
  }
}

export default fp(journal, { name: 'journal', dependencies: ['wire'] })
