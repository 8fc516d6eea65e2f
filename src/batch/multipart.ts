/**
 * The wire format of HTTP batch (FIDELITY.md: batch): a `multipart/mixed` body whose parts are
 * `application/http` requests in, the same with HTTP responses out. Pure functions: nothing
 * here runs a request.
 *
 * The reader is as lenient as Google's front end is with what Google's own clients send:
 * google-api-python-client writes its batch with Python's email generator, whose lines end in
 * a bare LF (RFC 2046 asks for CRLF), and quotes the boundary. Multipart libraries for Node
 * follow RFC 2046 to the letter and refuse that body, so the split is done here; what is
 * written back uses CRLF throughout (Python's reader needs CRLF between a part's headers and
 * its body).
 */
import { createHash } from 'node:crypto'
import { METHODS, STATUS_CODES } from 'node:http'
import { invalidArgument, type ApiError } from '../errors.js'

/** Calls one batch may hold (documented). */
export const MAX_BATCH_PARTS = 1000

/** One call of a batch, as read from its part. */
export interface BatchCall {
  /** The part's `Content-ID`, without its angle brackets; undefined when it had none. */
  contentId: string | undefined
  method: string
  /** Path and query, relative to the emulator's root (`/v1/people/c1?personFields=names`). */
  url: string
  /** The inner request's headers, names in lower case (a repeated header keeps its last value). */
  headers: Record<string, string>
  body: Buffer
}

/** What one call answered, to be written back as its part. */
export interface BatchAnswer {
  contentId: string | undefined
  statusCode: number
  headers: Record<string, string | string[] | number | undefined>
  body: Buffer | string
}

function malformed (why: string): ApiError {
  return invalidArgument(`Invalid batch request: ${why}`)
}

/**
 * The boundary of a `multipart/mixed` content type, quoted or not; a 400 naming what is wrong
 * for any other content type.
 */
export function boundaryOf (contentType: string | undefined): string {
  if (contentType === undefined || contentType === '') throw malformed('missing Content-Type; expected multipart/mixed with a boundary.')
  const [type, ...params] = contentType.split(';')
  if (type!.trim().toLowerCase() !== 'multipart/mixed') {
    throw malformed(`Content-Type "${contentType}" is not multipart/mixed. A batch request is a multipart/mixed body of application/http parts.`)
  }
  for (const param of params) {
    const eq = param.indexOf('=')
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue
    let value = param.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    // RFC 2046: 1 to 70 characters, not ending in a space.
    if (value === '' || value.length > 70 || value.endsWith(' ')) throw malformed(`invalid multipart boundary "${value}".`)
    return value
  }
  throw malformed('the multipart/mixed Content-Type has no boundary.')
}

/** What a header's value may not hold (RFC 9110 §5.5): a control character other than a tab. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/

/** Headers of a MIME part or an HTTP message, folded lines joined; names in lower case. */
function readHeaders (lines: readonly string[], what: string): Record<string, string> {
  const headers: Record<string, string> = {}
  let last: string | undefined
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      if (last === undefined) throw malformed(`${what} begins with a continuation line.`)
      const more = line.replace(/^[ \t]+|[ \t]+$/g, '')
      if (CONTROL.test(more)) throw malformed(`${what} has a header whose value holds a control character: ${printable(last)}.`)
      headers[last] = `${headers[last]!} ${more}`.trim()
      continue
    }
    // A header's name is a token, then at most spaces or tabs before its colon (as Node's own
    // parser reads a lone request's): not a vertical tab, a form feed or a carriage return,
    // which a looser reading would skip.
    const colon = line.indexOf(':')
    const named = colon <= 0 ? null : /^([!#$%&'*+\-.^\w`|~]+)[ \t]*$/.exec(line.slice(0, colon))
    // (What follows a colon is not quoted: it may be a credential, and the message is kept in the journal.)
    if (named === null) throw malformed(`${what} has a line that is not a header: "${printable(colon === -1 ? line : line.slice(0, colon) + ': …')}".`)
    const name = named[1]!.toLowerCase()
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')
    if (CONTROL.test(value)) throw malformed(`${what} has a header whose value holds a control character: ${printable(named[1]!)}.`)
    headers[name] = value
    last = name
  }
  return headers
}

/** A line shown in an error message: at most 100 characters, control characters escaped. */
function printable (line: string): string {
  const short = line.length > 100 ? line.slice(0, 100) + '…' : line
  let out = ''
  for (const c of short) {
    const code = c.charCodeAt(0)
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c
  }
  return out
}

/**
 * Splits text (bytes as latin1 characters) at its first empty line: the header lines before
 * it, and the offset of what follows. Lines end in CRLF or LF.
 */
function splitHead (text: string, what: string): { lines: string[], rest: number } {
  const lines: string[] = []
  let at = 0
  for (;;) {
    const nl = text.indexOf('\n', at)
    if (nl === -1) {
      // No empty line: headers only, no body (a GET part may end right after its headers).
      const line = text.slice(at).replace(/\r$/, '')
      if (line !== '') lines.push(line)
      return { lines, rest: text.length }
    }
    const line = text.slice(at, nl).replace(/\r$/, '')
    at = nl + 1
    if (line === '') return { lines, rest: at }
    lines.push(line)
    if (lines.length > 200) throw malformed(`${what} has more than 200 header lines.`)
  }
}

/** The calls of a batch body, in order; a 400 (nothing run) for anything malformed. */
export function parseBatch (body: Buffer, boundary: string): BatchCall[] {
  // latin1 maps each byte to one character, so offsets in the text are offsets in the body
  // and a part's body goes back to its exact bytes.
  const text = body.toString('latin1')
  const delimiter = '--' + boundary
  const parts: string[] = []
  let start = -1
  let closed = false
  let from = 0
  while (!closed) {
    const at = text.indexOf(delimiter, from)
    if (at === -1) break
    from = at + delimiter.length
    // A delimiter starts a line.
    if (at !== 0 && text[at - 1] !== '\n') continue
    const close = text.startsWith('--', from)
    let end = close ? from + 2 : from
    while (text[end] === ' ' || text[end] === '\t') end++
    if (text[end] === '\r') end++
    if (end < text.length && text[end] !== '\n') continue
    if (start !== -1) {
      // The line break before a delimiter belongs to the delimiter.
      let stop = at
      if (text[stop - 1] === '\n') stop--
      if (text[stop - 1] === '\r') stop--
      parts.push(text.slice(start, Math.max(start, stop)))
    }
    if (close) closed = true
    start = end + 1
    from = start
  }
  if (start === -1) throw malformed(`the body holds no part delimited by its boundary "${boundary}".`)
  if (!closed) throw malformed(`the body does not end with the closing delimiter "--${boundary}--".`)
  if (parts.length === 0) throw malformed('the batch holds no request.')
  if (parts.length > MAX_BATCH_PARTS) throw malformed(`a batch may hold at most ${MAX_BATCH_PARTS} requests; this one holds ${parts.length}.`)
  return parts.map((part, i) => readPart(part, i + 1))
}

function readPart (part: string, n: number): BatchCall {
  const what = `part ${n}`
  const head = splitHead(part, `${what}'s MIME headers`)
  const mime = readHeaders(head.lines, `${what}'s MIME headers`)
  const type = (mime['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/http') {
    throw malformed(`${what} has Content-Type "${mime['content-type'] ?? ''}"; every part must be an HTTP request (Content-Type: application/http).`)
  }
  const encoding = (mime['content-transfer-encoding'] ?? 'binary').toLowerCase()
  if (encoding !== 'binary' && encoding !== '8bit' && encoding !== '7bit') {
    throw malformed(`${what} has Content-Transfer-Encoding "${encoding}"; only binary is accepted.`)
  }
  const rawId = mime['content-id']
  const contentId = rawId === undefined ? undefined : rawId.replace(/^<(.*)>$/, '$1')

  const message = part.slice(head.rest)
  const nl = message.indexOf('\n')
  const requestLine = (nl === -1 ? message : message.slice(0, nl)).replace(/\r$/, '')
  const m = /^([A-Za-z]+) (\S+)(?: HTTP\/\d(?:\.\d)?)?$/.exec(requestLine)
  if (!m) throw malformed(`${what} is not an HTTP request: its first line "${printable(requestLine)}" is not a request line such as "GET /v1/people/me?personFields=names HTTP/1.1".`)
  const method = m[1]!.toUpperCase()
  if (!METHODS.includes(method)) throw malformed(`${what} has an unknown HTTP method "${printable(m[1]!)}".`)
  const url = relativeTarget(m[2]!, what)
  const inner = splitHead(nl === -1 ? '' : message.slice(nl + 1), `${what}'s HTTP headers`)
  const headers = readHeaders(inner.lines, `${what}'s HTTP headers`)
  let bytes = Buffer.from(message.slice(nl === -1 ? message.length : nl + 1).slice(inner.rest), 'latin1')
  const length = headers['content-length']
  if (length !== undefined) {
    if (!/^\d+$/.test(length) || Number(length) > bytes.length) throw malformed(`${what} declares Content-Length ${length} but carries ${bytes.length} bytes.`)
    bytes = bytes.subarray(0, Number(length))
  }
  return { contentId, method, url, headers, body: bytes }
}

/**
 * A part's request target as a path from the emulator's root: `/v1/…` as clients send it,
 * or an absolute URL (its host is ignored: the part is sent to this emulator).
 */
function relativeTarget (target: string, what: string): string {
  let url = target
  const absolute = /^https?:\/\/[^/?#]*(.*)$/i.exec(target)
  if (absolute) url = absolute[1] === '' ? '/' : absolute[1]!
  if (!url.startsWith('/') || url.startsWith('//')) throw malformed(`${what} has request target "${printable(target)}"; expected a path such as /v1/people/me.`)
  // The target as it will be dispatched: dot segments resolved (`/v1/../batch` is `/batch`),
  // so that what is checked here is what runs.
  const parsed = new URL(url, 'http://emulator.invalid')
  let decoded = parsed.pathname
  try { decoded = decodeURIComponent(decoded) } catch { /* the route answers for a malformed path */ }
  if (/^\/batch(\/|$)/i.test(decoded)) throw malformed(`${what} is itself a batch request; batches cannot be nested.`)
  if (/^\/_emulator(\/|$)/i.test(decoded)) throw malformed(`${what} calls the emulator's control plane (${parsed.pathname}); a batch holds API calls only.`)
  return parsed.pathname + parsed.search
}

/** Headers of an answer that describe the connection or the transfer, not the response. */
const NOT_COPIED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'])

/** One call's part of the answer, after its delimiter line: its bytes copied once. */
function answerPart (answer: BatchAnswer, delimiter: string): Buffer {
  let head = delimiter + 'Content-Type: application/http\r\n'
  if (answer.contentId !== undefined) head += `Content-ID: <response-${answer.contentId}>\r\n`
  head += `\r\nHTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode] ?? 'Unknown'}\r\n`
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined || NOT_COPIED.has(name)) continue
    for (const one of Array.isArray(value) ? value : [value]) head += `${headerName(name)}: ${one}\r\n`
  }
  return Buffer.concat([Buffer.from(head + '\r\n', 'utf8'), typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body, CRLF])
}

const CRLF = Buffer.from('\r\n')

/** `content-type` → `Content-Type`, as Google writes header names inside a batch. */
function headerName (name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
}

/**
 * The boundary of a batch's answer, derived from the batch's own body, so that a deterministic
 * emulator answers the same batch with the same bytes. It is chosen before any call has run,
 * since the answer is sent part by part as the calls are made (routes/batch.ts). No part can
 * hold it as a delimiter: a delimiter counts only at the start of a line (RFC 2046 §5.1.1, and
 * so Python's and Go's readers), and no line of a part starts with "--" — its MIME and HTTP
 * header lines start with a header name, and its body is JSON (whose lines start with
 * indentation, a bracket or nothing: a line break inside a string is escaped), a JSONP call
 * (`// API callback`, then a validated name) or the fixed HTML page of a 502.
 */
export function answerBoundary (requestBody: Buffer): string {
  return 'batch_' + createHash('sha256').update(requestBody).digest('base64url').slice(0, 24)
}

/** The bytes of one call's answer in a batch's answer: its delimiter line, then its part. */
export function answerChunk (answer: BatchAnswer, boundary: string): Buffer {
  return answerPart(answer, `--${boundary}\r\n`)
}

/** The end of a batch's answer: the closing delimiter. */
export function answerEnd (boundary: string): Buffer {
  return Buffer.from(`--${boundary}--\r\n`)
}
