/**
 * buildApp(config): the whole emulator as a Fastify instance, never listening. server.ts
 * listens; tests build a fresh app each and use `inject` or a real ephemeral port.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import { readFileSync } from 'node:fs'
import { Socket } from 'node:net'
import type { PackedAccount } from '../db/model.js'
import { defaultConfig, type Config } from './config.js'
import { EmulatorClock, parseClockMode, type Clock } from './clock.js'
import { cryptoRandom, seededRandom, type RandomSource } from './ids.js'
import { FixtureError, parsePackedFixtureDocument, type ParsedDocument } from './fixtures/fixture.js'
import { loggerOptions } from './logger.js'
import wire, { BODY_LIMIT, toApiError } from './plugins/wire.js'
import cors, { addCorsHeaders } from './plugins/cors.js'
import journal from './plugins/journal.js'
import faults from './plugins/faults.js'
import connections, { CHECK_INTERVAL_MS, type ConnectionLimits } from './plugins/connections.js'
import { unavailable } from './errors.js'
import storage from './plugins/storage.js'
import auth from './plugins/auth.js'
import oauth from './plugins/oauth.js'
import oauthRoutes from '../routes/oauth.js'
import mutationQueue from './plugins/mutation-queue.js'
import v1Routes, { implementations, type ProbeImplementations } from '../routes/v1/index.js'
import emulatorRoutes from '../routes/emulator.js'
import discoveryRoutes from '../routes/discovery.js'
import batchRoutes from '../routes/batch.js'
import { isBatchPart } from './batch/dispatch.js'
import { isControlPlanePath } from './http.js'
import './types.js'
import { resolveRoute, RouteGroup } from './route-groups.js'
import { CREDENTIAL_PARAMETERS, redactParameters } from './secret-parameters.js'

export interface BuildOptions {
  clock?: EmulatorClock
  random?: RandomSource
  /** Replaces the logger built from config (tests pass a stream or `false`). */
  logger?: FastifyServerOptions['logger']
  /** Handlers in place of the emulator's own (tests: a probe that echoes what reached it). */
  implementations?: ProbeImplementations
  /** Shorter limits on how long a request may take to arrive (tests). */
  connectionLimits?: ConnectionLimits
  /** A smaller bound on the tombstones one account keeps (tests). */
  tombstonesPerAccount?: number
  /** The start fixtures as a document rather than a file (library mode); wins over config.fixtures. */
  fixturesDocument?: unknown
}

/**
 * Reads and checks a fixture file; throws FixtureError with the file and JSON path. The
 * accounts come back packed (contacts as strings, see PackedContact): they stay in memory for reset.
 */
export function loadFixtureFile (file: string, clock: Clock, random: RandomSource): ParsedDocument<PackedAccount> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new FixtureError(`cannot read fixtures file ${file}: ${(err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new FixtureError(`fixtures file ${file} is not JSON: ${(err as Error).message}`)
  }
  return loadFixtureDocument(doc, clock, random, `fixtures file ${file}`)
}

/** Checks a fixture document given as a value (library mode); throws FixtureError naming `what` and the JSON path. */
export function loadFixtureDocument (doc: unknown, clock: Clock, random: RandomSource, what = 'fixtures'): ParsedDocument<PackedAccount> {
  try {
    return parsePackedFixtureDocument(doc, clock, random)
  } catch (err) {
    if (err instanceof FixtureError) throw new FixtureError(`${what}: ${err.message}`)
    throw err
  }
}

/**
 * The validator and serializer compilers Fastify is given: the emulator declares no route
 * schemas, so a route that did would be a mistake, reported when the route is added. Without
 * them Fastify would load Ajv, its formats and fast-json-stringify on every start (about a
 * tenth of the bundle) for nothing.
 */
function noRouteSchemas (): never {
  throw new Error('Fastify route schemas are not used: requests go through the discovery transcoder (src/discovery/transcode.ts)')
}

// One function of some 120 lines, kept whole on purpose: the order of its registrations is the
// order of the hooks every request passes through (docs/architecture.md), read top to bottom.
export async function buildApp (config: Partial<Config> = {}, options: BuildOptions = {}): Promise<FastifyInstance> {
  const full: Config = { ...defaultConfig, ...config }
  const clock = options.clock ?? new EmulatorClock(parseClockMode(full.clock) ?? { kind: 'system' })
  const random = options.random ?? (full.seed === undefined ? cryptoRandom() : seededRandom(full.seed))
  const start = options.fixturesDocument !== undefined
    ? loadFixtureDocument(options.fixturesDocument, clock, random)
    : full.fixtures === undefined ? { clients: [], accounts: [], domains: [] } : loadFixtureFile(full.fixtures, clock, random)
  // Reset comes back here: the clock and the random stream as they were after the fixtures.
  const startPoint = { clock: clock.snapshot(), random: random.snapshot?.() }

  const log = options.logger === undefined ? loggerOptions(full.logLevel) : { logger: options.logger, stop: () => {} }
  const app = Fastify({
    logger: log.logger,
    bodyLimit: BODY_LIMIT,
    // One line per request, written by the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Requests during close get the envelope from the hook below, not Fastify's own 503.
    return503OnClosing: false,
    // Node looks for requests that do not arrive in time this often (src/plugins/connections.ts).
    http: { connectionsCheckingInterval: CHECK_INTERVAL_MS },
    // No route declares a Fastify schema: bodies are read by the discovery transcoder and
    // answers serialised by the emulator. Compilers of our own keep Fastify from loading Ajv
    // and fast-json-stringify at start-up (see noRouteSchemas).
    schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
    // `/v1/people/c1%3AupdateContact` is the same request as `/v1/people/c1:updateContact`.
    rewriteUrl: (req) => decodeVerbColon(req.url ?? '/'),
    // Errors Fastify meets before routing (a malformed URL): the same envelope.
    frameworkErrors: (err, request, reply) => {
      const apiError = toApiError(err)
      const r = reply as unknown as FastifyReply
      // No hook runs for these: CORS headers as the cors plugin would set them (a malformed
      // URL under /_emulator is still not answered cross-origin).
      if (!isControlPlanePath(request.url)) addCorsHeaders(request, r)
      r.status(apiError.httpStatus).header('content-type', 'application/json; charset=UTF-8')
        .send(JSON.stringify(apiError.toBody(), null, 2))
    }
  })
  // Buffered log lines are written out when the emulator closes.
  app.addHook('onClose', (_instance, done) => {
    log.stop()
    done()
  })
  app.decorate('config', full)
  app.decorate('clock', clock)
  app.decorate('random', random)
  app.decorate('rewind', () => {
    clock.restore(startPoint.clock)
    if (startPoint.random !== undefined) random.restore?.(startPoint.random)
  })

  // The route the request goes to, read before any other hook looks at it (routes registered
  // in groups are found by the group's router: src/route-groups.ts).
  app.decorateRequest('route', null as unknown as FastifyRequest['route'])
  app.addHook('onRequest', (request, _reply, done) => {
    resolveRoute(request)
    done()
  })

  // The plugins of src/plugins/ add hooks, decorators and parsers to the app itself, in this
  // order (a later one uses what an earlier one decorated: auth the stores and sign-in state):
  // they are called, not registered — avvio's bookkeeping of a registration cost ~3 ms of each
  // start, for plugins that make no context of their own; so are the route files below.
  // First of all other request hooks: whatever a later one answers is readable cross-origin on the
  // API's paths. (The routes' own guards, the control plane's checks among them, are the last
  // request hook: below.)
  await connections(app, options.connectionLimits ?? {})
  await cors(app)

  // Hot-path hooks are callback-style (no promise per request) and build log lines only
  // when their level is on.
  const level = app.log.level
  const logRequests = level === 'info' || level === 'debug' || level === 'trace'
  const logHeaders = level === 'debug' || level === 'trace'
  if (logHeaders) {
    app.addHook('onRequest', (request, _reply, done) => {
      request.log.debug({ method: request.method, url: redactUrl(request.url), headers: request.headers }, 'incoming request')
      done()
    })
  }
  if (logRequests) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.info({ method: request.method, url: redactUrl(request.url), statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed')
      done()
    })
  }

  // Graceful close: the listener stops accepting; requests already received (queued mutations
  // included) are answered; a request that arrives on a kept-alive connection meanwhile gets
  // Google's 503 envelope; every response while closing ends its connection, so the close
  // does not wait out idle sockets.
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.decorate('isClosing', () => closing)
  app.addHook('onRequest', (request, _reply, done) => {
    // The calls of a batch received before the shutdown are answered like the batch itself.
    done(closing && !isBatchPart(request.raw) ? unavailable('The emulator is shutting down.') : undefined)
  })
  // Responses ready in one turn of the event loop leave together: the turn's first answer is
  // written at once (the client works on it while the others are made); the others wait until
  // the turn's I/O callbacks are done (setImmediate) and are then written one after the other.
  // A client with many connections is then woken about twice a turn instead of once for each
  // answer (a wake-up of a sleeping client is a good part of the kernel time of a write on
  // loopback). No response waits longer than the turn it was ready in. (Corking the sockets
  // instead does nothing: Node's ServerResponse.end() uncorks its socket fully.)
  let ready: Array<() => void> = []
  let turnStarted = false
  const writeReady = (): void => {
    turnStarted = false
    const now = ready
    ready = []
    for (const write of now) write()
  }
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close')
    // Injected requests (batch parts, app.inject) have no socket to share a turn with.
    if (!(reply.raw.socket instanceof Socket)) { done(null, payload); return }
    if (!turnStarted) {
      // The turn's first answer goes at once: the client works on it while the rest are made.
      turnStarted = true
      setImmediate(writeReady)
      done(null, payload)
      return
    }
    ready.push(() => { done(null, payload) })
  })

  await wire(app)
  // Before the journal: its onSend hook records the answer an `after` fault rule gives.
  await faults(app)
  await journal(app)
  await storage(app, { db: full.db, startAccounts: start.accounts, startDomains: start.domains, startClients: start.clients, tombstonesPerAccount: options.tombstonesPerAccount })
  await oauth(app)
  await auth(app)
  await mutationQueue(app)
  // The app's own routes — the API's, the discovery document's, the control plane's, /batch and
  // the sign-in's — are one group behind one Fastify route, `/*` (src/route-groups.ts); they
  // are called, as the plugins above: the guards of the discovery document and of the control
  // plane are their routes' settings, run by the last request hook, where a context of their
  // own would have run them as its hooks; the bodies of /batch and the sign-in are read, and
  // the sign-in's errors answered, by their routes' settings (src/plugins/wire.ts), where a
  // context of their own would have had its parsers and error handler.
  const routes = new RouteGroup(app, ['/'])
  await v1Routes(routes, { implementations: options.implementations ?? {} })
  await discoveryRoutes(app, routes)
  await emulatorRoutes(app, routes, { implemented: new Set([...Object.keys(implementations), ...Object.keys(options.implementations ?? {})]) })
  batchRoutes(app, routes)
  oauthRoutes(app, routes)
  routes.mount()
  // Last of the request hooks, the route's own guard (its settings' `guard`): who may call the
  // discovery document (its host) and the control plane (src/control-plane.ts).
  app.addHook('onRequest', (request, reply, done) => {
    const guard = request.route.guard
    if (guard === undefined) done()
    else guard.call(app, request, reply, done)
  })
  return app
}

/** Decodes a percent-encoded colon in the path (not the query): Google accepts `%3A` before a verb. */
export function decodeVerbColon (url: string): string {
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  if (!/%3a/i.test(path)) return url
  return path.replace(/%3a/gi, ':') + (q === -1 ? '' : url.slice(q))
}

/** Query parameters whose values never reach a log: credentials, and account ids (an undeclared account's id is its token). */
const SECRET_PARAMETERS: ReadonlySet<string> = new Set([...CREDENTIAL_PARAMETERS, 'account'])

/**
 * A URL fit for logs: the values of credential parameters are replaced by [Redacted],
 * however the name is spelled — the query parser decodes names, so `access%5Ftoken` is
 * `access_token` too. A name that does not decode has its value redacted as well.
 */
export function redactUrl (url: string): string {
  const q = url.indexOf('?')
  if (q === -1) return url
  const query = url.slice(q + 1)
  // The common case, checked in one pass: nothing encoded and no secret name.
  if (!/[%+]|token|key|account|code|secret|hint|assertion/.test(query)) return url
  return url.slice(0, q + 1) + redactParameters(query, SECRET_PARAMETERS)
}
