/** The emulator clock and deterministic runs (--clock fixed:…, --seed). */
import t from 'tap'
import { body, build } from './helpers/app.js'
import { EmulatorClock, parseClockMode, parseDuration } from '../src/clock.js'

t.test('durations and clock modes', async t => {
  t.equal(parseDuration('90s'), 90000000n)
  t.equal(parseDuration('1.5s'), 1500000n)
  t.equal(parseDuration('500ms'), 500000n)
  t.equal(parseDuration('30m'), 1800000000n)
  t.equal(parseDuration('2h'), 7200000000n)
  t.equal(parseDuration('7d'), 604800000000n)
  for (const bad of ['', '5', 's', '-1s', '1y', '1.1234567s']) t.equal(parseDuration(bad), undefined, bad)
  t.same(parseClockMode('system'), { kind: 'system' })
  t.same(parseClockMode('fixed:2026-01-01T00:00:00Z'), { kind: 'fixed', start: 1767225600000000n })
  t.equal(parseClockMode('fixed:soon'), undefined)
})

t.test('a fixed clock moves one microsecond per reading and by advances only', async t => {
  const clock = new EmulatorClock({ kind: 'fixed', start: 1000n })
  t.equal(clock.nowMicros(), 1001n)
  t.equal(clock.nowMicros(), 1002n)
  t.equal(clock.peek(), 1002n)
  clock.advance(1000n)
  t.equal(clock.nowMicros(), 2003n)
  t.throws(() => clock.set(5n), /backwards/)
  clock.set(10000n)
  t.equal(clock.nowMicros(), 10001n)
})

t.test('GET and POST /_emulator/clock read, advance and set it', async t => {
  const app = await build(t, { clock: 'fixed:2026-01-01T00:00:00Z' })
  t.same(body(await app.inject({ url: '/_emulator/clock' })), { now: '2026-01-01T00:00:00.000000Z', mode: 'fixed' })
  t.same(body(await app.inject({ method: 'POST', url: '/_emulator/clock', payload: {} })), { now: '2026-01-01T00:00:00.000000Z', mode: 'fixed' })
  t.same(body(await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance: '1.5s' } })), { now: '2026-01-01T00:00:01.500000Z', mode: 'fixed' })
  t.same(body(await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { set: '2026-02-01T10:00:00Z' } })), { now: '2026-02-01T10:00:00.000000Z', mode: 'fixed' })
  const back = await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { set: '2025-01-01T00:00:00Z' } })
  t.equal(back.statusCode, 400)
  t.equal(body(back).error.status, 'FAILED_PRECONDITION')
  t.equal(body(back).error.message, 'The emulator clock cannot go backwards: 2025-01-01T00:00:00Z is before 2026-02-01T10:00:00.000000Z.')
  for (const [payload, message] of [
    [{ advance: 'soon' }, 'Invalid clock advance "soon": expected a duration such as "500ms", "90s", "30m", "2h" or "7d".'],
    [{ advance: 5 }, 'Invalid clock advance 5: expected a duration such as "500ms", "90s", "30m", "2h" or "7d".'],
    [{ set: 'tomorrow' }, 'Invalid clock time "tomorrow": expected an RFC 3339 time such as "2026-01-01T00:00:00Z".'],
    [{ rewind: '1s' }, 'Unknown clock field "rewind": use "advance" (e.g. "90s", "7d") or "set" (an RFC 3339 time).'],
    [{ advance: '1s', set: '2027-01-01T00:00:00Z' }, 'Give "advance" or "set", not both.']
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/_emulator/clock', payload })
    t.equal(res.statusCode, 400)
    t.equal(body(res).error.message, message)
  }
})

t.test('the system clock can be advanced too', async t => {
  const app = await build(t)
  const before = Date.parse(body(await app.inject({ url: '/_emulator/clock' })).now)
  const after = body(await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance: '2d' } }))
  t.equal(after.mode, 'system')
  t.ok(Date.parse(after.now) - before >= 2 * 86400000)
})

t.test('a system clock moved ahead comes back: a reset to the machine\'s time, a restore to the offset it was saved with', async t => {
  const app = await build(t)
  const DAY = 86_400_000
  const MINUTE = 60_000
  // How far the emulator clock is ahead of the machine's (days apart: the margin is a minute).
  const ahead = async (): Promise<number> => Date.parse(body(await app.inject({ url: '/_emulator/clock' })).now) - Date.now()
  const post = async (url: string, payload?: unknown): Promise<number> => (await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: payload === undefined ? undefined : JSON.stringify(payload) })).statusCode
  t.equal(await post('/_emulator/clock', { advance: '8d' }), 200)
  t.ok(Math.abs(await ahead() - 8 * DAY) < MINUTE, 'eight days ahead')
  t.equal(await post('/_emulator/reset'), 200)
  t.ok(Math.abs(await ahead()) < MINUTE, 'a reset: the machine\'s time again')
  const created = await app.inject({ method: 'POST', url: '/v1/people:createContact?personFields=metadata', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, payload: '{}' })
  t.ok(Math.abs(Date.parse(body(created).metadata.sources[0].updateTime) - Date.now()) < MINUTE, 'and what is written after it is stamped with it')

  t.equal(await post('/_emulator/clock', { advance: '1d' }), 200)
  t.equal(await post('/_emulator/snapshots', { name: 'a-day-ahead' }), 200)
  t.equal(await post('/_emulator/clock', { advance: '8d' }), 200)
  t.ok(Math.abs(await ahead() - 9 * DAY) < MINUTE)
  t.equal(await post('/_emulator/snapshots/a-day-ahead:restore'), 200)
  t.ok(Math.abs(await ahead() - DAY) < MINUTE, 'a restore: the day ahead the snapshot was saved with')
  t.equal(await post('/_emulator/reset'), 200)
  t.ok(Math.abs(await ahead()) < MINUTE)
})

t.test('a snapshot saved with another clock mode leaves the clock as it is', async t => {
  const clock = new EmulatorClock({ kind: 'fixed', start: 1_000_000n })
  clock.restore({ kind: 'system', fixedNow: 0n, last: 5n, offset: 0n })
  t.equal(clock.peek(), 1_000_000n, 'not sent back to 1970')
  const system = new EmulatorClock({ kind: 'system' })
  const before = system.peek()
  system.restore({ kind: 'fixed', fixedNow: 7n, last: 7n, offset: 0n })
  t.ok(system.peek() >= before, 'nor a system clock by a fixed one\'s state')
})

/** One scripted session: what a test suite would do. */
async function session (app: any): Promise<string[]> {
  const out: string[] = []
  const auth = { authorization: 'Bearer alice' }
  const created = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: auth, payload: { names: [{ givenName: 'Ada' }] } })
  out.push(created.body)
  const ada = body(created)
  out.push((await app.inject({ method: 'PATCH', url: `/v1/${ada.resourceName}:updateContact?updatePersonFields=names`, headers: auth, payload: { etag: ada.etag, names: [{ givenName: 'Augusta' }] } })).body)
  out.push((await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: auth, payload: { contactGroup: { name: 'Club' } } })).body)
  out.push((await app.inject({ url: '/v1/people/me/connections?personFields=names,metadata&requestSyncToken=true', headers: auth })).body)
  out.push((await app.inject({ url: '/v1/contactGroups', headers: auth })).body)
  return out
}

t.test('--clock fixed and --seed: two runs give byte-identical responses; so does a run after reset', async t => {
  const config = { clock: 'fixed:2026-03-01T09:00:00Z', seed: 'suite-42' }
  const first = await session(await build(t, config))
  const second = await session(await build(t, config))
  t.same(second, first)
  const app = await build(t, config)
  const third = await session(app)
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })
  t.same(await session(app), third, 'reset rewinds the clock and the seed')
  t.same(third, first)
  const other = await session(await build(t, { ...config, seed: 'other' }))
  t.not(other[0], first[0], 'another seed gives other names')
})

t.test('a seeded run with fixtures that generate names: reset does not collide with them', async t => {
  const config = { clock: 'fixed:2026-03-01T09:00:00Z', seed: 's' }
  const app = await build(t, config)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'alice', tokens: [{ token: 'alice' }], people: [{ names: [{ givenName: 'Imported' }] }] }] } })
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })
  const again = await session(app)
  t.equal(JSON.parse(again[0]!).names[0].givenName, 'Ada')
})

t.test('the clock never leaves RFC 3339\'s range: an advance or set past it is a 400 that changes nothing', async t => {
  const app = await build(t, { clock: 'fixed:2026-01-01T00:00:00Z' })
  const now = body(await app.inject({ url: '/_emulator/clock' })).now
  for (const [payload, message] of [
    [{ advance: '999999999999999999999d' }, 'Invalid clock advance "999999999999999999999d": expected a duration such as "500ms", "90s", "30m", "2h" or "7d".'],
    [{ advance: '999999999999999d' }, 'Invalid clock advance "999999999999999d": the emulator clock cannot go past 9999-01-01T00:00:00Z.'],
    [{ advance: '2920000d' }, 'Invalid clock advance "2920000d": the emulator clock cannot go past 9999-01-01T00:00:00Z.'],
    [{ set: '9999-12-31T23:59:59Z' }, 'Invalid clock time "9999-12-31T23:59:59Z": the emulator clock stays between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z.'],
    [{ set: '9999-01-01T00:00:00.000001Z' }, 'Invalid clock time "9999-01-01T00:00:00.000001Z": the emulator clock stays between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z.']
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/_emulator/clock', payload })
    t.equal(res.statusCode, 400, JSON.stringify(payload))
    t.equal(body(res).error.message, message)
    t.equal(body(await app.inject({ url: '/_emulator/clock' })).now, now, 'the clock did not move')
  }
  // Writes keep working and their times keep RFC 3339's form.
  const created = await app.inject({ method: 'POST', url: '/v1/people:createContact?personFields=metadata', headers: { authorization: 'Bearer clock' }, payload: {} })
  t.equal(created.statusCode, 200)
  t.match(body(created).metadata.sources[0].updateTime, /^2026-01-01T00:00:00\.\d{6}Z$/)
  // The last instant the clock accepts, and writes after it, still export and import back.
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { set: '9999-01-01T00:00:00Z' } })).statusCode, 200)
  const late = await app.inject({ method: 'POST', url: '/v1/people:createContact?personFields=metadata', headers: { authorization: 'Bearer clock' }, payload: {} })
  t.match(body(late).metadata.sources[0].updateTime, /^9999-01-01T00:00:00\.\d{6}Z$/)
  const exported = await app.inject({ url: '/_emulator/export' })
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: exported.body, headers: { 'content-type': 'application/json' } })).statusCode, 200)
  t.throws(() => new EmulatorClock({ kind: 'fixed', start: BigInt(Date.parse('9999-12-31T23:59:59Z')) * 1000n }), /9999-01-01/)
  // A system clock, which moves on between two readings, may be set to that last instant too.
  const system = await build(t)
  const set = await system.inject({ method: 'POST', url: '/_emulator/clock', payload: { set: '9999-01-01T00:00:00Z' } })
  t.equal(set.statusCode, 200, set.body)
  t.match(body(set).now, /^9999-01-01T00:00:00\.\d{6}Z$/)
})

t.test('control-plane bodies nested thousands deep are 400s, whatever field holds them', async t => {
  const app = await build(t)
  const deep = '['.repeat(5000) + ']'.repeat(5000)
  const cases: Array<[string, string]> = [
    ['/_emulator/clock', `{"set":${deep}}`],
    ['/_emulator/clock', `{"advance":${deep}}`],
    ['/_emulator/snapshots', `{"name":${deep}}`],
    ...['method', 'error', 'times', 'after', 'account', 'probability', 'when', 'delayMs'].map(field => ['/_emulator/faults', `{"method":"*","error":"INTERNAL",${JSON.stringify(field)}:${deep}}`] as [string, string]),
    ['/_emulator/faults', `{"method":"*","error":{"code":${deep},"status":"ABORTED","message":"x"}}`],
    ['/_emulator/faults', `{"method":"*","error":{"code":409,"status":${deep},"message":"x"}}`]
  ]
  for (const [url, payload] of cases) {
    const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload })
    t.equal(res.statusCode, 400, `${url} ${payload.slice(0, 40)}`)
    t.ok(res.body.length < 2000, 'the value is quoted short')
  }
})
