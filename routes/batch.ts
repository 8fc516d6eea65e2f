/**
 * HTTP batch (BEHAVIOUR.md §13): `POST /batch`, the discovery document's `batchPath`. A
 * multipart/mixed body of application/http requests; each runs as a lone request would
 * (src/batch/dispatch.ts), one after the other in part order — so one account's mutations are
 * applied in that order (chosen; Google may run them in any order) — and the answer is one
 * multipart/mixed body with a part per call, in the same order. A malformed batch is a 400
 * and runs nothing.
 *
 * The answer is sent as it is made, a call's part once the call has answered, and the next
 * call runs only once the client has taken what was sent (the stream's backpressure): what a
 * batch holds in memory is one call's answer, however many calls it has and however large
 * their answers (a hundred pages of a thousand contacts are hundreds of megabytes). A client
 * that goes away before the end stops the batch after the call in progress.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import { answerBoundary, answerChunk, answerEnd, boundaryOf, parseBatch, type BatchCall } from '../src/batch/multipart.js'
import { dispatchCall } from '../src/batch/dispatch.js'
import { internal, invalidArgument } from '../src/errors.js'

/** What the answer's stream holds before the next call runs. */
const ANSWER_HIGH_WATER = 64 * 1024

async function * answerParts (app: FastifyInstance, request: FastifyRequest, calls: readonly BatchCall[], boundary: string): AsyncGenerator<Buffer> {
  for (const call of calls) {
    let chunk: Buffer
    try {
      chunk = answerChunk(await dispatchCall(app, request, call), boundary)
    } catch (err) {
      // The pipeline answers every error itself; should the dispatch fail, the call gets
      // Google's 500 and the batch goes on.
      request.log.error({ err }, 'a call of a batch could not be dispatched')
      const error = internal()
      chunk = answerChunk({ contentId: call.contentId, statusCode: error.httpStatus, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(error.toBody(), null, 2) }, boundary)
    }
    yield chunk
  }
  yield answerEnd(boundary)
}

export default async function batchRoutes (app: FastifyInstance): Promise<void> {
  // This route alone reads bytes of any type: the content type is checked by boundaryOf, with
  // a message about batches rather than the API's "request bodies must be JSON".
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })

  app.post('/batch', { config: { queryParams: [] } }, async (request, reply) => {
    const boundary = boundaryOf(request.headers['content-type'])
    if (!(request.body instanceof Buffer) || request.body.length === 0) throw invalidArgument('Invalid batch request: the body is empty; a batch holds one or more application/http parts.')
    const calls = parseBatch(request.body, boundary)
    const answer = answerBoundary(request.body)
    const parts = Readable.from(answerParts(app, request, calls, answer), { objectMode: false, highWaterMark: ANSWER_HIGH_WATER })
    return reply.header('content-type', `multipart/mixed; boundary=${answer}`).send(parts)
  })
}
