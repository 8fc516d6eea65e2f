/**
 * HTTP batch (FIDELITY.md: batch): `POST /batch`, the discovery document's `batchPath`. A
 * multipart/mixed body of application/http requests; each runs as a lone request would
 * (src/batch/dispatch.ts), one after the other in part order — so one account's mutations are
 * applied in that order (chosen; Google may run them in any order) — and the answer is one
 * multipart/mixed body with a part per call, in the same order. A malformed batch is a 400
 * and runs nothing.
 *
 * An answer is made whole and sent at once up to WHOLE_ANSWER; past it, it is sent as it is
 * made — the parts of calls that have answered, gathered up to 64 KiB a write — and the next
 * call runs only once the client has taken what was sent (the stream's backpressure): what a
 * batch holds in memory is at most a megabyte and about one call's answer, however many calls
 * it has and however large their answers (a hundred pages of a thousand contacts are hundreds
 * of megabytes). A client that goes away before the end stops the batch after the call in
 * progress.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import { answerBoundary, answerChunk, answerEnd, boundaryOf, parseBatch, type BatchCall } from '../src/batch/multipart.js'
import { dispatchCall } from '../src/batch/dispatch.js'
import { internal, invalidArgument, unavailable } from '../src/errors.js'
import type { RouteGroup } from '../src/route-groups.js'
import type { BodyReading } from '../src/types.js'

/**
 * An answer up to this size is made whole and sent in one write, with its length, as a lone
 * request's is; past it, the rest is streamed (chosen: about a hundred people.get; sending
 * every answer as a stream cost a batch of 100 people.get a tenth more time).
 */
const WHOLE_ANSWER = 1024 * 1024
/**
 * The size a streamed answer's writes are gathered to, and what the stream holds before the
 * next call runs: parts smaller than this go out together (a write, and a wake-up of the
 * client, for every small part cost half a batch's time).
 */
const ANSWER_CHUNK = 64 * 1024

/** The 503 a call gets when the emulator is closing before it runs. */
function shuttingDown (call: BatchCall, boundary: string): Buffer {
  const error = unavailable('The emulator is shutting down.')
  return answerChunk({ contentId: call.contentId, statusCode: error.httpStatus, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(error.toBody(), null, 2) }, boundary)
}

/** One call's part of the answer (its delimiter line included). */
async function answerOf (app: FastifyInstance, request: FastifyRequest, call: BatchCall, boundary: string): Promise<Buffer> {
  try {
    return answerChunk(await dispatchCall(app, request, call), boundary)
  } catch (err) {
    // The pipeline answers every error itself; should the dispatch fail, the call gets
    // Google's 500 and the batch goes on.
    request.log.error({ err }, 'a call of a batch could not be dispatched')
    const error = internal()
    return answerChunk({ contentId: call.contentId, statusCode: error.httpStatus, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(error.toBody(), null, 2) }, boundary)
  }
}

/**
 * Parts gathered into writes of about ANSWER_CHUNK: small ones go out together; one as large
 * or larger goes out alone, as it is (no copy).
 */
class Gathered {
  private parts: Buffer[] = []
  private size = 0

  /** Adds a part; returns what is ready to go out (nothing while under ANSWER_CHUNK). */
  add (part: Buffer): Buffer[] {
    if (part.length >= ANSWER_CHUNK) return [...this.take(), part]
    this.parts.push(part)
    this.size += part.length
    return this.size >= ANSWER_CHUNK ? this.take() : []
  }

  /** What is gathered, as one write (none when nothing is). */
  take (): Buffer[] {
    if (this.parts.length === 0) return []
    const out = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size)
    this.parts = []
    this.size = 0
    return [out]
  }
}

/** The rest of a streamed answer: the parts made already, then the remaining calls' parts, gathered into writes of about ANSWER_CHUNK. */
async function * answerRest (app: FastifyInstance, request: FastifyRequest, made: Buffer[], calls: readonly BatchCall[], boundary: string): AsyncGenerator<Buffer> {
  const gathered = new Gathered()
  for (const part of made) yield * gathered.add(part)
  // What was made goes out before the next call runs.
  made.length = 0
  yield * gathered.take()
  for (const call of calls) {
    // Once the emulator is closing, the calls not yet run are answered as a request arriving
    // then is, at once (an answer of hundreds of megabytes would outlast the close).
    const part = app.isClosing() ? shuttingDown(call, boundary) : await answerOf(app, request, call, boundary)
    yield * gathered.add(part)
  }
  yield * gathered.add(answerEnd(boundary))
  yield * gathered.take()
}

/**
 * The stream of an answer's writes, each made only when the connection has taken the last:
 * Readable.from reads one ahead (a call run, and its answer held, for a client that has stopped
 * reading); this one reads only when asked, and asks nothing while the socket is full.
 */
function pulled (writes: AsyncGenerator<Buffer>): Readable {
  let pending = false
  return new Readable({
    highWaterMark: 0,
    read () {
      if (pending) return
      pending = true
      writes.next().then(({ value, done }) => {
        pending = false
        this.push(done === true ? null : value)
      }, (err: Error) => { this.destroy(err) })
    },
    // A client gone: the calls not yet run are not run.
    destroy (err, callback) {
      writes.return(undefined).then(() => { callback(err) }, () => { callback(err) })
    }
  })
}

/** A body not multipart/mixed is not used: the route refuses its type (boundaryOf), with a message about batches rather than the API's "request bodies must be JSON". */
const notUsed = (): undefined => undefined

/** What /batch reads: the bytes of a multipart/mixed body (a body of another type is not read, but for JSON's, which every route reads). */
const BATCH_BODIES: BodyReading = { multipart: (_request, bytes) => bytes, json: notUsed, other: notUsed }

/** /batch, added to the app's route group (src/route-groups.ts). */
export default function batchRoutes (app: FastifyInstance, group: RouteGroup): void {
  group.withDefaults({ bodies: BATCH_BODIES }).post('/batch', { config: { queryParams: [] } }, async (request, reply) => {
    const boundary = boundaryOf(request.headers['content-type'])
    if (!(request.body instanceof Buffer) || request.body.length === 0) throw invalidArgument('Invalid batch request: the body is empty; a batch holds one or more application/http parts.')
    const calls = parseBatch(request.body, boundary)
    const answer = answerBoundary(request.body)
    reply.header('content-type', `multipart/mixed; boundary=${answer}`)
    const made: Buffer[] = []
    let size = 0
    let next = 0
    while (next < calls.length && size < WHOLE_ANSWER) {
      const part = await answerOf(app, request, calls[next++]!, answer)
      made.push(part)
      size += part.length
    }
    if (next === calls.length && size <= WHOLE_ANSWER) {
      made.push(answerEnd(answer))
      return reply.send(Buffer.concat(made))
    }
    return reply.send(pulled(answerRest(app, request, made, calls.slice(next), answer)))
  })
}
