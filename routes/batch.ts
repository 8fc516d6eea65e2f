/**
 * HTTP batch (BEHAVIOUR.md §13): `POST /batch`, the discovery document's `batchPath`. A
 * multipart/mixed body of application/http requests; each runs as a lone request would
 * (src/batch/dispatch.ts), one after the other in part order — so one account's mutations are
 * applied in that order (chosen; Google may run them in any order) — and the answer is one
 * multipart/mixed body with a part per call, in the same order. A malformed batch is a 400
 * and runs nothing.
 */
import type { FastifyInstance } from 'fastify'
import { boundaryOf, formatBatch, parseBatch, type BatchAnswer } from '../src/batch/multipart.js'
import { dispatchCall } from '../src/batch/dispatch.js'
import { invalidArgument } from '../src/errors.js'

export default async function batchRoutes (app: FastifyInstance): Promise<void> {
  // This route alone reads bytes of any type: the content type is checked by boundaryOf, with
  // a message about batches rather than the API's "request bodies must be JSON".
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })

  app.post('/batch', { config: { queryParams: [] } }, async (request, reply) => {
    const boundary = boundaryOf(request.headers['content-type'])
    if (!(request.body instanceof Buffer) || request.body.length === 0) throw invalidArgument('Invalid batch request: the body is empty; a batch holds one or more application/http parts.')
    const calls = parseBatch(request.body, boundary)
    const answers: BatchAnswer[] = []
    for (const call of calls) answers.push(await dispatchCall(app, request, call))
    const answer = formatBatch(answers)
    return reply.header('content-type', `multipart/mixed; boundary=${answer.boundary}`).send(answer.body)
  })
}
