/**
 * Fault rules and quotas, part of the control plane (src/faults.ts, src/quotas.ts):
 * `POST /_emulator/faults` adds a rule (201 with the rule), `GET` lists them with their hits,
 * `DELETE /_emulator/faults/ID` and `DELETE /_emulator/faults` remove one or all;
 * `GET /_emulator/quotas?account=ID` shows what an account has spent and has left.
 * Registered inside routes/emulator.ts, under its guard.
 */
import type { FastifyInstance } from 'fastify'
import { invalidArgument, notFound } from '../src/errors.js'

export default async function faultRoutes (app: FastifyInstance): Promise<void> {
  // Under /_emulator/: the control plane's route group (routes/emulator.ts).
  const routes = app.controlRoutes
  const settings = { config: { queryParams: [], compact: true, ungated: true } }

  routes.post('/_emulator/faults', settings, async (request, reply) => {
    const rule = app.faults.add(request.body ?? {})
    return reply.code(201).send(rule)
  })

  routes.get('/_emulator/faults', settings, async () => ({ faults: app.faults.list() }))

  routes.delete('/_emulator/faults', settings, async () => {
    app.faults.clear()
    return {}
  })

  routes.delete('/_emulator/faults/:id', settings, async (request) => {
    const { id } = request.params as { id: string }
    if (!app.faults.remove(id)) throw notFound(`Fault rule "${id}" was not found.`)
    return {}
  })

  routes.get('/_emulator/quotas', { config: { queryParams: ['account'], compact: true, ungated: true } }, async (request) => {
    const { account } = request.query as { account?: string | string[] }
    if (typeof account !== 'string' || account === '') throw invalidArgument('GET /_emulator/quotas needs ?account=ID: the account whose quotas to show.')
    return { account, enabled: app.quotas.enabled, quotas: app.quotas.state(account, app.clock.peek()) }
  })
}
