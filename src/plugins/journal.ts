/**
 * The request journal: every request to the API — each call of an HTTP batch too, and the
 * batch itself — recorded, newest last, in a ring of `--journal-size` entries (0: off), so that
 * a test can assert on the calls its code made (`GET /_emulator/requests`, `emulator.requests()`).
 * The control plane's own requests are not recorded.
 *
 * On the request path an entry is a handful of references (the body text already read, the
 * payload already serialised, the query already parsed): parsing, redaction and formatting
 * happen when the journal is read. Credentials never appear: no header is kept, the
 * credential parameters of the query are redacted, and an account whose id is its token (every
 * undeclared account) is shown by a digest of it.
 */
import fp from 'fastify-plugin'
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { formatTime } from '../clock.js'
import { ERROR_INFO, type ApiError } from '../errors.js'
import type { JournalEntry, JournalError, JournalFilter } from '../journal-entry.js'

/** The most of a body kept, in characters (chosen): beyond, the start and a note of the length. */
export const JOURNAL_BODY_LIMIT = 64 * 1024

/** Query parameters whose values never appear: credentials. */
const CREDENTIALS = new Set(['access_token', 'oauth_token', 'key'])

// The entry's shape is its own module: the web UI (ui/) reads it too, without the server's types.
export type { JournalEntry, JournalError, JournalFilter } from '../journal-entry.js'

interface Recorded {
  id: number
  micros: bigint
  accountId: string | null
  /** The account's id is its token: shown as a digest. */
  idIsToken: boolean
  method: string | null
  httpMethod: string
  url: string
  query: unknown
  status: number
  error: ApiError | null
  fault: string | null
  durationMs: number
  requestText: string | undefined
  /** Bytes (a cached rendering's, shared with every response that sends it) are decoded when shown. */
  responseText: string | Uint8Array | undefined
}

/** How an account whose id is its token appears: never the token itself. */
export function tokenDigest (token: string): string {
  return 'token:' + createHash('sha256').update(token).digest('hex').slice(0, 12)
}

function keep (text: string | Uint8Array | undefined): string | Uint8Array | undefined {
  if (text instanceof Uint8Array) return text.byteLength <= JOURNAL_BODY_LIMIT * 4 ? text : keep(textOf(text))
  if (text === undefined || text.length <= JOURNAL_BODY_LIMIT) return text
  return text.slice(0, JOURNAL_BODY_LIMIT) + `…[truncated: ${text.length} characters in all]`
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

function bodyValue (text: string | undefined): unknown {
  if (text === undefined || text === '') return null
  if (text.length > JOURNAL_BODY_LIMIT) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function errorOf (err: ApiError): JournalError {
  const info = err.details.find(d => (d as { '@type'?: string })['@type'] === ERROR_INFO) as { reason?: string } | undefined
  return { status: err.status, reason: info?.reason ?? err.reason, message: err.message }
}

function queryOf (query: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  if (typeof query !== 'object' || query === null) return out
  for (const [name, value] of Object.entries(query as Record<string, string | string[]>)) {
    out[name] = CREDENTIALS.has(name) ? '[Redacted]' : value
  }
  return out
}

/** Whether an entry is of the account: by its id, or (an id that is a token) by the digest shown. */
function matchesAccount (r: Recorded, account: string): boolean {
  if (r.accountId === null) return false
  return r.accountId === account || (r.idIsToken && tokenDigest(r.accountId) === account)
}

/** The bounded ring of recorded requests. */
export class Journal {
  private readonly ring: Array<Recorded | undefined>
  private next = 0
  private count = 0
  private lastId = 0

  constructor (readonly size: number) {
    this.ring = new Array<Recorded | undefined>(size)
  }

  get enabled (): boolean {
    return this.size > 0
  }

  record (entry: Omit<Recorded, 'id'>): void {
    if (this.size === 0) return
    const recorded = entry as Recorded
    recorded.id = ++this.lastId
    recorded.requestText = keep(recorded.requestText) as string | undefined
    recorded.responseText = keep(recorded.responseText)
    this.ring[this.next] = recorded
    this.next = (this.next + 1) % this.size
    if (this.count < this.size) this.count++
  }

  clear (): void {
    this.ring.fill(undefined)
    this.next = 0
    this.count = 0
  }

  /** The entries that match, oldest first. */
  entries (filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = []
    const account = filter.account
    const status = filter.status
    for (let i = 0; i < this.count; i++) {
      const r = this.ring[(this.next - this.count + i + this.size) % this.size]!
      if (filter.since !== undefined && r.id <= filter.since) continue
      if (filter.method !== undefined && r.method !== filter.method) continue
      if (account !== undefined && !matchesAccount(r, account)) continue
      if (status !== undefined && (typeof status === 'number' ? r.status !== status : r.error?.status !== status)) continue
      out.push(this.show(r))
    }
    return out
  }

  private show (r: Recorded): JournalEntry {
    const q = r.url.indexOf('?')
    return {
      id: r.id,
      time: formatTime(r.micros),
      account: r.accountId === null ? null : r.idIsToken ? tokenDigest(r.accountId) : r.accountId,
      method: r.method,
      httpMethod: r.httpMethod,
      path: q === -1 ? r.url : r.url.slice(0, q),
      query: queryOf(r.query),
      status: r.status,
      error: r.error === null ? null : errorOf(r.error),
      fault: r.fault,
      durationMs: r.durationMs,
      requestBody: bodyValue(r.requestText),
      // Bytes (at most 4 × the bound: see keep) are bounded once decoded, as a text is when
      // recorded: the same body shows the same.
      responseBody: bodyValue(typeof r.responseText === 'object' ? keep(Buffer.from(r.responseText.buffer, r.responseText.byteOffset, r.responseText.byteLength).toString('utf8')) as string : r.responseText)
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

async function journal (app: FastifyInstance): Promise<void> {
  const j = new Journal(app.config.journalSize)
  app.decorate('journal', j)
  if (!j.enabled) return
  const clock = app.clock
  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    const url = request.url
    if (!url.startsWith('/_emulator')) {
      const account = request.account
      j.record({
        micros: clock.peek(),
        accountId: account === null ? null : account.id,
        idIsToken: account !== null && account.id === account.token,
        method: request.methodId,
        httpMethod: request.method,
        url,
        query: request.query,
        status: reply.statusCode,
        error: request.apiError,
        fault: request.fault,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
        requestText: request.bodyText ?? textOf(request.body),
        responseText: typeof payload === 'string' || payload instanceof Uint8Array ? payload : undefined
      })
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
