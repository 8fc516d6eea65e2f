/**
 * pino options: JSON lines (pretty when stdout is a terminal), credentials never logged —
 * the Authorization header is redacted and so are token query parameters.
 *
 * JSON lines are written asynchronously (pino's SonicBoom destination with `sync: false`):
 * while one write is under way the next lines gather, and go out together in the next one,
 * so a busy emulator makes one write for many request lines and an idle one writes each line
 * at once. On a normal exit, a signal, or an error the emulator survives, what has gathered
 * is written out first; only a process killed outright (SIGKILL, out of memory, a crash of
 * Node itself) loses it — the lines of the last write's duration, a few milliseconds. A log
 * that cannot be written (stdout closed) is dropped: it never ends the emulator.
 *
 * Pretty output is formatted in-process by a pino-pretty stream, loaded only on a terminal:
 * no worker thread, and pino itself can be bundled (its transports are never started), which
 * spares the emulator ~20 ms of module loading at every start.
 */
import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'
import pino from 'pino'
import type { LogLevel } from './config.js'

export const REDACT_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization']

const PRETTY = { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' }

/** An asynchronous destination of JSON lines on stdout; `stop` writes out what has gathered. */
export function jsonLines (fd = 1): { stream: pino.DestinationStream, stop: () => void } {
  const stream = pino.destination({ dest: fd, sync: false })
  // pino drops lines once stdout is a broken pipe; any other write error drops them too.
  stream.on('error', () => {})
  return {
    stream,
    stop: () => {
      try {
        stream.flushSync()
      } catch {
        // Nothing gathered, or stdout is gone.
      }
    }
  }
}

/** The logger's options, and what to do when the emulator closes (write out buffered lines). */
export function loggerOptions (level: LogLevel, pretty = process.stdout.isTTY === true): { logger: FastifyServerOptions['logger'], stop: () => void } {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[Redacted]' } }
  if (level === 'silent') return { logger: options, stop: () => {} }
  if (!pretty) {
    const lines = jsonLines()
    return { logger: { ...options, stream: lines.stream }, stop: lines.stop }
  }
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => NodeJS.WritableStream
  return { logger: { ...options, stream: pinoPretty({ ...PRETTY, sync: true }) }, stop: () => {} }
}
