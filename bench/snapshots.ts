/**
 * Snapshots as a test suite uses them: the 1,000-contact state saved once, then restored
 * before each "test" — each restore timed from the request to its answer, over HTTP.
 */
import { performance } from 'node:perf_hooks'

export interface SnapshotFigures { saveMs: number, restoreMs: number, fastestMs: number, slowestMs: number, rounds: number }

const JSON_TYPE = { 'content-type': 'application/json' }

async function timed (url: string, body?: unknown): Promise<number> {
  const started = performance.now()
  const res = await fetch(url, { method: 'POST', headers: JSON_TYPE, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  const ms = performance.now() - started
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`)
  return ms
}

export async function measureSnapshots (url: string, rounds: number): Promise<SnapshotFigures> {
  const saveMs = await timed(`${url}/_emulator/snapshots`, { name: 'bench' })
  // A few unmeasured restores: the statements are prepared and the code optimised, as in a suite.
  for (let i = 0; i < 3; i++) await timed(`${url}/_emulator/snapshots/bench:restore`)
  const times: number[] = []
  for (let i = 0; i < rounds; i++) times.push(await timed(`${url}/_emulator/snapshots/bench:restore`))
  await fetch(`${url}/_emulator/snapshots/bench`, { method: 'DELETE', headers: JSON_TYPE })
  times.sort((a, b) => a - b)
  return { saveMs, restoreMs: times[Math.floor(times.length / 2)]!, fastestMs: times[0]!, slowestMs: times[times.length - 1]!, rounds }
}
