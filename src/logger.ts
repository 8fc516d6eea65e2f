/**
 * pino options: JSON lines (pretty when stdout is a terminal), credentials never logged —
 * every header that carries one (Authorization, Proxy-Authorization, Cookie, X-Goog-Api-Key…:
 * src/http.ts, isCredentialHeader) is redacted, and so are token query parameters.
 *
 * JSON lines gather for a millisecond and go out in one write (jsonLines).
 *
 * Pretty output is formatted in-process by a pino-pretty stream, loaded only on a terminal:
 * no worker thread, and pino itself can be bundled (its transports are never started), which
 * spares the emulator ~20 ms of module loading at every start.
 */
import { writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'
import pino from 'pino'
import type { LogLevel } from './config.js'
import { isCredentialHeader } from './http.js'

/** Every header of every logged object that holds headers: those that carry credentials (isCredentialHeader) are redacted. */
export const REDACT_PATHS = ['req.headers.*', 'headers.*']
const censor = (value: unknown, path: string[]): unknown => isCredentialHeader(path[path.length - 1] ?? '') ? '[Redacted]' : value

const PRETTY = { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' }

/** How long a log line may wait for others to go out with it. */
export const LINES_WAIT_MS = 1
/** How long a full pipe (EAGAIN) is left before the next try. */
export const FULL_RETRY_MS = 10
/** Bytes kept for a pipe that does not take them; lines beyond are dropped (and counted). */
export const MAX_WAITING_BYTES = 16 * 1024 * 1024
/** How long, in all, a close waits for a full pipe to take what is left. */
const CLOSE_WAIT_MS = 1000

const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * Writes what `fd` takes of `bytes` now: the rest (a full non-blocking pipe), or null when
 * all was written, or false when it cannot be written (stdout closed, a broken pipe). Tests
 * give jsonLines one of their own: a pipe's capacity is the kernel's, not the test's.
 */
export type WriteSome = (fd: number, bytes: Buffer) => Buffer | null | false

const writeSome: WriteSome = (fd, bytes) => {
  let offset = 0
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return bytes.subarray(offset)
      return false
    }
  }
  return null
}

/**
 * A destination of JSON lines on stdout. Lines gather for up to LINES_WAIT_MS (a timer set by
 * the first line of a batch; none while nothing waits) and then go out in one write, made
 * by the main thread: under load one write per millisecond for many request lines, and no
 * hop to a thread of libuv's pool and back (whose wake-ups took CPU from the requests: with a
 * write per few lines, a third of a people.get's kernel time). A lone line goes out a
 * millisecond after it was logged. A pipe that is full (its reader is slow) is never waited
 * for while the emulator serves: what it did not take is tried again 10 ms later, lines
 * gather meanwhile, and past MAX_WAITING_BYTES new lines are dropped (a line in their place
 * says how many). On close (`stop`) and at process exit what is left is
 * written out (a full pipe is waited for up to a second then); a process killed outright
 * (SIGKILL, out of memory, a crash of Node itself) loses the last millisecond's lines. A
 * stdout that cannot be written (closed, a broken pipe) drops the lines from then on: it
 * never ends the emulator. (A pipe in blocking mode, which never answers EAGAIN, makes a write
 * wait for its reader, as console.log's does.)
 */
export function jsonLines (fd = 1, write: WriteSome = writeSome): { stream: pino.DestinationStream, stop: () => void, pending: () => number } {
  let gathered = ''
  /** Batches a full pipe has not taken yet, oldest first: they go before anything gathered since. */
  const waiting: Buffer[] = []
  let waitingBytes = 0
  let dropped = 0
  let timer: NodeJS.Timeout | undefined
  let broken = false
  const schedule = (ms: number): void => { timer ??= setTimeout(writeOut, ms).unref() }
  /** A line counting the lines dropped since the last one kept, in their place in the order. */
  const countDropped = (): void => {
    if (dropped === 0) return
    gathered += JSON.stringify({ level: 40, time: Date.now(), pid: process.pid, hostname: hostname(), msg: `${dropped} log lines were dropped: stdout did not take them` }) + '\n'
    dropped = 0
  }
  /** One attempt: what is waiting, then what has gathered. True when nothing is left. */
  const attempt = (): boolean => {
    if (broken) { waiting.length = 0; waitingBytes = 0; gathered = ''; return true }
    countDropped()
    if (gathered !== '') {
      const bytes = Buffer.from(gathered)
      gathered = ''
      waiting.push(bytes)
      waitingBytes += bytes.length
    }
    while (waiting.length > 0) {
      const first = waiting[0]!
      const rest = write(fd, first)
      if (rest === false) { broken = true; waiting.length = 0; waitingBytes = 0; return true }
      waitingBytes -= first.length - (rest?.length ?? 0)
      if (rest !== null) { waiting[0] = rest; return false }
      waiting.shift()
    }
    return true
  }
  const writeOut = (): void => {
    timer = undefined
    if (!attempt()) schedule(FULL_RETRY_MS)
  }
  const stream: pino.DestinationStream = {
    write (line: string): void {
      if (broken) return
      if (waitingBytes + gathered.length > MAX_WAITING_BYTES) { dropped++; return }
      countDropped()
      gathered += line
      schedule(LINES_WAIT_MS)
    }
  }
  /** Everything left, now: a full pipe is waited for up to CLOSE_WAIT_MS. */
  const finish = (): void => {
    if (timer !== undefined) { clearTimeout(timer); timer = undefined }
    for (let waited = 0; !attempt() && waited < CLOSE_WAIT_MS; waited += FULL_RETRY_MS) Atomics.wait(pause, 0, 0, FULL_RETRY_MS)
  }
  atExit.add(finish)
  if (atExit.size === 1) process.on('exit', writeAllOut)
  return {
    stream,
    /** Bytes not written yet: gathered, or waiting for a full pipe. */
    pending: () => waitingBytes + Buffer.byteLength(gathered),
    stop: () => {
      finish()
      atExit.delete(finish)
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
  const options = { level, redact: { paths: REDACT_PATHS, censor } }
  // Nothing to log: Fastify's own no-op logger (no pino instance, no child logger per request).
  if (level === 'silent') return { logger: false, stop: () => {} }
  if (!pretty) {
    const lines = jsonLines()
    return { logger: { ...options, stream: lines.stream }, stop: lines.stop }
  }
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => NodeJS.WritableStream
  return { logger: { ...options, stream: pinoPretty({ ...PRETTY, sync: true }) }, stop: () => {} }
}
