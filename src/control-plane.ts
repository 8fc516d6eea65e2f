/**
 * Who may use the control plane (`/_emulator/*`): the emulator's administration, for test code
 * and the emulator's own same-origin pages — safe to expose on a shared QA machine. Checked on
 * every control-plane route (the `guard` of every route routes/emulator.ts's files add, run by
 * the last request hook: src/app.ts), before the route's own work:
 *
 * 1. The Host header names the emulator as its users reach it: a loopback name, an IP literal,
 *    a single-label name (a docker-compose service such as `people:8090`), or a name listed in
 *    `--allowed-hosts`. A DNS-rebinding attacker's name always has a dot: refused.
 * 2. No other origin: a request a browser sent from another page (its `Origin` names another
 *    host, or is `null`) is refused, preflights included, and no answer carries CORS headers.
 * 3. With `--control-token`, every request but health and the web UI's pages and assets (which
 *    hold no data: the page asks for the token once and sends it with each read) carries
 *    `Authorization: Bearer <token>`.
 * 4. A request that changes something carries `Content-Type: application/json` (a JSON body, or
 *    none), or an `Authorization` or `X-Requested-With` header: none of these can be sent to
 *    another origin without a preflight, so no simple cross-site request (a form, a no-cors
 *    fetch) reaches it even from a browser that sends no Origin. (WebKit lets a no-cors fetch
 *    carry a JSON Blob's type; it sends the Origin and Sec-Fetch-Site that 2 and 5 refuse.)
 *    Or it has no body and comes from no browser page: no Content-Type, no body, and none of the
 *    headers every browser sends with a POST or DELETE (`Origin`, `Sec-Fetch-*`) — `curl -X POST
 *    …/reset` as typed, Python's `requests.post(url)`. (A form always sends a Content-Type.)
 * 5. What a browser loads without an Origin — a `<script>`, an `<img>`, a frame — is refused
 *    by what its `Sec-Fetch-*` headers say (fetchedAsItMayBe), and every answer carries
 *    `X-Content-Type-Options: nosniff` and `Cross-Origin-Resource-Policy: same-origin`, so that
 *    a browser without those headers does not hand it to another page either; and no answer is
 *    JSONP (src/plugins/wire.ts refuses `callback` here).
 *
 * The discovery document applies the Host check too: its rootUrl is built from the Host.
 */
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import { timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import { ApiError } from './errors.js'

export function crossOriginRefused (): ApiError {
  return new ApiError('PERMISSION_DENIED', 'The emulator\'s control plane (/_emulator/*) does not accept cross-origin requests.')
}

function loadRefused (): ApiError {
  return new ApiError('PERMISSION_DENIED', 'The emulator\'s control plane (/_emulator/*) answers a browser\'s fetch from its own pages and a navigation, not a script, style, image or frame load, nor a request from another site.')
}

/** Whether a browser sent the request from a page of another origin than the emulator's own. */
export function isCrossOrigin (request: FastifyRequest): boolean {
  const origin = request.headers.origin
  if (origin === undefined) return false
  try {
    const from = new URL(origin)
    // A page is served over http or https; any other scheme is another origin.
    if (from.protocol !== 'http:' && from.protocol !== 'https:') return true
    // The Host header read as a URL of the origin's scheme, so that default ports compare equal.
    return from.host !== new URL(`${from.protocol}//${request.headers.host ?? ''}`).host
  } catch {
    // `Origin: null` (a sandboxed frame, a file: page) or garbage.
    return true
  }
}

/** The host name of a Host header, lower case, without its port; undefined when there is none. */
export function hostName (host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') === -1 ? undefined : host.indexOf(']')).toLowerCase()
  // A port is digits: `127.0.0.1:8090.evil.com` is a name (with a dot), not an IP address and a port.
  const colon = host.lastIndexOf(':')
  return (colon === -1 || !/^\d*$/.test(host.slice(colon + 1)) ? host : host.slice(0, colon)).toLowerCase()
}

/** Whether the control plane answers to a Host: loopback names, IP literals, single-label names, or listed ones. */
export function isAllowedHost (host: string | undefined, allowed: ReadonlySet<string>): boolean {
  const name = hostName(host)
  // HTTP/1.0 sends none; a browser always does.
  if (name === undefined) return true
  return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || !name.includes('.') || allowed.has(name)
}

function hostRefused (request: FastifyRequest): ApiError {
  const name = hostName(request.headers.host) ?? ''
  return new ApiError('PERMISSION_DENIED', `Host "${name}" is not one the emulator answers to for its control plane and discovery document: start the emulator with --allowed-hosts ${name} (or PEOPLE_EMULATOR_ALLOWED_HOSTS) to allow it.`)
}

function tokenMissing (): ApiError {
  return new ApiError('UNAUTHENTICATED', 'The emulator\'s control plane needs its control token: send Authorization: Bearer <the --control-token value>.', { reason: 'required', location: 'Authorization', locationType: 'header' })
}

function unsafeRequestRefused (): ApiError {
  return new ApiError('PERMISSION_DENIED', 'A control-plane request that changes something needs Content-Type: application/json (with a JSON body, or none), or an Authorization or X-Requested-With header, so that no web page can send it; only a request without a body may go without, from a client that is not a browser page. With curl: -H \'content-type: application/json\'.')
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** The route of contacts' photos (routes/emulator.ts). */
export const PHOTOS_ROUTE = '/_emulator/photos/:file'

function sameToken (given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The checks of the header comment, 1 to 4, as a request hook of the control plane's routes. */
export function controlPlaneGuard (app: FastifyInstance): onRequestHookHandler {
  const allowed = new Set(app.config.allowedHosts)
  const token = app.config.controlToken
  return (request, reply, done) => {
    // Photos are the API's (the URLs in contacts' `photos`, loaded by <img> tags in any page,
    // as Google's photo URLs are): knowing the URL is enough, as for Google's.
    if (request.route.url === PHOTOS_ROUTE) { done(); return }
    // No route: the not-found handler answers, as for any unknown path (src/route-groups.ts).
    if (request.route.url === undefined) { done(); return }
    // Whatever is answered: never read as a script or a style, never by another origin's
    // no-cors load (a <script>, an <img>), never kept in a cache.
    reply.header('x-content-type-options', 'nosniff').header('cross-origin-resource-policy', 'same-origin').header('cache-control', 'no-store')
    if (!isAllowedHost(request.headers.host, allowed)) { done(hostRefused(request)); return }
    if (isCrossOrigin(request)) { done(crossOriginRefused()); return }
    if (!fetchedAsItMayBe(request)) { done(loadRefused()); return }
    if (token !== undefined && request.route.url !== '/_emulator/health' && request.route.page !== true) {
      const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '')
      if (m === null || !sameToken(m[1]!, token)) { done(tokenMissing()); return }
    }
    if (CHANGES.has(request.method)) {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
      if (type !== 'application/json' && request.headers.authorization === undefined && request.headers['x-requested-with'] === undefined && !bodilessFromNoPage(request)) {
        done(unsafeRequestRefused())
        return
      }
    }
    done()
  }
}

/** No body, and none of the headers a browser sends with a request that changes something: a test's HTTP client. */
function bodilessFromNoPage (request: FastifyRequest): boolean {
  const h = request.headers
  const length = h['content-length']
  return h['content-type'] === undefined && (length === undefined || length === '0') && h['transfer-encoding'] === undefined &&
    h.origin === undefined && h['sec-fetch-site'] === undefined && h['sec-fetch-mode'] === undefined && h['sec-fetch-dest'] === undefined
}

/**
 * What a browser says of a request in its `Sec-Fetch-*` headers (every current browser sends
 * them; other clients send none, and are not asked). A browser sends no `Origin` with a
 * `<script>`, `<img>` or `<link>` load, nor with a top-level navigation: these say what the
 * Origin check cannot see.
 *
 * - From another site or origin (`Sec-Fetch-Site` other than `same-origin`, or `none` for what
 *   the user typed or bookmarked): only a top-level navigation (`Sec-Fetch-Mode: navigate`,
 *   `Sec-Fetch-Dest: document`) of a GET, whose answer that other page cannot read — a test
 *   report's link to a web UI page, say. A script, a style, an image, a frame: refused.
 * - A destination other than a fetch (`empty`) or a document: only the web UI's own assets,
 *   loaded by its pages.
 */
export function fetchedAsItMayBe (request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site']
  const dest = request.headers['sec-fetch-dest']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    if (request.method !== 'GET' || request.headers['sec-fetch-mode'] !== 'navigate' || dest !== 'document') return false
  }
  if (dest !== undefined && dest !== 'empty' && dest !== 'document' && request.route.page !== true) return false
  return true
}

/** The Host check alone, for the discovery document (whose rootUrl follows the Host). */
export function hostGuard (app: FastifyInstance): onRequestHookHandler {
  const allowed = new Set(app.config.allowedHosts)
  return (request, _reply, done) => { done(isAllowedHost(request.headers.host, allowed) ? undefined : hostRefused(request)) }
}
