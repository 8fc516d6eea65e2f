/**
 * Google's wire conventions for every route (FIDELITY.md: wire): JSON bodies read as the JSON
 * transcoder does, system parameters (prettyPrint, fields, alt, $.xgafv, callback), responses
 * as `application/json; charset=UTF-8`, and exactly one place that turns errors into the
 * `google.rpc.Status` envelope.
 */
import sjson from 'secure-json-parse'
import { errorCodes, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { ApiError, internal, invalidArgument, notFound, storageFull, unavailable } from '../errors.js'
import { applySelection } from '../discovery/field-selector.js'
import { compactBody, compactJson, indentedBody, indentedJson } from '../json-text.js'
import { parseMethodQuery, parseSystemParams, SYSTEM_PARAMETERS, unknownParameter, type SystemParams } from '../discovery/query.js'
import { isControlPlanePath } from '../http.js'
import type { ResolvedRoute } from '../route-groups.js'
import type { BodyReading } from '../types.js'

/** Largest request body accepted (chosen; documented in docs/wire.md and FIDELITY.md). */
export const BODY_LIMIT = 10 * 1024 * 1024

const JSON_TYPE = 'application/json; charset=UTF-8'
const JSONP_TYPE = 'text/javascript; charset=UTF-8'
const DEFAULT_SYS: SystemParams = { pretty: true, xgafv2: false, callback: undefined, fields: undefined, error: undefined }

function contentTypeFor (sys: SystemParams): string {
  return sys.callback === undefined ? JSON_TYPE : JSONP_TYPE
}

/**
 * The serializer of one reply: indentation (prettyPrint), JSONP (callback) and the partial
 * response (fields), which applies to successful bodies only — errors are never filtered.
 */
export function serializerFor (sys: SystemParams, reply: FastifyReply): (payload: unknown) => string | Buffer {
  const indent = sys.pretty ? 2 : undefined
  const { callback, fields } = sys
  if (callback === undefined && fields === undefined) return indent === undefined ? compactBody : indentedBody
  const select = fields === undefined ? (payload: unknown) => payload : (payload: unknown) => reply.statusCode < 300 ? applySelection(payload, fields) : payload
  const text = fields !== undefined
    ? (payload: unknown) => JSON.stringify(select(payload), null, indent)
    : indent === undefined ? compactJson : indentedJson
  return callback === undefined
    ? text
    : (payload) => `// API callback\n${callback}(${text(payload)});`
}

/** Translates anything thrown into an ApiError; Fastify's own errors keep their meaning. */
export function toApiError (err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err
  const code = (err as FastifyError).code
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return invalidArgument(`Request payload size exceeds the limit: ${BODY_LIMIT} bytes.`, { httpStatus: 413 })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return invalidArgument('Invalid Content-Type: request bodies must be JSON (Content-Type: application/json).')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return invalidArgument('Request body size did not match Content-Length.')
    case 'FST_ERR_BAD_URL':
      return invalidArgument('The request URL is malformed.')
  }
  if (isStorageFailure(err)) return storageUnavailable()
  const status = (err as FastifyError).statusCode
  if (status !== undefined && status >= 400 && status < 500) return invalidArgument(err.message)
  return internal()
}

/**
 * SQLite's codes for a database that cannot serve at the moment — a full disk, a lock, an I/O
 * error, a damaged page — as opposed to a mistake of the emulator's (a constraint, a misuse).
 */
const STORAGE_FAILURES = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|READONLY|CORRUPT|NOTADB|CANTOPEN|NOMEM|PROTOCOL|PERM)/

export function isStorageFailure (err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && STORAGE_FAILURES.test(code)
}

/** Google's 503 (FIDELITY.md: durability, a write that cannot be stored): what a request gets when its write cannot be stored. */
export function storageUnavailable (): ApiError {
  return unavailable('The service is currently unavailable.')
}

/** What a control-plane request with `callback=` gets. */
function jsonpRefused (): ApiError {
  return invalidArgument('The emulator\'s control plane (/_emulator/*) does not answer JSONP: leave out "callback" (a page of another origin could read the answer).', { location: 'callback', locationType: 'parameter', reason: 'invalidParameter' })
}

// Longer than most functions, on purpose: the parsers, the one onRequest hook and the error
// handlers share the plugin's closures, and read as the one pipeline they are.
/** A JSON body as the emulator reads every one: prototype keys dropped, never applied; empty is `{}`. Throws a SyntaxError. */
export function parseJsonBody (text: string): unknown {
  return text.trim() === '' ? {} : sjson.parse(text, { protoAction: 'remove', constructorAction: 'remove' })
}

/** A body parser's answer: the value read, or the error it threw. */
function read (done: (err: Error | null, body?: unknown) => void, reading: () => unknown): void {
  let body: unknown
  try {
    body = reading()
  } catch (err) {
    done(err as Error, undefined)
    return
  }
  done(null, body)
}

/** A body of a type the API does not read: refused (an unknown path answers its 404 whatever its body). */
function notJson (request: FastifyRequest): undefined {
  if (request.route.url === undefined) return undefined
  const type = request.headers['content-type']
  const what = type === undefined || type === '' ? 'Missing Content-Type' : `Invalid Content-Type "${type}"`
  throw invalidArgument(`${what}: request bodies must be JSON (Content-Type: application/json).`)
}

/** The API's reading of bodies: JSON only; an empty body is an empty message, as for Google. */
const API_BODIES: BodyReading = {
  json: (request, text) => {
    request.bodyText = text
    // An unknown path answers its 404 whatever its body: nothing of a body is checked there.
    if (text.trim() === '' || request.route.url === undefined) return {}
    try {
      return parseJsonBody(text)
    } catch (err) {
      const detail = err instanceof SyntaxError ? err.message : 'Malformed JSON.'
      throw invalidArgument(`Invalid JSON payload received. ${detail}`)
    }
  },
  other: notJson
}

/**
 * The bytes of a body, read as Fastify reads one for a parser with `parseAs` (its rawBody, in
 * fastify/lib/content-type-parser.js): at most the body limit, and as many bytes as its
 * Content-Length says, else Fastify's own errors — for a form or a multipart body, which only
 * the routes with a reader for them read (any other is answered without reading it).
 */
function readBytes (request: FastifyRequest, payload: NodeJS.ReadableStream & { receivedEncodedLength?: number }, done: (err: Error | null, bytes?: Buffer) => void): void {
  const contentLength = Number(request.headers['content-length'])
  if (contentLength > BODY_LIMIT) { done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE()); return }
  const chunks: Buffer[] = []
  let received = 0
  const stop = (): void => {
    payload.removeListener('data', onData)
    payload.removeListener('end', onEnd)
    payload.removeListener('error', onEnd)
  }
  function onData (chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    received += bytes.length
    if (received > BODY_LIMIT || (payload.receivedEncodedLength ?? 0) > BODY_LIMIT) {
      stop()
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE())
      return
    }
    chunks.push(bytes)
  }
  function onEnd (err?: Error & { statusCode?: number }): void {
    stop()
    if (err != null) {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400
      done(err)
      return
    }
    if (!Number.isNaN(contentLength) && (payload.receivedEncodedLength ?? received) !== contentLength) {
      done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH())
      return
    }
    done(null, Buffer.concat(chunks, received))
  }
  payload.on('data', onData)
  payload.on('end', onEnd)
  payload.on('error', onEnd)
  payload.resume()
}

/** The parser of a type that only some routes read: the route's reader of it, else a body of another type, not read. */
function readFor (readerOf: (bodies: BodyReading) => ((request: FastifyRequest, bytes: Buffer) => unknown) | undefined) {
  return (request: FastifyRequest, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: unknown) => void): void => {
    const bodies = request.route.bodies ?? API_BODIES
    const reader = readerOf(bodies)
    if (reader === undefined) { read(done, () => bodies.other(request)); return }
    readBytes(request, payload, (err, bytes) => { if (err !== null) done(err, undefined); else read(done, () => reader(request, bytes!)) })
  }
}

async function wire (app: FastifyInstance): Promise<void> {
  app.decorateRequest('sys', null as unknown as SystemParams)
  app.decorateRequest('account', null)
  app.decorateRequest('api', null as unknown as Record<string, never>)
  // What the request journal keeps of a request (src/plugins/journal.ts).
  app.decorateRequest('bodyText', undefined)
  app.decorateRequest('apiError', null)
  app.decorateRequest('methodId', null)
  // The fault rule that fired on the request (src/plugins/faults.ts).
  app.decorateRequest('fault', null)

  // Bodies: JSON only. An empty body is an empty message, as for Google. Prototype keys
  // are dropped, never applied. A route may read them otherwise (its settings' `bodies`: the
  // sign-in's forms, a batch's bytes); a form or a multipart body is read only for such a route.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    read(done, () => (request.route.bodies ?? API_BODIES).json(request, body as string))
  })
  app.addContentTypeParser('application/x-www-form-urlencoded', readFor(bodies => bodies.form))
  app.addContentTypeParser('multipart/mixed', readFor(bodies => bodies.multipart))
  app.addContentTypeParser('*', (request, _payload, done) => {
    read(done, () => (request.route.bodies ?? API_BODIES).other(request))
  })

  // One hook for the whole request pipeline (each hook costs on every request): system
  // parameters, then credentials and scopes (the auth plugin's), then the query.
  app.addHook('onRequest', (request, reply, done) => {
    const config = request.route
    const method = config.apiMethod
    request.methodId = method?.id ?? null
    const sys = parseSystemParams(request.query as Record<string, string | string[]>, method?.response, config.compact !== true)
    // The control plane never answers JSONP: a <script> of any page could load it (a browser
    // sends no Origin for it), and read the state, every token included, through the callback.
    if (sys.callback !== undefined || (request.query as Record<string, unknown>).callback !== undefined) {
      if (config.controlPlane === true || (method === undefined && isControlPlanePath(request.url))) {
        sys.callback = undefined
        sys.error ??= jsonpRefused()
      }
    }
    request.sys = sys
    // (Fastify's types want a string; a Buffer goes through as well: onSend hooks and the write take either.)
    reply.serializer(serializerFor(sys, reply) as (payload: unknown) => string)
    reply.header('content-type', contentTypeFor(sys))
    try {
      if (method) request.server.authenticate(request, method)
      checkQuery(request, config)
      done()
    } catch (err) {
      done(err as Error)
    }
  })

  function checkQuery (request: FastifyRequest, config: ResolvedRoute): void {
    if (request.sys.error) throw request.sys.error
    const { apiMethod: method, queryParams } = config
    const query = request.query as Record<string, string | string[]>
    if (method) {
      const api = parseMethodQuery(query, method)
      if (method.pathParam) {
        const value = (request.params as Record<string, string>)[method.pathParam.name]!
        api[method.pathParam.target] = method.pathParam.prefix + value
      }
      request.api = api
    } else if (queryParams) {
      for (const name of Object.keys(query)) {
        if (!SYSTEM_PARAMETERS.has(name) && !queryParams.includes(name)) {
          throw unknownParameter(name)
        }
      }
    }
  }

  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // A route with answers of its own shape (the sign-in's); should that fail, the envelope.
    const own = request.route?.errors
    if (own !== undefined) {
      try {
        return own(err, request, reply)
      } catch (failure) {
        return answer(failure as FastifyError, request, reply)
      }
    }
    return answer(err, request, reply)
  })

  /** The error as Google's envelope. */
  function answer (err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    // SQLite refused to grow the database: the emulator's budget (429) — reached by this write,
    // however large — or the disk (503).
    const budget = request.server.storageBudget
    const apiError = (err as { code?: string }).code === 'SQLITE_FULL' && budget !== undefined && budget.ceilingReached()
      ? storageFull(request.server.config.maxStorageMiB)
      : toApiError(err)
    // (An error a fault rule asked for is not the emulator's failure.)
    if (apiError.httpStatus >= 500 && request.fault === null) request.log.error({ err }, apiError.httpStatus === 503 ? 'request failed: storage unavailable' : 'request failed')
    request.apiError = apiError
    const sys = request.sys ?? DEFAULT_SYS
    // Fastify drops the content type before calling an error handler; set it again.
    if (apiError.headers !== undefined) reply.headers(apiError.headers)
    return reply.status(apiError.httpStatus).header('content-type', contentTypeFor(sys)).send(apiError.toBody(sys.xgafv2))
  }

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]
    // A person who opens the emulator's address in a browser is sent to the web UI; an API
    // client (which asks for JSON, or anything) gets Google's 404, as at people.googleapis.com/.
    if (request.method === 'GET' && path === '/' && /\btext\/html\b/.test(request.headers.accept ?? '')) {
      return reply.redirect('/_emulator/ui', 302)
    }
    const err = notFound(`The requested URL ${path} was not found on this server.`)
    request.apiError = err
    return reply.status(404).send(err.toBody((request.sys ?? DEFAULT_SYS).xgafv2))
  })
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's text as it arrived (JSON bodies). */
    bodyText: string | undefined
    /** The error the request was answered with. */
    apiError: ApiError | null
    /** The discovery method id of the request's route; null for other paths. */
    methodId: string | null
    /** The id of the fault rule that fired on the request; null: none. */
    fault: string | null
  }
}

export default wire
