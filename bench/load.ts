/**
 * How the bench loads a server (autocannon on 127.0.0.1) and reads its figures: the settings of
 * a run (BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_ROUNDS, BENCH_ONLY), one run of requests over
 * the slots of an operation, the median of rounds and the side-by-side of two servers.
 */
import autocannon from 'autocannon'
import { readFileSync } from 'node:fs'
import { TOKEN } from './servers.js'

export const DURATION = Number(process.env.BENCH_SECONDS ?? 4)
/**
 * Unmeasured load before each operation's measured runs, on both servers: the throughput
 * wanted is that of a warmed-up process (start-up is measured on its own). A fresh emulator
 * reaches its steady rate only after V8 has optimised its request path.
 */
export const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 8)
/**
 * Rounds per figure: the median of them is reported. Single runs on this 2-core machine vary
 * by ±20 % and more; the median of 7 moves less from one run of the bench to the next than
 * that of 5.
 */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
export const CONNECTIONS = 10
/**
 * BENCH_ONLY=updateContact,people.get runs just those parts (and leaves RESULTS.md alone): the
 * operations' names below, and settings, batch, snapshots, scale, start-up.
 */
export const ONLY = process.env.BENCH_ONLY?.split(',').map(s => s.trim()).filter(Boolean)
export const selected = (name: string): boolean => ONLY === undefined || ONLY.includes(name)
export const AUTHORIZATION = `Bearer ${TOKEN}`
/** The origin of the cross-origin rows: a web app in development. */
export const ORIGIN = 'http://localhost:5173'

export function rssMb (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
}

export interface Result { reqs: number, p50: number, p99: number, failures: number, statuses: Record<string, number> }

/** Resources (contacts, groups) each operation spreads its requests over: two per connection. */
export const SLOTS = CONNECTIONS * 2

export interface Slot { index: number, etag?: string }

export interface Request { method: string, path: string, body?: string, token?: string, headers?: Record<string, string> }

/** A request's headers, a new object each time: its credential, its own headers, and the body's type. */
export function headersOf (r: Request): Record<string, string> {
  const headers: Record<string, string> = { authorization: r.token === undefined ? AUTHORIZATION : `Bearer ${r.token}`, ...r.headers }
  if (r.body !== undefined) headers['content-type'] = 'application/json'
  return headers
}

/**
 * Runs one operation. Requests take a free slot (one resource each) and give it back with the
 * response, so no two requests in flight touch the same resource and each can carry the etag
 * of the slot's last response: every update is a real, successful one. (autocannon resets a
 * connection's context after each request, so the state lives here, not in the context.)
 */
export async function load (seconds: number, url: string, request: (slot: Slot) => Request, expect: number, chain: boolean, etags?: string[]): Promise<Result> {
  const slots: Slot[] = Array.from({ length: SLOTS }, (_, index) => ({ index, etag: etags?.[index] }))
  const free = [...slots]
  const statuses: Record<string, number> = {}
  let firstFailure = ''
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{
      setupRequest: (req: any, ctx: Record<string, any>) => {
        const slot = free.shift()!
        ctx.slot = slot
        const r = request(slot)
        // Fresh header objects every time: autocannon writes content-length into the one it is given.
        return { ...req, method: r.method, path: r.path, body: r.body, headers: headersOf(r) }
      },
      onResponse: (status: number, body: string, ctx: Record<string, any>) => {
        statuses[status] = (statuses[status] ?? 0) + 1
        if (status === expect) {
          if (chain) ctx.slot.etag = (JSON.parse(body) as { etag: string }).etag
        } else if (!firstFailure) firstFailure = `${status} ${body.slice(0, 300)}`
        free.push(ctx.slot)
      }
    }]
  } as any)
  if (firstFailure) process.stderr.write(`first failure: ${firstFailure}\n`)
  const failures = Object.entries(statuses).reduce((n, [status, count]) => Number(status) === expect ? n : n + count, 0) + result.errors + result.timeouts
  return { reqs: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failures, statuses }
}

/** The round with the median throughput; failures of every round count. */
export function medianOf (results: Result[]): Result {
  const sorted = [...results].sort((a, b) => a.reqs - b.reqs)
  const median = sorted[Math.floor(sorted.length / 2)]!
  return { ...median, failures: results.reduce((n, r) => n + r.failures, 0) }
}

export interface Row { operation: string, baseline?: Result, baselineLabel?: string, emulator: Result, ratio: number, of: string, target?: string, met?: boolean, spread: [number, number] }

/** The lowest and highest of per-round ratios: how much the machine's noise moved the figure. */
export function spreadOf (ratios: number[]): [number, number] {
  return [Math.min(...ratios), Math.max(...ratios)]
}

export function fmt (n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1)
}

/** Warm-up, then ROUNDS rounds of `a` and `b` alternating: the median of each and the ratios of single rounds. */
export async function sideBySide (a: (seconds: number) => Promise<Result>, b: (seconds: number) => Promise<Result>, failures: string[], what: string): Promise<{ a: Result, b: Result, spread: [number, number] }> {
  const warm = [await a(WARMUP), await b(WARMUP)]
  const as: Result[] = []
  const bs: Result[] = []
  for (let round = 0; round < ROUNDS; round++) {
    as.push(await a(DURATION))
    bs.push(await b(DURATION))
  }
  const ma = medianOf(as)
  const mb = medianOf(bs)
  for (const r of [...warm, ma, mb]) if (r.failures > 0) { failures.push(`${what}: ${r.failures} requests failed`); break }
  process.stderr.write(`${what}: rounds ${bs.map((r, i) => `${fmt(r.reqs)}/${fmt(as[i]!.reqs)}`).join(' ')}\n`)
  return { a: ma, b: mb, spread: spreadOf(bs.map((r, i) => r.reqs / as[i]!.reqs)) }
}
