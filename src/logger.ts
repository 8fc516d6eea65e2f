/**
 * pino options: JSON lines (pretty when stdout is a terminal), credentials never logged —
 * the Authorization header is redacted and so are token query parameters.
 */
import type { FastifyServerOptions } from 'fastify'
import type { LogLevel } from './config.js'

export const REDACT_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization']

export function loggerOptions (level: LogLevel, pretty = process.stdout.isTTY === true): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {})
  }
}
