/**
 * Production's failures on demand (src/faults.ts, src/plugins/faults.ts): fault rules with
 * Google's exact bodies, applied before or after a call, to batch parts, in the journal; and
 * the per-user quotas (FIDELITY.md: quotas) on the emulator clock (src/quotas.ts).
 */
import t, { type Test } from 'tap'
import { auth, people } from '@googleapis/people'
import type { FastifyInstance } from 'fastify'
import { bearer, body, build, rateLimitBody } from './helpers/app.js'
import { createContact, getPerson } from './helpers/people.js'
import { DEFAULT_QUOTA_LIMITS, MAX_QUOTA_ACCOUNTS, QuotaLedger } from '../src/quotas.js'
import { createGroup, getGroup } from './helpers/groups.js'
import { BAD_GATEWAY_PAGE } from '../src/faults.js'
import { startEmulator } from '../src/index.js'
import { loadConfig } from '../src/config.js'

const JSON_HEADERS = { 'content-type': 'application/json' }

async function addFault (app: FastifyInstance, rule: unknown): Promise<any> {
  const res = await app.inject({ method: 'POST', url: '/_emulator/faults', headers: JSON_HEADERS, payload: JSON.stringify(rule) })
  if (res.statusCode !== 201) throw new Error(`fault not added: ${res.body}`)
  return body(res)
}

async function faultRefused (t: Test, app: FastifyInstance, rule: unknown, message: string): Promise<void> {
  // A rule given as text is sent as it is (JSON.stringify cannot write one nested thousands deep).
  const text = typeof rule === 'string' ? rule : JSON.stringify(rule)
  const res = await app.inject({ method: 'POST', url: '/_emulator/faults', headers: JSON_HEADERS, payload: text })
  t.equal(res.statusCode, 400, text.slice(0, 200))
  t.equal(body(res).error.status, 'INVALID_ARGUMENT')
  t.equal(body(res).error.message, message)
}

const WRITE_QUOTA_MESSAGE = "Quota exceeded for quota metric 'Critical write requests (Contact Creates and Updates)' and limit 'Critical write requests (Contact Creates and Updates) per minute per user' of service 'people.googleapis.com' for consumer 'project_number:000000000000'."

/** Google's per-minute quota 429 as the front end writes it, two-space indented (prettyPrint's default). */
function rateLimitText (display: string, limit: string, metric: string): string {
  return JSON.stringify(rateLimitBody(display, limit, metric), null, 2)
}

const DAILY_TEXT = JSON.stringify({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ subject: 'QUOTA_EXCEEDED', description: 'FBS quota limit exceeded' }] }] } }, null, 2)

async function listen (t: Test, config = {}): Promise<{ app: FastifyInstance, rootUrl: string }> {
  const app = await build(t, config)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, rootUrl: address + '/' }
}

/** The official Node client as users build it: its default retry behaviour kept. */
function client (rootUrl: string, token = 'test-token'): ReturnType<typeof people> {
  const oauth2 = new auth.OAuth2()
  oauth2.setCredentials({ access_token: token })
  return people({ version: 'v1', rootUrl, auth: oauth2 })
}

async function failure (promise: Promise<unknown>): Promise<{ status: number, data: any }> {
  try {
    await promise
  } catch (err) {
    const e = err as { response?: { status: number, data: unknown } }
    if (e.response === undefined) throw err
    return { status: e.response.status, data: e.response.data }
  }
  throw new Error('the call succeeded')
}

t.test('the official Node client: a write-quota 429 on updateContact is surfaced, not retried', async t => {
  const { app, rootUrl } = await listen(t)
  const api = client(rootUrl)
  const created = await api.people.createContact({ requestBody: { names: [{ givenName: 'Ada' }] } })
  const before = await api.people.get({ resourceName: created.data.resourceName!, personFields: 'names' })
  const rule = await addFault(app, { method: 'people.people.updateContact', times: 1, error: 'RATE_LIMIT_EXCEEDED' })
  t.match(rule, { id: /^f\d+$/, method: 'people.people.updateContact', account: null, times: 1, after: 0, probability: 1, when: 'before', error: 'RATE_LIMIT_EXCEEDED', delayMs: 0, hits: 0 })
  const res = await failure(api.people.updateContact({
    resourceName: created.data.resourceName!,
    updatePersonFields: 'names',
    requestBody: { etag: created.data.etag, names: [{ givenName: 'Grace' }] }
  }))
  t.equal(res.status, 429)
  t.equal(res.data.error.message, WRITE_QUOTA_MESSAGE)
  t.equal(res.data.error.details[0].metadata.quota_limit, 'CriticalWritesPerMinutePerProjectPerUser')
  const calls = app.journal.entries({ method: 'people.people.updateContact' })
  t.equal(calls.length, 1, 'the client did not retry the PATCH')
  t.equal(calls[0]!.fault, rule.id)
  t.equal(calls[0]!.error?.reason, 'RATE_LIMIT_EXCEEDED')
  const stored = await api.people.get({ resourceName: created.data.resourceName!, personFields: 'names' })
  t.equal(stored.data.names?.[0]?.givenName, 'Ada', 'nothing was applied')
  t.equal(stored.data.etag, before.data.etag)
  t.same(body(await app.inject({ url: '/_emulator/faults' })).faults.map((f: any) => [f.id, f.hits, f.matched]), [[rule.id, 1, 1]])
})

t.test('the official Node client: a 429 on contactGroups.update is retried and the update succeeds', async t => {
  const { app, rootUrl } = await listen(t)
  const api = client(rootUrl)
  const group = await api.contactGroups.create({ requestBody: { contactGroup: { name: 'Team' } } })
  const rule = await addFault(app, { method: 'people.contactGroups.update', error: 'RATE_LIMIT_EXCEEDED' })
  const updated = await api.contactGroups.update({
    resourceName: group.data.resourceName!,
    requestBody: { contactGroup: { name: 'Crew', etag: group.data.etag } }
  })
  t.equal(updated.status, 200)
  t.equal(updated.data.name, 'Crew')
  const calls = app.journal.entries({ method: 'people.contactGroups.update' })
  t.same(calls.map(c => [c.status, c.fault]), [[429, rule.id], [200, null]], 'one 429, then the retry')
  t.equal(calls[0]!.error?.message, "Quota exceeded for quota metric 'Write requests (Contact Deletes and Contact Group Writes)' and limit 'Write requests (Contact Deletes and Contact Group Writes) per minute per user' of service 'people.googleapis.com' for consumer 'project_number:000000000000'.")
})

t.test('when "after": the update is applied and stored, the client sees the error, a read finds the new data and etag', async t => {
  const { app, rootUrl } = await listen(t)
  const api = client(rootUrl)
  const created = await api.people.createContact({ requestBody: { names: [{ givenName: 'Ada' }] } })
  const before = await api.people.get({ resourceName: created.data.resourceName!, personFields: 'names' })
  const rule = await addFault(app, { method: 'people.people.updateContact', when: 'after', error: 'INTERNAL' })
  const res = await failure(api.people.updateContact({
    resourceName: created.data.resourceName!,
    updatePersonFields: 'names',
    requestBody: { etag: created.data.etag, names: [{ givenName: 'Grace' }] }
  }))
  t.equal(res.status, 500)
  t.same(res.data, { error: { code: 500, message: 'Internal error encountered.', errors: [{ message: 'Internal error encountered.', domain: 'global', reason: 'backendError' }], status: 'INTERNAL' } })
  const stored = await api.people.get({ resourceName: created.data.resourceName!, personFields: 'names' })
  t.equal(stored.data.names?.[0]?.givenName, 'Grace', 'the update was stored')
  t.not(stored.data.etag, before.data.etag, 'with a new etag')
  // The old etag is stale now: the client that retries blindly meets the etag rule.
  const retried = await failure(api.people.updateContact({
    resourceName: created.data.resourceName!,
    updatePersonFields: 'names',
    requestBody: { etag: created.data.etag, names: [{ givenName: 'Grace' }] }
  }))
  t.equal(retried.status, 400)
  t.equal(retried.data.error.status, 'FAILED_PRECONDITION')
  const entry = app.journal.entries({ method: 'people.people.updateContact' })[0]!
  t.equal(entry.status, 500)
  t.equal(entry.fault, rule.id)
  t.same(entry.error, { status: 'INTERNAL', reason: 'backendError', message: 'Internal error encountered.' })
  t.same(entry.responseBody, res.data, 'the journal holds the error the client saw')
})

t.test('the errors a rule answers, byte for byte', async t => {
  const app = await build(t)
  const contact = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const group = await createGroup(t, app, 'Team')
  const etagBefore = (await getPerson(t, app, contact.resourceName, 'names')).etag
  const call = async (url: string, method: 'GET' | 'PATCH' | 'PUT' = 'GET', payload?: unknown): Promise<{ status: number, type: string, text: string }> => {
    const res = await app.inject({ method, url, headers: { ...bearer(), 'content-type': 'application/json' }, payload: payload === undefined ? undefined : JSON.stringify(payload) })
    return { status: res.statusCode, type: String(res.headers['content-type']), text: res.body }
  }
  const updateUrl = `/v1/${contact.resourceName}:updateContact?updatePersonFields=names`
  const update = { etag: contact.etag, names: [{ givenName: 'X' }] }

  await addFault(app, { method: 'people.people.updateContact', error: 'RATE_LIMIT_EXCEEDED' })
  t.same(await call(updateUrl, 'PATCH', update), { status: 429, type: 'application/json; charset=UTF-8', text: rateLimitText('Critical write requests (Contact Creates and Updates)', 'CriticalWritesPerMinutePerProjectPerUser', 'people.googleapis.com/critical_write_requests') })
  await addFault(app, { method: 'people.people.get', error: 'RATE_LIMIT_EXCEEDED' })
  t.same(await call(`/v1/${contact.resourceName}?personFields=names`), { status: 429, type: 'application/json; charset=UTF-8', text: rateLimitText('Critical read requests (Contact and Profile Reads)', 'CriticalReadsPerMinutePerProjectPerUser', 'people.googleapis.com/critical_read_requests') })
  await addFault(app, { method: 'people.contactGroups.get', error: 'RATE_LIMIT_EXCEEDED' })
  t.same(await call(`/v1/${group.resourceName}`), { status: 429, type: 'application/json; charset=UTF-8', text: rateLimitText('Read requests (Contact Group Reads)', 'ReadRequestsPerMinutePerProjectPerUser', 'people.googleapis.com/read_requests') })
  await addFault(app, { method: 'people.people.updateContact', error: 'DAILY_QUOTA_EXCEEDED' })
  t.same(await call(updateUrl, 'PATCH', update), { status: 429, type: 'application/json; charset=UTF-8', text: DAILY_TEXT })
  await addFault(app, { method: 'people.people.updateContact', error: 'UNAVAILABLE' })
  const message = 'The service is currently unavailable.'
  t.same(await call(updateUrl, 'PATCH', update), { status: 503, type: 'application/json; charset=UTF-8', text: JSON.stringify({ error: { code: 503, message, errors: [{ message, domain: 'global', reason: 'backendError' }], status: 'UNAVAILABLE' } }, null, 2) })
  await addFault(app, { method: 'people.people.updateContact', error: 'BAD_GATEWAY' })
  t.same(await call(updateUrl, 'PATCH', update), { status: 502, type: 'text/html; charset=UTF-8', text: BAD_GATEWAY_PAGE })
  t.match(BAD_GATEWAY_PAGE, /<title>Error 502 \(Server Error\)!!1<\/title>/)
  await addFault(app, { method: 'people.people.updateContact', error: { code: 409, status: 'ABORTED', message: 'The operation was aborted.', reason: 'aborted', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CONCURRENT_MODIFICATION', domain: 'people.googleapis.com' }] } })
  const custom = await call(`${updateUrl}&prettyPrint=false`, 'PATCH', update)
  t.equal(custom.status, 409)
  t.equal(custom.text, JSON.stringify({ error: { code: 409, message: 'The operation was aborted.', errors: [{ message: 'The operation was aborted.', domain: 'global', reason: 'aborted' }], status: 'ABORTED', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CONCURRENT_MODIFICATION', domain: 'people.googleapis.com' }] } }), 'custom, compact with prettyPrint=false')
  // $.xgafv=2 leaves out the legacy errors, as for every error.
  await addFault(app, { method: 'people.people.updateContact', error: 'INTERNAL' })
  t.same(JSON.parse((await call(`${updateUrl}&$.xgafv=2`, 'PATCH', update)).text), { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } })
  // Every rule fired once (times: 1), and nothing was applied.
  t.equal((await getPerson(t, app, contact.resourceName, 'names')).etag, etagBefore)
  t.same(body(await app.inject({ url: '/_emulator/faults' })).faults.map((f: any) => f.hits), [1, 1, 1, 1, 1, 1, 1, 1])
  t.equal((await call(updateUrl, 'PATCH', update)).status, 200, 'spent rules no longer fire')
})

t.test('matching: method ids, prefixes and *, accounts, times, after', async t => {
  const app = await build(t)
  const get = async (token = 'test-token'): Promise<number> => (await app.inject({ url: '/v1/contactGroups', headers: bearer(token) })).statusCode
  const prefix = await addFault(app, { method: 'people.contactGroups.*', account: 'alice', times: 2, after: 1, error: 'UNAVAILABLE' })
  t.same([await get('bob'), await get('alice'), await get('alice'), await get('alice'), await get('alice')], [200, 200, 503, 503, 200], 'alice only; one let through, then two')
  const rules = body(await app.inject({ url: '/_emulator/faults' })).faults
  t.match(rules[0], { id: prefix.id, hits: 2, matched: 3 })
  await app.inject({ method: 'DELETE', url: '/_emulator/faults', headers: JSON_HEADERS })
  const any = await addFault(app, { method: '*', times: 0, error: 'INTERNAL' })
  t.same([await get(), await get('carol'), (await app.inject({ url: '/v1/people/me?personFields=names', headers: bearer() })).statusCode], [500, 500, 500], 'times 0: until removed')
  t.equal((await app.inject({ url: '/_emulator/health' })).statusCode, 200, 'the control plane is never faulted')
  t.equal((await app.inject({ url: '/$discovery/rest?version=v1' })).statusCode, 200, 'nor the discovery document')
  const removed = await app.inject({ method: 'DELETE', url: `/_emulator/faults/${any.id as string}`, headers: JSON_HEADERS })
  t.equal(removed.statusCode, 200)
  t.equal(await get(), 200)
  const again = await app.inject({ method: 'DELETE', url: `/_emulator/faults/${any.id as string}`, headers: JSON_HEADERS })
  t.equal(again.statusCode, 404)
  t.equal(body(again).error.message, `Fault rule "${any.id as string}" was not found.`)
  // The first rule that matches fires; the other waits.
  const first = await addFault(app, { method: 'people.contactGroups.list', error: 'INTERNAL' })
  const second = await addFault(app, { method: '*', error: 'UNAVAILABLE' })
  t.same([await get(), await get(), await get()], [500, 503, 200])
  t.same(body(await app.inject({ url: '/_emulator/faults' })).faults.map((f: any) => [f.id, f.hits]), [[first.id, 1], [second.id, 1]])
  // Ids are never reused.
  t.ok(Number(second.id.slice(1)) > Number(any.id.slice(1)))
})

t.test('probability: drawn from the seeded random stream, the same with the same seed', async t => {
  const run = async (): Promise<number[]> => {
    const app = await build(t, { seed: 'faults' })
    await addFault(app, { method: 'people.contactGroups.list', times: 0, probability: 0.5, error: 'UNAVAILABLE' })
    const out: number[] = []
    for (let i = 0; i < 40; i++) out.push((await app.inject({ url: '/v1/contactGroups', headers: bearer() })).statusCode)
    return out
  }
  const a = await run()
  const b = await run()
  t.same(a, b, 'repeatable with --seed')
  const failed = a.filter(s => s === 503).length
  t.ok(failed > 5 && failed < 35, `about half fail (${failed} of 40)`)
  // A rule with probability 1 draws nothing: ids after it are those of a run without it.
  const ids = async (withRule: boolean): Promise<string> => {
    const app = await build(t, { seed: 'ids' })
    if (withRule) await addFault(app, { method: 'people.contactGroups.list', error: 'UNAVAILABLE' })
    await app.inject({ url: '/v1/contactGroups', headers: bearer() })
    return (await createContact(t, app, { names: [{ givenName: 'A' }] })).resourceName
  }
  t.equal(await ids(true), await ids(false))
})

t.test('delayMs: alone it slows the call, which then succeeds; with an error, the error comes after it', async t => {
  const app = await build(t)
  await addFault(app, { method: 'people.contactGroups.list', delayMs: 150 })
  let start = Date.now()
  const slow = await app.inject({ url: '/v1/contactGroups', headers: bearer() })
  t.equal(slow.statusCode, 200)
  t.ok(Date.now() - start >= 140, 'answered after the delay')
  await addFault(app, { method: 'people.contactGroups.list', delayMs: 100, error: 'UNAVAILABLE', when: 'after' })
  start = Date.now()
  t.equal((await app.inject({ url: '/v1/contactGroups', headers: bearer() })).statusCode, 503)
  t.ok(Date.now() - start >= 90)
  // A close does not wait a delay out.
  await addFault(app, { method: 'people.contactGroups.list', delayMs: 300000 })
  const pending = app.inject({ url: '/v1/contactGroups', headers: bearer() })
  await new Promise(resolve => setTimeout(resolve, 50))
  start = Date.now()
  await app.close()
  t.equal((await pending).statusCode, 200)
  t.ok(Date.now() - start < 10000, 'closed without waiting five minutes')
})

t.test('batch parts are faulted as lone calls, and the journal names the rule', async t => {
  const app = await build(t)
  const group = await createGroup(t, app, 'Team')
  const rule = await addFault(app, { method: 'people.contactGroups.get', error: 'RATE_LIMIT_EXCEEDED' })
  const parts = [`/v1/${group.resourceName as string}`, `/v1/${group.resourceName as string}`].map(url => `--B\r\nContent-Type: application/http\r\n\r\nGET ${url} HTTP/1.1\r\n\r\n`).join('') + '--B--\r\n'
  const res = await app.inject({ method: 'POST', url: '/batch', headers: { ...bearer(), 'content-type': 'multipart/mixed; boundary=B' }, payload: parts })
  t.equal(res.statusCode, 200)
  const statuses = [...res.body.matchAll(/HTTP\/1\.1 (\d{3})/g)].map(m => Number(m[1]))
  t.same(statuses, [429, 200])
  const entries = app.journal.entries({ method: 'people.contactGroups.get' })
  t.same(entries.map(e => [e.status, e.fault]), [[429, rule.id], [200, null]])
  t.equal((await getGroup(t, app, group.resourceName)).name, 'Team')
})

t.test('a rule is checked: each field, unknown fields, and the bound on rules', async t => {
  const app = await build(t)
  await faultRefused(t, app, { error: 'INTERNAL' }, 'A fault rule needs "method": a method id (people.people.updateContact), a prefix ending in ".*", or "*".')
  await faultRefused(t, app, { method: 'people.people.frobnicate', error: 'INTERNAL' }, 'Invalid fault method "people.people.frobnicate": expected a method id of the discovery document (people.people.updateContact), a prefix ending in ".*" (people.contactGroups.*), or "*".')
  await faultRefused(t, app, { method: 'people.things.*', error: 'INTERNAL' }, 'Invalid fault method "people.things.*": no method of the People API starts with "people.things.".')
  await faultRefused(t, app, { method: '*' }, 'A fault rule needs an "error", a "delayMs" of more than 0, or both.')
  await faultRefused(t, app, { method: '*', error: 'TEAPOT' }, 'Invalid fault error "TEAPOT": expected RATE_LIMIT_EXCEEDED, DAILY_QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, BAD_GATEWAY, or {"code", "status", "message"}.')
  await faultRefused(t, app, { method: '*', error: 'INTERNAL', times: -1 }, 'Invalid fault times -1: expected a whole number from 0 to 1000000000.')
  await faultRefused(t, app, { method: '*', error: 'INTERNAL', after: 1.5 }, 'Invalid fault after 1.5: expected a whole number from 0 to 1000000000.')
  await faultRefused(t, app, { method: '*', error: 'INTERNAL', probability: 0 }, 'Invalid fault probability 0: expected a number more than 0 and at most 1.')
  await faultRefused(t, app, { method: '*', error: 'INTERNAL', when: 'during' }, 'Invalid fault when "during": expected "before" (nothing is applied) or "after" (the call is applied, then the error answered).')
  await faultRefused(t, app, { method: '*', delayMs: 300001 }, 'Invalid fault delayMs 300001: expected a whole number from 0 to 300000.')
  await faultRefused(t, app, { method: '*', error: 'INTERNAL', account: '' }, 'Invalid fault account "": expected an account id.')
  await faultRefused(t, app, { method: '*', error: 'INTERNAL', code: 500 }, 'Unknown fault field "code": a rule has method, account, times, after, probability, when, error, delayMs.')
  await faultRefused(t, app, { method: '*', error: { code: 200, status: 'OK', message: 'x' } }, 'Invalid custom fault error code 200: expected an HTTP status from 400 to 599.')
  await faultRefused(t, app, { method: '*', error: { code: 418, status: 'TEAPOT', message: 'x' } }, 'Invalid custom fault error status "TEAPOT": expected a canonical code (INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, ALREADY_EXISTS, ABORTED, RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE, UNIMPLEMENTED, CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, DATA_LOSS).')
  await faultRefused(t, app, { method: '*', error: { code: 500, status: 'INTERNAL' } }, 'Invalid custom fault error message: expected a string of at most 10000 characters.')
  await faultRefused(t, app, { method: '*', error: { code: 500, status: 'INTERNAL', message: 'x', extra: 1 } }, 'Unknown field "extra" in a custom fault error: it is {"code", "status", "message"} with an optional "reason" and "details".')
  await faultRefused(t, app, { method: '*', error: { code: 500, status: 'INTERNAL', message: 'x', details: [{ reason: 'no type' }] } }, 'Invalid custom fault error details: expected up to 20 objects, each with an "@type".')
  await faultRefused(t, app, ['*'], 'A fault rule is a JSON object: {"method", "error" and/or "delayMs", …}.')
  // Details every matching call is answered with, and GET /_emulator/faults lists: bounded.
  const nested = (depth: number): unknown => { let v: unknown = 1; for (let i = 0; i < depth; i++) v = { v }; return v }
  const custom = (details: unknown): unknown => ({ method: '*', error: { code: 409, status: 'ABORTED', message: 'x', details } })
  const deep = '{"method":"*","error":{"code":409,"status":"ABORTED","message":"x","details":[{"@type":"t","v":' + '{"v":'.repeat(5000) + '1' + '}'.repeat(5000) + '}]}}'
  await faultRefused(t, app, deep, 'Invalid custom fault error details: nested more than 32 deep.')
  await faultRefused(t, app, custom([{ '@type': 't', v: nested(31) }]), 'Invalid custom fault error details: nested more than 32 deep.')
  await faultRefused(t, app, custom([{ '@type': 't', v: 'x'.repeat(70_000) }]), 'Invalid custom fault error details: longer than 65536 characters of JSON.')
  await faultRefused(t, app, custom([{ '@type': 't', v: Array.from({ length: 200_000 }, () => 0) }]), 'Invalid custom fault error details: longer than 65536 characters of JSON.')
  t.same(body(await app.inject({ url: '/_emulator/faults' })), { faults: [] }, 'nothing was added')
  const deepest = await app.inject({ method: 'POST', url: '/_emulator/faults', headers: JSON_HEADERS, payload: JSON.stringify(custom([{ '@type': 't', v: nested(30) }])) })
  t.equal(deepest.statusCode, 201, 'details 32 deep are kept')
  t.equal((await app.inject({ url: '/_emulator/faults' })).statusCode, 200)
  t.equal((await app.inject({ url: '/v1/contactGroups', headers: bearer() })).statusCode, 409, 'and answered')
  await app.inject({ method: 'DELETE', url: '/_emulator/faults', headers: JSON_HEADERS })
  for (let i = 0; i < 1000; i++) app.faults.add({ method: 'people.people.get', error: 'INTERNAL', account: `a${i}` })
  const full = await app.inject({ method: 'POST', url: '/_emulator/faults', headers: JSON_HEADERS, payload: JSON.stringify({ method: '*', error: 'INTERNAL' }) })
  t.equal(full.statusCode, 400)
  t.same(body(full).error, { code: 400, message: 'The emulator already holds 1000 fault rules, the most it keeps: remove some (DELETE /_emulator/faults/ID or DELETE /_emulator/faults) first.', errors: [{ message: 'The emulator already holds 1000 fault rules, the most it keeps: remove some (DELETE /_emulator/faults/ID or DELETE /_emulator/faults) first.', domain: 'global', reason: 'failedPrecondition' }], status: 'FAILED_PRECONDITION' })
  // Bad input never lands as a 5xx: a body that is not JSON.
  const notJson = await app.inject({ method: 'POST', url: '/_emulator/faults', headers: JSON_HEADERS, payload: '{' })
  t.equal(notJson.statusCode, 400)
})

t.test('quotas on, fixed clock: createContact hits the critical-write 429 at the limit and is served again a minute later', async t => {
  const app = await build(t, { quotas: true, quotaLimits: { ...loadConfig([], {}).quotaLimits, critical_write: 5 }, clock: 'fixed:2026-03-02T10:00:30Z' })
  const create = async (): Promise<{ status: number, text: string }> => {
    const res = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: { names: [{ givenName: 'N' }] } })
    return { status: res.statusCode, text: res.body }
  }
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) statuses.push((await create()).status)
  t.same(statuses, [200, 200, 200, 200, 200])
  const refused = await create()
  t.equal(refused.status, 429)
  t.equal(refused.text, rateLimitText('Critical write requests (Contact Creates and Updates)', 'CriticalWritesPerMinutePerProjectPerUser', 'people.googleapis.com/critical_write_requests'))
  const state = body(await app.inject({ url: '/_emulator/quotas?account=test-token' }))
  t.equal(state.enabled, true)
  t.match(state.quotas.find((q: any) => q.name === 'critical_write'), { limit: 5, spent: 5, remaining: 0, window: 'minute', resetTime: '2026-03-02T10:01:00.000000Z' })
  t.match(state.quotas.find((q: any) => q.name === 'critical_read'), { limit: 90, spent: 5, remaining: 85 }, 'the refused call spent nothing')
  t.match(state.quotas.find((q: any) => q.name === 'daily_write'), { limit: 10000, spent: 5, window: 'day', resetTime: '2026-03-03T08:00:00.000000Z' }, 'days end at midnight Pacific time')
  t.equal((await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer('other'), payload: {} })).statusCode, 200, 'each account has its own quotas')
  await app.inject({ method: 'POST', url: '/_emulator/clock', headers: JSON_HEADERS, payload: { advance: '1m' } })
  t.equal((await create()).status, 200, 'a minute later: served again')
  t.equal(body(await app.inject({ url: '/_emulator/quotas?account=test-token' })).quotas.find((q: any) => q.name === 'daily_write').spent, 6, 'the day goes on')
  // A whole reset forgets what was spent.
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: JSON_HEADERS })
  t.equal(body(await app.inject({ url: '/_emulator/quotas?account=test-token' })).quotas.find((q: any) => q.name === 'daily_write').spent, 0)
})

t.test('quotas: the documented costs, the daily write quota, reads, and quotas off', async t => {
  const limits = { ...loadConfig([], {}).quotaLimits, daily_write: 405, read: 2, write: 3 }
  const app = await build(t, { quotas: true, quotaLimits: limits, clock: 'fixed:2026-07-01T06:59:00Z' })
  const spent = async (name: string): Promise<number> => body(await app.inject({ url: '/_emulator/quotas?account=test-token' })).quotas.find((q: any) => q.name === name).spent
  const batchCreate = async (): Promise<{ status: number, text: string }> => {
    const res = await app.inject({ method: 'POST', url: '/v1/people:batchCreateContacts', headers: bearer(), payload: { contacts: [{ contactPerson: { names: [{ givenName: 'B' }] } }], readMask: 'names' } })
    return { status: res.statusCode, text: res.body }
  }
  t.equal((await batchCreate()).status, 200)
  t.same([await spent('critical_read'), await spent('critical_write'), await spent('daily_write')], [6, 6, 200], 'a batch create: 6 + 6 + 200')
  t.equal((await batchCreate()).status, 200)
  const daily = await batchCreate()
  t.same(daily, { status: 429, text: DAILY_TEXT }, 'the daily write quota answers the QuotaFailure 429')
  await app.inject({ method: 'POST', url: '/_emulator/clock', headers: JSON_HEADERS, payload: { advance: '1m' } })
  t.equal((await batchCreate()).status, 200, '07:00 UTC in July is midnight Pacific: a new day')
  // Group reads spend the read quota; deletes and group writes the write quota.
  const groups = async (): Promise<number> => (await app.inject({ url: '/v1/contactGroups', headers: bearer() })).statusCode
  t.same([await groups(), await groups(), await groups()], [200, 200, 429])
  const group = body(await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(), payload: { contactGroup: { name: 'G' } } }))
  const contacts = body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer() })).connections
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/${contacts[0].resourceName as string}:deleteContact`, headers: bearer() })).statusCode, 200)
  const refused = await app.inject({ method: 'DELETE', url: `/v1/${group.resourceName as string}`, headers: bearer() })
  t.equal(refused.statusCode, 200, 'the third write')
  const fourth = await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(), payload: { contactGroup: { name: 'H' } } })
  t.equal(fourth.statusCode, 429)
  t.equal(body(fourth).error.details[0].metadata.quota_limit, 'WriteRequestsPerMinutePerProjectPerUser')
  // Calls that fail on their own still spend (the front end counts them), calls without credentials do not.
  const before = await spent('critical_read')
  t.equal((await app.inject({ url: '/v1/people/c1?personFields=names', headers: bearer() })).statusCode, 404)
  t.equal((await app.inject({ url: '/v1/people/c1?personFields=names' })).statusCode, 401)
  t.equal(await spent('critical_read'), before + 1)
  // A reset of the account forgets its spending.
  await app.inject({ method: 'POST', url: '/_emulator/reset?account=test-token', headers: JSON_HEADERS })
  t.equal(await spent('write'), 0)

  const off = await build(t)
  for (let i = 0; i < 100; i++) await off.inject({ url: '/v1/contactGroups', headers: bearer() })
  t.equal((await off.inject({ url: '/v1/contactGroups', headers: bearer() })).statusCode, 200, 'quotas off (the default): never a 429')
  const offState = body(await off.inject({ url: '/_emulator/quotas?account=test-token' }))
  t.equal(offState.enabled, false)
  t.equal(offState.quotas.find((q: any) => q.name === 'read').spent, 0)
  const noAccount = await off.inject({ url: '/_emulator/quotas' })
  t.equal(noAccount.statusCode, 400)
  t.equal(body(noAccount).error.message, 'GET /_emulator/quotas needs ?account=ID: the account whose quotas to show.')
})

t.test('--quotas and --quota-limits: flags, environment, and their checks', async t => {
  const config = loadConfig(['--quotas', 'on', '--quota-limits', 'critical_write=5,daily_write=100'], {})
  t.equal(config.quotas, true)
  t.match(config.quotaLimits, { critical_write: 5, daily_write: 100, critical_read: 90, read: 180, write: 60, photo_write: 60 })
  t.equal(loadConfig([], {}).quotas, false)
  t.equal(loadConfig([], { PEOPLE_EMULATOR_QUOTAS: 'on', PEOPLE_EMULATOR_QUOTA_LIMITS: 'read=7' }).quotaLimits.read, 7)
  t.throws(() => loadConfig(['--quotas', 'maybe'], {}), { message: "invalid configuration: option '--quotas <on|off>' argument 'maybe' is invalid. expected on or off (flag --quotas or env PEOPLE_EMULATOR_QUOTAS)" })
  t.throws(() => loadConfig(['--quota-limits', 'critical=5'], {}), { message: /unknown quota "critical" \(known: critical_read, critical_write, daily_write, read, write, photo_write\)/ })
  t.throws(() => loadConfig(['--quota-limits', 'read=-1'], {}), { message: /"read=-1" is not name=number/ })
})

t.test('library mode: emulator.faults and emulator.quotas', async t => {
  const emulator = await startEmulator({ quotas: 'on', quotaLimits: { critical_read: 1 } })
  t.teardown(async () => { await emulator.close() })
  const rule = await emulator.faults.add({ method: 'people.contactGroups.list', error: 'UNAVAILABLE' })
  t.equal(rule.id, 'f1')
  const api = client(emulator.rootUrl)
  // GET is retried by the client: the second try succeeds.
  t.equal((await api.contactGroups.list()).status, 200)
  t.same((await emulator.faults.list()).map(f => f.hits), [1])
  await emulator.faults.add({ method: '*', error: 'INTERNAL', times: 0 })
  await emulator.faults.clear()
  t.same(await emulator.faults.list(), [])
  await emulator.faults.add({ method: '*', error: 'INTERNAL', times: 0 })
  const [listed] = await emulator.faults.list()
  await emulator.faults.remove(listed!.id)
  await t.rejects(emulator.faults.remove(listed!.id), { name: 'EmulatorError', statusCode: 404 })
  await t.rejects(emulator.faults.add({ method: 'nope', error: 'INTERNAL' }), { name: 'EmulatorError', statusCode: 400, status: 'INVALID_ARGUMENT' })
  await api.people.get({ resourceName: 'people/me', personFields: 'names' })
  const refused = await failure(api.people.get({ resourceName: 'people/me', personFields: 'names' }, { retry: false }))
  t.equal(refused.status, 429)
  t.match((await emulator.quotas('test-token')).find(q => q.name === 'critical_read'), { limit: 1, spent: 1, remaining: 0 })
})

t.test('the quota ledger is bounded, and a new account costs the same however many it holds (fixed clock)', async t => {
  const ledger = new QuotaLedger(true, DEFAULT_QUOTA_LIMITS)
  const now = 1_800_000_000_000_000n
  let refused = 0
  for (let i = 0; i < 3 * MAX_QUOTA_ACCOUNTS; i++) if (ledger.spend(`account-${i}`, 'people.people.get', now) !== undefined) refused++
  t.equal(refused, 0, 'every new account is served')
  t.equal(ledger.size, MAX_QUOTA_ACCOUNTS, 'no more accounts than the bound')
  const spent = (id: string): number => ledger.state(id, now).find(q => q.name === 'critical_read')!.spent
  // The newest accounts' spending is kept; the least recent were forgotten.
  t.equal(spent(`account-${3 * MAX_QUOTA_ACCOUNTS - 1}`), 1)
  t.equal(spent('account-0'), 0)
  // An account that keeps calling stays: each call makes it the most recent.
  const busy = new QuotaLedger(true, { ...DEFAULT_QUOTA_LIMITS, critical_read: 1_000_000 })
  for (let i = 0; i < 2 * MAX_QUOTA_ACCOUNTS; i++) {
    busy.spend(`new-${i}`, 'people.people.get', now)
    busy.spend('busy', 'people.people.get', now)
  }
  t.equal(busy.state('busy', now).find(q => q.name === 'critical_read')!.spent, 2 * MAX_QUOTA_ACCOUNTS)
  // With time moving, accounts whose windows have passed are forgotten as new ones come.
  const moving = new QuotaLedger(true, DEFAULT_QUOTA_LIMITS)
  for (let i = 0; i < 1000; i++) moving.spend(`old-${i}`, 'people.people.get', now)
  for (let i = 0; i < 600; i++) moving.spend(`later-${i}`, 'people.people.get', now + 120_000_000n)
  t.equal(moving.size, 600, 'two passed accounts forgotten with each new one: the thousand old ones are gone after 500 new')
})
