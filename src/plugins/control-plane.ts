/**
 * Who may use the control plane (`/_emulator/*`): the emulator's administration, for test code
 * and the emulator's own same-origin pages. A request that a browser sent from another origin
 * (its `Origin` names another host, or is `null`) is refused with a 403 in Google's envelope
 * before anything runs, preflights included — so a web page the developer happens to visit
 * cannot reset, import or read the emulator's state, and no control-plane answer carries CORS
 * headers (src/plugins/cors.ts leaves these paths out).
 */
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../errors.js'
import { isControlPlane } from './cors.js'

export function crossOriginRefused (): ApiError {
  return new ApiError('PERMISSION_DENIED', 'The emulator\'s control plane (/_emulator/*) does not accept cross-origin requests.')
}

/** Whether a browser sent the request from a page of another origin than the emulator's own. */
export function isCrossOrigin (request: FastifyRequest): boolean {
  const origin = request.headers.origin
  if (origin === undefined) return false
  try {
    const from = new URL(origin)
    // The Host header read as a URL of the origin's scheme, so that default ports compare equal.
    return from.host !== new URL(`${from.protocol}//${request.headers.host ?? ''}`).host
  } catch {
    // `Origin: null` (a sandboxed frame, a file: page) or garbage.
    return true
  }
}

async function controlPlane (app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', (request, _reply, done) => {
    done(isCrossOrigin(request) && isControlPlane(request) ? crossOriginRefused() : undefined)
  })
}

export default fp(controlPlane, { name: 'control-plane', fastify: '5.x' })
