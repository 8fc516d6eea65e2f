/**
 * The control plane, under /_emulator/ (never under /v1): health, fidelity and photos here;
 * reset, export and import (routes/state.ts); the journal and the clock
 * (routes/journal-clock.ts); other people (routes/other-people.ts); snapshots, faults and the web
 * UI in their own files. No API credentials are needed here; these routes are for the test
 * harness, not the client, and guarded as src/control-plane.ts says. A new control-plane
 * route goes in one of these files (or a new one called below), added to `app.controlRoutes`:
 * that marks it `controlPlane` and gives it the guard. A route under /_emulator/ without both is
 * refused when it is added (src/route-groups.ts, and the onRoute hook below).
 */
import type { FastifyInstance } from 'fastify'
import { fidelity } from '../src/fidelity/report.js'
import snapshotRoutes from './snapshots.js'
import faultRoutes from './faults.js'
import uiRoutes from './ui.js'
import stateRoutes from './state.js'
import journalAndClockRoutes from './journal-clock.js'
import otherPeopleRoutes from './other-people.js'
import oauthAdminRoutes from './oauth-admin.js'
import { controlPlaneGuard, PHOTOS_ROUTE } from '../src/control-plane.js'
import type { RouteGroup } from '../src/route-groups.js'
import { isControlPlanePath } from '../src/http.js'
import type { RouteSettings } from '../src/types.js'

/** A 1×1 grey PNG: what every contact's default photo shows. */
const DEFAULT_PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4DwABAQEAWEoVRgAAAABJRU5ErkJggg==', 'base64')

/**
 * Adds the control plane's routes to the app's group (src/route-groups.ts), each marked
 * `controlPlane` (the wire plugin answers it no JSONP; a route Fastify is given itself, the
 * import's with a body limit of its own, is marked too). Called by buildApp, as the files below
 * are: they make no context of their own.
 */
export default async function emulatorRoutes (app: FastifyInstance, group: RouteGroup, options: { implemented: ReadonlySet<string> }): Promise<void> {
  // Host, origin, control token, and no simple cross-site request (src/control-plane.ts): the
  // guard of every route of the control plane.
  const routes = group.withDefaults({ controlPlane: true, guard: controlPlaneGuard(app) })
  app.decorate('controlRoutes', routes)
  // A route Fastify is given itself under /_emulator/ (the import's) is one of these too.
  app.addHook('onRoute', route => {
    const settings = route.config as RouteSettings | undefined
    if (isControlPlanePath(route.url) && (settings?.controlPlane !== true || settings.guard === undefined)) {
      throw new Error(`route ${route.url} is under /_emulator/ but not marked controlPlane with the control plane's guard: add it to app.controlRoutes`)
    }
  })

  // Answers throughout an import or reset (ungated): it does not touch the database.
  routes.get('/_emulator/health', { config: { queryParams: [], compact: true, ungated: true } }, async () => ({ status: 'ok' }))

  // Snapshots of the whole state: save, restore, list, delete (routes/snapshots.ts).
  await snapshotRoutes(app)

  // Fault rules and quotas (routes/faults.ts).
  await faultRoutes(app)

  // The web UI and the reads it shows (routes/ui.ts).
  await uiRoutes(app)

  routes.get('/_emulator/fidelity', { config: { queryParams: [], compact: true } }, async () => fidelity(options.implemented))

  // Photos (FIDELITY.md: contact model, default photo; the URLs are the emulator's, chosen): an uploaded one by its id,
  // and for any other name the default photo every contact shows.
  routes.get(PHOTOS_ROUTE, { config: { queryParams: [], compact: true } }, async (request, reply) => {
    const uploaded = app.contacts.photo((request.params as { file: string }).file)
    return reply.header('content-type', uploaded?.contentType ?? 'image/png').header('cache-control', 'public, max-age=86400')
      .send(uploaded?.bytes ?? DEFAULT_PHOTO)
  })

  // The whole state: reset, export, import (routes/state.ts).
  await stateRoutes(app)

  // The request journal and the clock (routes/journal-clock.ts).
  await journalAndClockRoutes(app)

  // Other contacts and directory people, added and removed (routes/other-people.ts).
  await otherPeopleRoutes(app)

  // Sign-in: tokens for test set-up, grants seen and revoked (routes/oauth-admin.ts).
  await oauthAdminRoutes(app)
}
