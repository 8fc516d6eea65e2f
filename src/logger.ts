/**
 * pino options: JSON lines (pretty when stdout is a terminal), credentials never logged —
 * the Authorization header is redacted and so are token query parameters.
 *
 * JSON lines gather for a millisecond and go out in one write (jsonLines).
 *
 * Pretty output is formatted in-process by a pino-pretty stream, loaded only on a terminal:
 * no worker thread, and pino itself can be bundled (its transports are never started), which
 * spares the emulator ~20 ms of module loading at every start.
 */
import { writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'
import pino from 'pino'
import type { LogLevel } from './config.js'

export const REDACT_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization']

const PRETTY = { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' }

/** How long a log line may wait for others to go out with it. */
export const LINES_WAIT_MS = 1
/** How long a batch may wait, in all, for a full non-blocking stdout to take it before it is dropped. */
const FULL_WAIT_MS = 1000

const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * Writes all of `bytes` to `fd`; false when it cannot be written (stdout closed, a broken
 * pipe, or a non-blocking pipe that stayed full for FULL_WAIT_MS).
 */
function writeAll (fd: number, bytes: Buffer): boolean {
  let offset = 0
  let waited = 0
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || waited >= FULL_WAIT_MS) return false
      Atomics.wait(pause, 0, 0, 10)
      waited += 10
    }
  }
  return true
}

/**
 * A destination of JSON lines on stdout. Lines gather for up to LINES_WAIT_MS (a timer set by
 * the first line of a batch; none while nothing waits) and then go out in one write, made
 * by the main thread: under load one write per millisecond for many request lines, and no
 * hop to a thread of libuv's pool and back (whose wake-ups took CPU from the requests: with a
 * write per few lines, a third of a people.get's kernel time). A lone line goes out a
 * millisecond after it was logged. On close (`stop`) and at process exit what has gathered
 * is written out first; a process killed outright (SIGKILL, out of memory, a crash of Node
 * itself) loses the last millisecond's lines. A stdout that cannot be written (closed, a
 * broken pipe) drops the lines from then on: it never ends, or holds up, the emulator. (Like
 * console.log, a blocking pipe read slowly makes the write wait for its reader.)
 */
export function jsonLines (fd = 1): { stream: pino.DestinationStream, stop: () => void } {
  let gathered = ''
  let timer: NodeJS.Timeout | undefined
  let broken = false
  const writeOut = (): void => {
    if (timer !== undefined) { clearTimeout(timer); timer = undefined }
    if (gathered === '') return
    const text = gathered
    gathered = ''
    if (!broken) broken = !writeAll(fd, Buffer.from(text))
  }
  const stream: pino.DestinationStream = {
    write (line: string): void {
      if (broken) return
      gathered += line
      timer ??= setTimeout(writeOut, LINES_WAIT_MS).unref()
    }
  }
  atExit.add(writeOut)
  if (atExit.size === 1) process.on('exit', writeAllOut)
  return {
    stream,
    stop: () => {
      writeOut()
      atExit.delete(writeOut)
      if (atExit.size === 0) process.off('exit', writeAllOut)
    }
  }
}

/** What each open destination has gathered is written out at process exit: one listener for all. */
const atExit = new Set<() => void>()
function writeAllOut (): void {
  for (const writeOut of atExit) writeOut()
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
