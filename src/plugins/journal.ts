/**
 * The request journal: every request to the API — each call of an HTTP batch too, and the
 * batch itself — recorded, newest last, in a ring of at most `--journal-size` entries (0: off)
 * that together take at most `--journal-memory` MiB (the oldest go first), so that a test can
 * assert on the calls its code made (`GET /_emulator/requests`, `emulator.requests()`). The
 * control plane's own requests are not recorded.
 *
 * On the request path an entry is a handful of references (the body text already read, the
 * payload already serialised, the query already parsed): parsing and formatting happen when
 * the journal is read. What a request can make large is bounded and copied when it is
 * recorded — a body past JOURNAL_BODY_LIMIT characters, a long URL, error message or account
 * id — so that an entry never holds on to the rest of what it was cut from (a slice of a V8
 * string keeps its whole parent alive). Credentials never appear: no header is kept, the
 * credential parameters of the query are redacted when shown, the credential headers and
 * parameters inside a batch's body when it is recorded, and an account whose id is its token
 * (every undeclared account) is shown by a digest of it.
 */
import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isControlPlanePath } from '../http.js'
import { Journal } from '../journal/journal.js'
import { errorOf, textOf, type Recorded } from '../journal/keep.js'

export { JOURNAL_BODY_LIMIT, JOURNAL_PAGE_CHARS, MAX_JOURNAL_PAGE, redactBatchText, tokenDigest } from '../journal/keep.js'
export { parseJournalFilter, parseJournalPage } from '../journal/journal.js'
export type { JournalEntry, JournalError, JournalFilter } from '../journal-entry.js'

async function journal (app: FastifyInstance): Promise<void> {
  app.decorateRequest('redactedResponse', undefined)
  const j = new Journal(app.config.journalSize, app.config.journalMemoryMiB * 1024 * 1024)
  app.decorate('journal', j)
  if (!j.enabled) return
  const clock = app.clock
  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    const url = request.url
    // The control plane is not recorded, however its path is spelt (`/%5Femulator/…`).
    const second = url.charCodeAt(1)
    if (!((second === 0x5f || second === 0x25) && isControlPlanePath(url))) {
      const account = request.account
      const apiError = request.apiError
      const entry: Recorded = {
        id: 0,
        micros: clock.peek(),
        accountId: account === null ? null : account.id,
        idIsToken: account !== null && account.id === account.token,
        digested: false,
        method: request.methodId,
        httpMethod: request.method,
        url,
        query: request.query,
        status: reply.statusCode,
        error: apiError === null ? null : errorOf(apiError),
        fault: request.fault,
        durationMs: 0,
        requestText: request.bodyText ?? textOf(request.body),
        responseText: request.redactedResponse ?? (typeof payload === 'string' || payload instanceof Uint8Array ? payload : undefined),
        bytes: 0
      }
      // The batch route's, however its path is spelt (`/%62atch`): decided by the route.
      const batch = request.methodId === null && request.route.url === '/batch'
      if (payload instanceof Readable) {
        // An answer sent as it is made (an HTTP batch's): recorded once it has all gone, after
        // the calls it made, as an answer made whole would be.
        reply.raw.once('close', () => {
          entry.micros = clock.peek()
          entry.durationMs = Math.round(reply.elapsedTime * 1000) / 1000
          j.record(entry, batch)
        })
      } else {
        entry.durationMs = Math.round(reply.elapsedTime * 1000) / 1000
        j.record(entry, batch)
      }
    }
    done(null, payload)
  })
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The answer as the journal keeps it, when it differs from what was sent (tokens redacted). */
    redactedResponse: string | undefined
  }
  interface FastifyInstance {
    /** The request journal (see src/plugins/journal.ts). */
    journal: Journal
  }
}

export default journal
