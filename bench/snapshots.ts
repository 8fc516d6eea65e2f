/**
 * Snapshots as a test suite uses them: the 1,000-contact state saved once, then, before each
 * "test", restored — each restore timed from the request to its answer, over HTTP — after the
 * test before it changed what a test changes (a contact read and updated, one created, one
 * deleted, a contact group created); and the same with a whole reset back to the fixtures.
 */
import { performance } from 'node:perf_hooks'

export interface SnapshotFigures { saveMs: number, restoreMs: number, fastestMs: number, slowestMs: number, resetMs: number, resetFastestMs: number, resetSlowestMs: number, rounds: number }

const JSON_TYPE = { 'content-type': 'application/json' }

async function timed (url: string, body?: unknown): Promise<number> {
  const started = performance.now()
  const res = await fetch(url, { method: 'POST', headers: JSON_TYPE, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  const ms = performance.now() - started
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`)
  return ms
}

/** What a test does between two restores (unmeasured): a read and an update, a create, a delete, a group. */
async function aTest (url: string, token: string, round: number): Promise<void> {
  const auth = { authorization: `Bearer ${token}`, ...JSON_TYPE }
  const call = async (path: string, method = 'GET', body?: unknown): Promise<any> => {
    const res = await fetch(url + path, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.text()
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`)
    return JSON.parse(text)
  }
  const updated = `people/c${1000000 + (round % 500)}`
  const got = await call(`/v1/${updated}?personFields=names`)
  await call(`/v1/${updated}:updateContact?updatePersonFields=names`, 'PATCH', { etag: got.etag, names: [{ givenName: `Changed ${round}` }] })
  await call('/v1/people:createContact', 'POST', { names: [{ givenName: `New ${round}` }] })
  await call(`/v1/people/c${1000500 + (round % 500)}:deleteContact`, 'DELETE')
  await call('/v1/contactGroups', 'POST', { contactGroup: { name: `Group of test ${round}` } })
}

export async function measureSnapshots (url: string, rounds: number, token: string): Promise<SnapshotFigures> {
  const saveMs = await timed(`${url}/_emulator/snapshots`, { name: 'bench' })
  // A few unmeasured rounds: the statements are prepared and the code optimised, as in a suite.
  for (let i = 0; i < 3; i++) { await aTest(url, token, i); await timed(`${url}/_emulator/snapshots/bench:restore`) }
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    await aTest(url, token, i)
    times.push(await timed(`${url}/_emulator/snapshots/bench:restore`))
  }
  await fetch(`${url}/_emulator/snapshots/bench`, { method: 'DELETE', headers: JSON_TYPE })
  for (let i = 0; i < 3; i++) { await aTest(url, token, i); await timed(`${url}/_emulator/reset`) }
  const resets: number[] = []
  for (let i = 0; i < rounds; i++) {
    await aTest(url, token, i)
    resets.push(await timed(`${url}/_emulator/reset`))
  }
  times.sort((a, b) => a - b)
  resets.sort((a, b) => a - b)
  return {
    saveMs,
    restoreMs: times[Math.floor(times.length / 2)]!,
    fastestMs: times[0]!,
    slowestMs: times[times.length - 1]!,
    resetMs: resets[Math.floor(resets.length / 2)]!,
    resetFastestMs: resets[0]!,
    resetSlowestMs: resets[resets.length - 1]!,
    rounds
  }
}
