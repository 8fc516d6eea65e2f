/**
 * Cross-origin requests as Google's front end answers them (FIDELITY.md: CORS), so that a web
 * app calls the emulator from the browser as it calls people.googleapis.com: every API path
 * (`/v1/…`, `/batch`, the discovery document, unknown paths) answers a preflight with the
 * origin echoed, and every response to a request with an `Origin` — errors included — is
 * readable by the page. The control plane (`/_emulator/*`) is left out: it answers no
 * cross-origin request (src/control-plane.ts refuses them); so are the sign-in pages
 * (`/o/oauth2/…`), as Google's accounts pages are (its token endpoint answers CORS).
 *
 * Hand-written rather than @fastify/cors: Google's headers are not that plugin's (the `Vary`
 * and `Access-Control-Expose-Headers` lists, 200 for a preflight, no CORS headers at all on a
 * request without `Origin`), and a request without `Origin` — nearly every request a test
 * suite sends — costs here one header lookup, where the plugin copies its options per request.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isControlPlanePath } from '../http.js'

/** What Google's preflight answer allows (observed). */
export const ALLOW_METHODS = 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'
/** Google's `Access-Control-Expose-Headers` (observed, repeated `vary` included). */
export const EXPOSE_HEADERS = 'vary,vary,vary,content-encoding,date,server,content-length'
/** Seconds a browser may keep a preflight's answer (observed). */
export const MAX_AGE = '3600'
/** Google's `Vary` on every API response (observed). */
export const VARY = 'Origin, X-Origin, Referer'

/**
 * Whether a request is for the control plane, by its route (a percent-encoded path is routed
 * decoded) or, for an unknown path (a preflight has no route), its URL read decoded as the
 * router reads it: `/%5Femulator/…` is the control plane too.
 */
export function isControlPlane (request: FastifyRequest): boolean {
  const route = request.route.url
  return route !== undefined ? route.startsWith('/_emulator') : isControlPlanePath(request.url)
}

/**
 * The headers of an actual response to a cross-origin request. Used by the request hook and
 * by the handler of errors met before routing (a malformed URL), which runs no hooks.
 */
export function addCorsHeaders (request: { headers: FastifyRequest['headers'] }, reply: FastifyReply): void {
  const origin = request.headers.origin
  reply.header('vary', VARY)
  if (origin === undefined) return
  reply.header('access-control-allow-origin', origin)
  reply.header('access-control-allow-credentials', 'true')
  reply.header('access-control-expose-headers', EXPOSE_HEADERS)
}

async function cors (app: FastifyInstance): Promise<void> {
  // Registered before every other request hook, so that whatever a later hook answers (401,
  // 400, 503 while closing) is readable cross-origin too.
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin
    if (origin === undefined) { reply.header('vary', VARY); done(); return }
    // The sign-in pages list the accounts that sign in: no other origin reads them.
    if (isControlPlane(request) || request.route.noCors === true) { done(); return }
    addCorsHeaders(request, reply)
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      // A preflight: answered here, before credentials are looked for (a browser sends none
      // with a preflight). No API method is routed for OPTIONS, so nothing else would.
      reply.header('access-control-allow-methods', ALLOW_METHODS)
      const requested = request.headers['access-control-request-headers']
      if (requested !== undefined) reply.header('access-control-allow-headers', requested)
      reply.header('access-control-max-age', MAX_AGE)
      reply.code(200).header('content-length', '0').send()
      return
    }
    done()
  })
}

export default cors
