/**
 * The HTTP connections themselves: what Node's parser refuses, requests that never finish
 * arriving, and connections at shutdown.
 *
 * - Errors of Node's HTTP parser (a bad chunk size, duplicate Content-Length, both
 *   Transfer-Encoding and Content-Length, a header block over 16 KB, a request that does not
 *   arrive in time) are answered in Google's envelope like every other error, not in Node's or
 *   Fastify's own JSON, and the connection is closed.
 * - A request must arrive whole (headers and body) within REQUEST_TIMEOUT_MS of its start,
 *   its headers within HEADERS_TIMEOUT_MS: a body that stalls is cut off with a 408.
 * - On shutdown, connections that carry no request — idle keep-alive ones, and ones a client
 *   opened ahead and never used — are closed at once, and a request still arriving a second
 *   later gets the shutdown's 503 (Node stops its own timeout checks once the server closes),
 *   so that the close never waits for them. Requests received whole are answered as usual.
 */
import type { FastifyInstance } from 'fastify'
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { ApiError, invalidArgument, unavailable } from '../errors.js'

/** The longest a request may take to arrive whole (chosen: a 10 MiB body at ~350 KB/s). */
export const REQUEST_TIMEOUT_MS = 30_000
/** The longest its headers may take (chosen). */
export const HEADERS_TIMEOUT_MS = 10_000
/** How often Node looks for requests past those limits. */
export const CHECK_INTERVAL_MS = 1_000
/** While closing: how long a request that is still arriving may go on arriving. */
export const CLOSING_REQUEST_TIMEOUT_MS = 1_000
/**
 * How long a close waits for answers still being sent (a client that stopped reading, an answer
 * of hundreds of megabytes): then their connections are cut, so that the emulator closes its
 * database and exits 0 well before the 10 s after which the process is killed.
 */
export const CLOSING_RESPONSE_TIMEOUT_MS = 5_000

/** The error of a request Node's parser refused, as Google's envelope would carry it. */
export function clientError (code: string | undefined): ApiError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return invalidArgument(`The request did not arrive in time: its headers must arrive within ${HEADERS_TIMEOUT_MS / 1000} seconds and all of it within ${REQUEST_TIMEOUT_MS / 1000}.`, { httpStatus: 408 })
    case 'HPE_HEADER_OVERFLOW':
      return invalidArgument('The request\'s headers are too large: they may hold at most 16 KB.', { httpStatus: 431 })
    default:
      return invalidArgument(`The request could not be read as HTTP/1.1 (${code ?? 'malformed'}).`)
  }
}

/** The latest response of each connection: its request may still be arriving at shutdown. */
const latest = new WeakMap<Socket, ServerResponse>()

/** Answers a request with an error and closes its connection. */
function refuse (res: ServerResponse, apiError: ApiError): void {
  const payload = JSON.stringify(apiError.toBody(), null, 2)
  res.writeHead(apiError.httpStatus, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(payload), connection: 'close' })
  res.end(payload, () => res.socket?.destroy())
}

/** The limits above, shorter in tests. */
export interface ConnectionLimits {
  requestMs?: number
  headersMs?: number
  closingRequestMs?: number
  closingResponseMs?: number
}

async function connections (app: FastifyInstance, options: ConnectionLimits): Promise<void> {
  const server = app.server
  server.requestTimeout = options.requestMs ?? REQUEST_TIMEOUT_MS
  server.headersTimeout = options.headersMs ?? HEADERS_TIMEOUT_MS
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  // One WeakMap entry per request, nothing more: this runs for every request.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => { latest.set(req.socket, res) })

  // Instead of Fastify's default: the envelope, then the connection is closed (the parser
  // cannot tell where the next request would begin).
  app.server.removeAllListeners('clientError')
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    const apiError = clientError(err.code)
    // The error's code and message only: Node adds the request's raw bytes (rawPacket), with
    // its credentials.
    app.log.debug({ err: { code: err.code, message: err.message } }, 'client error')
    if (socket.writable) {
      const payload = JSON.stringify(apiError.toBody(), null, 2)
      socket.write(`HTTP/1.1 ${apiError.httpStatus} ${STATUS_CODES[apiError.httpStatus] ?? ''}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`)
    }
    socket.destroy()
  })

  app.addHook('preClose', async () => {
    // A connection that never sent a byte goes now. (Idle keep-alive connections are closed by
    // Node when the server closes; one that never sent a request is not among them.)
    for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy()
    // A request still arriving a second from now is not one the emulator received: it gets
    // the shutdown's 503, as a request arriving during the close does.
    const cutOffs = [setTimeout(() => {
      for (const socket of sockets) {
        const res = latest.get(socket)
        if (res === undefined || res.writableFinished) socket.destroy() // headers of a request never received whole
        else if (!res.req.complete && !res.headersSent) refuse(res, unavailable('The emulator is shutting down.'))
      }
    }, options.closingRequestMs ?? CLOSING_REQUEST_TIMEOUT_MS).unref(),
    // Answers still being sent by then are not waited for any longer.
    setTimeout(() => { for (const socket of sockets) socket.destroy() }, options.closingResponseMs ?? CLOSING_RESPONSE_TIMEOUT_MS).unref()]
    // Once the server has closed (its last connection ended) they have nothing left to cut,
    // and would keep the closed emulator in memory for seconds: a suite that starts one per
    // test would carry dozens, and every garbage collection would walk them.
    server.once('close', () => { for (const timer of cutOffs) clearTimeout(timer) })
  })
}

export default connections
