/**
 * The discovery document, as Google serves it at /$discovery/rest?version=v1 and
 * /discovery/v1/apis/people/v1/rest, with rootUrl and baseUrl rewritten to the emulator's own
 * address: discovery-based clients (Python's build(), …) then call the emulator unchanged.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { notFound } from '../src/errors.js'
import { baseUrl } from '../src/http.js'
import { hostGuard } from '../src/control-plane.js'
import { packageRoot } from '../src/package-info.js'
import type { Routes } from '../src/route-groups.js'

let document: Record<string, unknown> | undefined

/** Read once, on the first request: nothing of it is needed to start. */
function discoveryDocument (): Record<string, unknown> {
  document ??= JSON.parse(readFileSync(join(packageRoot, 'spec', 'people-v1.discovery.json'), 'utf8')) as Record<string, unknown>
  return document
}

function serve (request: FastifyRequest, version: string | undefined): Record<string, unknown> {
  if (version !== 'v1') throw notFound(`No discovery document for people version "${version ?? ''}": this emulator serves v1.`)
  const root = baseUrl(request) + '/'
  return { ...discoveryDocument(), rootUrl: root, baseUrl: root }
}

/** Adds the discovery document's routes to the app's group (called by buildApp: they make no context of their own). */
export default async function discoveryRoutes (app: FastifyInstance, routes: Routes): Promise<void> {
  // Its rootUrl follows the Host header: only for a host the emulator answers to.
  const guard = hostGuard(app)
  routes.get('/$discovery/rest', { config: { queryParams: ['version'], guard } }, async (request) =>
    serve(request, (request.query as { version?: string }).version))
  routes.get('/discovery/v1/apis/people/:version/rest', { config: { queryParams: [], guard } }, async (request) =>
    serve(request, (request.params as { version: string }).version))
}
