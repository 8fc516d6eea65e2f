/**
 * pino options: JSON lines (pretty when stdout is a terminal), credentials never logged —
 * the Authorization header is redacted and so are token query parameters.
 *
 * Pretty output is formatted in-process by a pino-pretty stream, loaded only on a terminal:
 * no worker thread, and pino itself can be bundled (its transports are never started), which
 * spares the emulator ~20 ms of module loading at every start.
 */
import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'
import type { LogLevel } from './config.js'

export const REDACT_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization']

const PRETTY = { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' }

export function loggerOptions (level: LogLevel, pretty = process.stdout.isTTY === true): FastifyServerOptions['logger'] {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[Redacted]' } }
  if (!pretty) return options
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => NodeJS.WritableStream
  return { ...options, stream: pinoPretty({ ...PRETTY, sync: true }) }
}
