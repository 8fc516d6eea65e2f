/**
 * Runs one call of an HTTP batch through the emulator's own request pipeline — routing, the
 * request hooks (system parameters, credentials, scopes), body parsing, the handler and the
 * account's mutation queue, the one error handler, the request log — exactly as if it had
 * arrived alone (FIDELITY.md: batch, the pipeline of a lone request). It is dispatched in process (light-my-request, what
 * Fastify's inject uses) to the app's router, so nothing of the pipeline is copied here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { IncomingMessage } from 'node:http'
import lightMyRequest from 'light-my-request'
import type { BatchAnswer, BatchCall } from './multipart.js'

/** Raw requests that are calls of a batch in progress. */
const parts = new WeakSet<IncomingMessage>()

/**
 * Whether a request is a call of a batch that the emulator had already received: while the
 * emulator shuts down it is answered, as every request received before the shutdown is.
 */
export function isBatchPart (raw: IncomingMessage): boolean {
  return parts.has(raw)
}

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d

/** Headers that describe the batch's own connection or framing, not the call. */
const FRAMING = ['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'expect', 'te', 'trailer', 'upgrade', 'host']

/**
 * Runs `call`, a part of `outer`: it reaches the emulator at the batch's own address, and the
 * batch's `Authorization` applies unless the part carries its own.
 */
export async function dispatchCall (app: FastifyInstance, outer: FastifyRequest, call: BatchCall): Promise<BatchAnswer> {
  const headers: Record<string, string> = { ...call.headers }
  for (const name of FRAMING) delete headers[name]
  if (outer.headers.host !== undefined) headers.host = outer.headers.host
  if (headers.authorization === undefined && outer.headers.authorization !== undefined) headers.authorization = outer.headers.authorization
  // A part without a body (a GET as clients write it may end in a blank line) sends none.
  const payload = call.body.every(isSpace) ? undefined : call.body
  const response = await lightMyRequest((req, res) => {
    parts.add(req)
    app.routing(req, res)
  }, { method: call.method as 'GET', url: call.url, headers, payload, remoteAddress: outer.ip })
  return { contentId: call.contentId, statusCode: response.statusCode, headers: response.headers, body: response.rawPayload }
}
