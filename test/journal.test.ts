/** The request journal: GET / DELETE /_emulator/requests, --journal-size (src/plugins/journal.ts). */
import t, { type Test } from 'tap'
import { build, bearer, body } from './helpers/app.js'
import { JOURNAL_BODY_LIMIT, tokenDigest } from '../src/plugins/journal.js'

const JSON_TYPE = { 'content-type': 'application/json' }
const FIXTURES = { accounts: [{ id: 'alice', tokens: [{ token: 'alice-secret-token' }] }, { id: 'bob', tokens: [{ token: 'bob-secret-token' }] }] }

async function seeded (t: Test, config: Record<string, unknown> = {}): Promise<Awaited<ReturnType<typeof build>>> {
  const app = await build(t, { clock: 'fixed:2026-01-01T00:00:00Z', seed: 'journal', ...config })
  const control = 'controlToken' in config ? bearer(String(config.controlToken)) : {}
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', headers: control, payload: FIXTURES })).statusCode, 200)
  return app
}

async function journal (app: Awaited<ReturnType<typeof build>>, query = ''): Promise<any[]> {
  const res = await app.inject({ url: `/_emulator/requests${query}` })
  t.equal(res.statusCode, 200)
  return body(res).requests
}

t.test('each API request is recorded with the documented fields, newest last; the control plane is not', async t => {
  const app = await seeded(t)
  const created = await app.inject({ method: 'POST', url: '/v1/people:createContact?personFields=names', headers: { ...bearer('alice-secret-token'), ...JSON_TYPE }, payload: '{"names":[{"givenName":"Ann"}]}' })
  t.equal(created.statusCode, 200)
  const name = body(created).resourceName as string
  const got = await app.inject({ url: `/v1/${name}?personFields=names,emailAddresses`, headers: bearer('alice-secret-token') })
  const missing = await app.inject({ url: '/v1/people/c1?personFields=names', headers: bearer('alice-secret-token') })
  t.equal(missing.statusCode, 404)
  await app.inject({ url: '/_emulator/health' })
  const entries = await journal(app)
  t.same(entries.map(e => e.method), ['people.people.createContact', 'people.people.get', 'people.people.get'], 'the import and health are not recorded')
  t.same(entries.map(e => e.id), [1, 2, 3])
  const [create, get, notFound] = entries
  t.same(Object.keys(create), ['id', 'time', 'account', 'method', 'httpMethod', 'path', 'query', 'status', 'error', 'fault', 'durationMs', 'requestBody', 'responseBody'])
  t.match(create, { account: 'alice', httpMethod: 'POST', path: '/v1/people:createContact', query: { personFields: 'names' }, status: 200, error: null, requestBody: { names: [{ givenName: 'Ann' }] } })
  t.same(create.responseBody, body(created), 'the response body as sent')
  t.match(create.time, /^2026-01-01T00:00:00\.\d{6}Z$/, 'emulator-clock time')
  t.type(create.durationMs, 'number')
  t.ok(create.durationMs >= 0)
  t.match(get, { method: 'people.people.get', httpMethod: 'GET', path: `/v1/${name}`, query: { personFields: 'names,emailAddresses' }, status: 200, requestBody: null })
  t.same(get.responseBody, body(got))
  t.same(notFound.error, { status: 'NOT_FOUND', reason: 'notFound', message: 'Requested entity was not found.' })
  t.equal(notFound.status, 404)
})

t.test('errors carry the ErrorInfo reason when there is one; unknown paths have method null', async t => {
  const app = await seeded(t)
  await app.inject({ url: '/v1/people/me/connections?personFields=names' })
  await app.inject({ url: '/v1/nowhere', headers: bearer('alice-secret-token') })
  await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer('alice-secret-token'), ...JSON_TYPE }, payload: '{"names": [' })
  const [unauthenticated, unknown, malformed] = await journal(app)
  t.match(unauthenticated, { account: null, method: 'people.people.connections.list', status: 401, error: { status: 'UNAUTHENTICATED', reason: 'CREDENTIALS_MISSING' } })
  t.match(unknown, { method: null, path: '/v1/nowhere', status: 404, error: { status: 'NOT_FOUND' } })
  t.match(malformed, { method: 'people.people.createContact', status: 400, error: { status: 'INVALID_ARGUMENT', reason: 'badRequest' }, requestBody: '{"names": [' }, 'a body that is not JSON is kept as text')
})

t.test('tokens never appear: not in headers, not in the query, not as an account id', async t => {
  const app = await seeded(t)
  await app.inject({ url: '/v1/contactGroups?access_token=alice-secret-token&pageSize=5' })
  await app.inject({ url: '/v1/contactGroups?oauth_token=bob-secret-token' })
  // An undeclared token names its own account: the account's id is the token.
  await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer('undeclared-secret'), ...JSON_TYPE }, payload: { names: [{ givenName: 'U' }] } })
  const res = await app.inject({ url: '/_emulator/requests' })
  for (const secret of ['alice-secret-token', 'bob-secret-token', 'undeclared-secret']) t.notOk(res.body.includes(secret), `${secret} is nowhere in the journal`)
  const [a, b, u] = body(res).requests
  t.same(a.query, { access_token: '[Redacted]', pageSize: '5' })
  t.equal(a.account, 'alice')
  t.same(b.query, { oauth_token: '[Redacted]' })
  t.equal(b.account, 'bob')
  t.equal(u.account, tokenDigest('undeclared-secret'))
  t.match(u.account, /^token:[0-9a-f]{12}$/)
  // The account filter takes the token or the digest shown.
  t.same((await journal(app, '?account=undeclared-secret')).map(e => e.id), [u.id])
  t.same((await journal(app, `?account=${u.account}`)).map(e => e.id), [u.id])
  t.same((await journal(app, '?account=alice')).map(e => e.id), [a.id])
})

t.test('filters: account, method, status (HTTP or canonical), since; combined', async t => {
  const app = await seeded(t)
  const alice = bearer('alice-secret-token')
  const bob = bearer('bob-secret-token')
  await app.inject({ url: '/v1/contactGroups', headers: alice })
  await app.inject({ url: '/v1/contactGroups', headers: bob })
  await app.inject({ url: '/v1/people/c1?personFields=names', headers: alice })
  await app.inject({ url: '/v1/people/c1?personFields=names', headers: bob })
  t.same((await journal(app, '?account=alice')).map(e => e.id), [1, 3])
  t.same((await journal(app, '?method=people.contactGroups.list')).map(e => e.id), [1, 2])
  t.same((await journal(app, '?status=404')).map(e => e.id), [3, 4])
  t.same((await journal(app, '?status=NOT_FOUND')).map(e => e.id), [3, 4])
  t.same((await journal(app, '?status=200&account=bob')).map(e => e.id), [2])
  t.same((await journal(app, '?since=2')).map(e => e.id), [3, 4])
  t.same((await journal(app, '?since=4')), [])
  const refusals: Array<[string, string]> = [
    ['?since=x', 'Invalid since "x": expected the id of a journal entry (a whole number).'],
    ['?status=abc', 'Invalid status "abc": expected an HTTP status (404) or a canonical error status (NOT_FOUND).'],
    ['?since=1&since=2', 'The filter "since" may be given once.'],
    ['?limit=3', 'Invalid JSON payload received. Unknown name "limit": Cannot bind query parameter. Field \'limit\' could not be found in request message.']
  ]
  for (const [bad, message] of refusals) {
    const res = await app.inject({ url: `/_emulator/requests${bad}` })
    t.equal(res.statusCode, 400, bad)
    t.equal(body(res).error.status, 'INVALID_ARGUMENT')
    t.equal(body(res).error.message, message)
  }
})

t.test('every call of an HTTP batch is recorded, and the batch itself', async t => {
  const app = await seeded(t)
  const boundary = 'batch_x'
  const part = (id: number, path: string): string => `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item${id}>\r\n\r\nGET ${path}\r\n\r\n`
  const payload = part(1, '/v1/contactGroups') + part(2, '/v1/people/c1?personFields=names') + `--${boundary}--\r\n`
  const res = await app.inject({ method: 'POST', url: '/batch', headers: { ...bearer('alice-secret-token'), 'content-type': `multipart/mixed; boundary=${boundary}` }, payload })
  t.equal(res.statusCode, 200)
  const entries = await journal(app)
  t.same(entries.map(e => [e.method, e.status, e.account]), [['people.contactGroups.list', 200, 'alice'], ['people.people.get', 404, 'alice'], [null, 200, null]])
  t.equal(entries[2].path, '/batch')
  t.match(entries[2].requestBody, /GET \/v1\/contactGroups/, 'the batch body as text')
  t.notOk(JSON.stringify(entries).includes('alice-secret-token'))
})

t.test('the ring keeps --journal-size entries; DELETE clears it; ids go on', async t => {
  const app = await seeded(t, { journalSize: 3 })
  for (let i = 0; i < 5; i++) await app.inject({ url: '/v1/contactGroups', headers: bearer('alice-secret-token') })
  t.same((await journal(app)).map(e => e.id), [3, 4, 5])
  const cleared = await app.inject({ method: 'DELETE', url: '/_emulator/requests', headers: JSON_TYPE })
  t.equal(cleared.statusCode, 200)
  t.same(body(cleared), {})
  t.same(await journal(app), [])
  await app.inject({ url: '/v1/contactGroups', headers: bearer('alice-secret-token') })
  t.same((await journal(app)).map(e => e.id), [6], 'ids are never reused: `since` stays meaningful')
})

t.test('--journal-size 0 turns the journal off', async t => {
  const app = await seeded(t, { journalSize: 0 })
  await app.inject({ url: '/v1/contactGroups', headers: bearer('alice-secret-token') })
  t.same(await journal(app), [])
})

t.test('bodies are kept up to a bound each', async t => {
  const app = await seeded(t)
  const long = 'x'.repeat(JOURNAL_BODY_LIMIT + 10)
  // Refused (a name that long is not accepted), and recorded all the same.
  const res = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer('alice-secret-token'), ...JSON_TYPE }, payload: { names: [{ givenName: long }] } })
  t.equal(res.statusCode, 400)
  const discovery = await app.inject({ url: '/$discovery/rest?version=v1' })
  t.ok(discovery.body.length > JOURNAL_BODY_LIMIT, 'the discovery document is longer than the bound')
  const [entry, document] = await journal(app)
  t.type(entry.requestBody, 'string', 'too long to keep whole: the start, as text')
  t.ok(entry.requestBody.length < JOURNAL_BODY_LIMIT + 100)
  t.ok(entry.requestBody.startsWith('{"names":[{"givenName":"xxx'))
  t.match(entry.requestBody, /…\[truncated: \d+ characters in all\]$/)
  t.equal(entry.error.status, 'INVALID_ARGUMENT')
  t.equal(document.method, null)
  t.type(document.responseBody, 'string')
  t.match(document.responseBody, new RegExp(`…\\[truncated: ${discovery.body.length} characters in all\\]$`))
})

t.test('a long answer sent from a kept rendering is bounded as any other', async t => {
  const app = await seeded(t)
  const created = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer('alice-secret-token'), ...JSON_TYPE }, payload: { urls: Array.from({ length: 80 }, (_, i) => ({ value: `https://example.com/${i}/${'u'.repeat(900)}` })) } })
  t.equal(created.statusCode, 200, 'a contact whose answer is longer than the bound')
  const name = JSON.parse(created.body).resourceName as string
  // The second get sends the first one's kept rendering (its bytes).
  const first = await app.inject({ url: `/v1/${name}?personFields=urls`, headers: bearer('alice-secret-token') })
  const second = await app.inject({ url: `/v1/${name}?personFields=urls`, headers: bearer('alice-secret-token') })
  t.equal(second.body, first.body)
  t.ok(first.body.length > JOURNAL_BODY_LIMIT)
  const gets = (await journal(app)).filter((e: any) => e.method === 'people.people.get')
  t.equal(gets.length, 2)
  for (const entry of gets) {
    t.type(entry.responseBody, 'string', 'too long to keep whole: the start, as text')
    t.equal(entry.responseBody, first.body.slice(0, JOURNAL_BODY_LIMIT) + `…[truncated: ${first.body.length} characters in all]`)
  }
})

t.test('CORS preflights of the API are recorded as what they are', async t => {
  const app = await seeded(t)
  await app.inject({ method: 'OPTIONS', url: '/v1/contactGroups', headers: { origin: 'http://app.test', 'access-control-request-method': 'GET' } })
  const [entry] = await journal(app)
  t.match(entry, { httpMethod: 'OPTIONS', path: '/v1/contactGroups', account: null })
})

t.test('the journal endpoints are under the control plane\'s guard', async t => {
  const app = await seeded(t, { controlToken: 'ctl' })
  t.equal((await app.inject({ url: '/_emulator/requests' })).statusCode, 401)
  t.equal((await app.inject({ url: '/_emulator/requests', headers: bearer('ctl') })).statusCode, 200)
  t.equal((await app.inject({ url: '/_emulator/requests', headers: { host: 'evil.example.com' } })).statusCode, 403)
  t.equal((await app.inject({ method: 'DELETE', url: '/_emulator/requests', headers: { origin: 'http://evil.test', authorization: 'Bearer ctl' } })).statusCode, 403)
})
