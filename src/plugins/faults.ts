/**
 * Production's failures on the request path: fault rules (src/faults.ts) and, with
 * `--quotas on`, the per-user quotas (src/quotas.ts). Both apply to calls of the API's
 * methods — each call of an HTTP batch as to a lone one — once their credentials are checked.
 *
 * On arrival (preHandler): a `before` rule that fires waits its delay, then answers its error
 * (nothing is applied); otherwise the call spends its quotas, and an exhausted one answers its
 * 429. Once a call has succeeded (onSend, before the journal records it): an `after` rule that
 * fires waits its delay and answers its error in place of the success — the change is stored.
 * With no rule and quotas off, each hook is one comparison.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { FaultRules, type FaultAction } from '../faults.js'
import { QuotaLedger } from '../quotas.js'
import { serializerFor } from './wire.js'

const HTML_TYPE = 'text/html; charset=UTF-8'

async function faults (app: FastifyInstance): Promise<void> {
  const rules = new FaultRules(app.random)
  const quotas = new QuotaLedger(app.config.quotas, app.config.quotaLimits)
  app.decorate('faults', rules)
  app.decorate('quotas', quotas)

  // Delays in progress: a close does not wait them out, and once it has begun no delay starts
  // (the calls of a batch held by a rule would otherwise each wait in turn).
  const waking = new Set<() => void>()
  let closing = false
  const later = (ms: number, then: () => void): void => {
    if (closing) { then(); return }
    const wake = (): void => {
      clearTimeout(timer)
      waking.delete(wake)
      then()
    }
    const timer = setTimeout(wake, ms)
    waking.add(wake)
  }
  app.addHook('preClose', async () => {
    closing = true
    for (const wake of [...waking]) wake()
  })

  const clock = app.clock
  const html = (reply: FastifyReply, page: string): void => {
    reply.code(502).header('content-type', HTML_TYPE).send(Buffer.from(page))
  }

  app.addHook('preHandler', (request, reply, done) => {
    const methodId = request.methodId
    if (methodId === null || (rules.before === 0 && !quotas.enabled)) { done(); return }
    const accountId = request.account?.id ?? null
    const spend = (): void => {
      const refused = quotas.enabled && accountId !== null ? quotas.spend(accountId, methodId, clock.peek()) : undefined
      done(refused)
    }
    const action = rules.before === 0 ? undefined : rules.fire('before', methodId, accountId)
    if (action === undefined) { spend(); return }
    request.fault = action.rule.id
    const act = (): void => {
      if (action.html !== undefined) html(reply, action.html)
      else if (action.error !== undefined) done(action.error)
      else spend()
    }
    if (action.delayMs > 0) later(action.delayMs, act)
    else act()
  })

  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    if (rules.after === 0 || request.methodId === null || reply.statusCode >= 400) { done(null, payload); return }
    const action: FaultAction | undefined = rules.fire('after', request.methodId, request.account?.id ?? null)
    if (action === undefined) { done(null, payload); return }
    request.fault = action.rule.id
    const act = (): void => {
      if (action.html !== undefined) {
        reply.code(502).header('content-type', HTML_TYPE)
        done(null, action.html)
      } else if (action.error !== undefined) {
        const err = action.error
        request.apiError = err
        reply.code(err.httpStatus)
        done(null, serializerFor(request.sys, reply)(err.toBody(request.sys.xgafv2)))
      } else {
        done(null, payload)
      }
    }
    if (action.delayMs > 0) later(action.delayMs, act)
    else act()
  })
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The fault rules (POST /_emulator/faults). */
    faults: FaultRules
    /** What each account has spent of its quotas (--quotas on). */
    quotas: QuotaLedger
  }
}

export default faults
