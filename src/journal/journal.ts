/**
 * The request journal's ring: the entries kept, bounded in count (--journal-size) and in memory
 * (--journal-memory, the oldest go first), and read a page at a time, each page bounded in
 * characters (GET /_emulator/requests).
 */
import { formatTime } from '../clock.js'
import { isOffset, paramsHash, readPageToken } from '../tokens.js'
import type { JournalEntry, JournalFilter } from '../journal-entry.js'
import { bodyValue, boundedQuery, cut, DEFAULT_JOURNAL_PAGE, ENTRY_OVERHEAD, JOURNAL_PAGE_CHARS, JOURNAL_TEXT_LIMIT, keep, MAX_ENTRY_CHARS, MAX_JOURNAL_PAGE, queryOf, redactBatchText, sizeOf, tokenDigest, type Recorded } from './keep.js'

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
