import t from 'tap'
import type { RouteHandlerMethod } from 'fastify'
import { bearer, body, build } from './helpers/app.js'

/**
 * Probe handlers in place of real methods: the wire layer is tested on its own, whatever
 * the methods do. Each answers what reached it.
 */
const echo: RouteHandlerMethod = async (request) => ({ api: request.api, body: request.body })
const PROBE = {
  implementations: {
    'people.people.updateContact': echo,
    'people.people.connections.list': echo,
    'people.contactGroups.list': echo,
    'people.people.get': (async () => ({ resourceName: 'people/c1', etag: '%probe', names: [{ givenName: 'Ada', familyName: 'Lovelace' }], urls: [{ value: 'https://example.com' }] })) as RouteHandlerMethod
  }
}

const UPDATE = '/v1/people/c1:updateContact?updatePersonFields=names'

function envelope (code: number, status: string, reason: string, message: string, extra: Record<string, unknown> = {}): unknown {
  return { error: { code, message, errors: [{ message, domain: 'global', reason }], status, ...extra } }
}

t.test('responses are JSON, pretty by default and compact with prettyPrint=false', async t => {
  const app = await build(t)
  const pretty = await app.inject({ url: '/v1/contactGroups/myContacts?groupFields=name', headers: bearer() })
  t.equal(pretty.headers['content-type'], 'application/json; charset=UTF-8')
  t.equal(pretty.body, '{\n  "resourceName": "contactGroups/myContacts",\n  "name": "myContacts",\n  "formattedName": "My Contacts"\n}')
  for (const v of ['false', '0']) t.equal((await app.inject({ url: `/v1/contactGroups/myContacts?groupFields=name&prettyPrint=${v}`, headers: bearer() })).body, '{"resourceName":"contactGroups/myContacts","name":"myContacts","formattedName":"My Contacts"}')
  // The control plane's answers are for code: compact unless asked.
  t.equal((await app.inject({ url: '/_emulator/health' })).body, '{"status":"ok"}')
  t.equal((await app.inject({ url: '/_emulator/health?prettyPrint=true' })).body, '{\n  "status": "ok"\n}')
  const err = await app.inject({ url: '/nowhere?prettyPrint=false' })
  t.equal(err.body.includes('\n'), false, 'errors follow prettyPrint too')
})

t.test('a bad prettyPrint value is a 400', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/_emulator/health?prettyPrint=maybe' })
  t.equal(res.statusCode, 400)
  t.equal(body(res).error.message, 'Invalid value at \'pretty_print\' (TYPE_BOOL), "maybe"')
})

t.test('$.xgafv=2 leaves the legacy errors array out', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/nowhere?$.xgafv=2' })
  t.same(body(res), { error: { code: 404, message: 'The requested URL /nowhere was not found on this server.', status: 'NOT_FOUND' } })
  t.same(Object.keys(body(await app.inject({ url: '/nowhere?$.xgafv=1' })).error), ['code', 'message', 'errors', 'status'])
  const bad = await app.inject({ url: '/_emulator/health?$.xgafv=3' })
  t.equal(bad.statusCode, 400)
  t.equal(body(bad).error.message, 'Invalid value at \'$.xgafv\' (TYPE_ENUM), "3"')
})

t.test('alt: json is accepted, media and proto are 400, anything else is 400', async t => {
  const app = await build(t)
  t.equal((await app.inject({ url: '/_emulator/health?alt=json' })).statusCode, 200)
  for (const alt of ['media', 'proto']) {
    const res = await app.inject({ url: `/v1/contactGroups?alt=${alt}`, headers: bearer() })
    t.equal(res.statusCode, 400)
    t.same(body(res), {
      error: {
        code: 400,
        message: `alt=${alt} is not supported by this emulator: every method answers alt=json.`,
        errors: [{ message: `alt=${alt} is not supported by this emulator: every method answers alt=json.`, domain: 'global', reason: 'invalidParameter', location: 'alt', locationType: 'parameter' }],
        status: 'INVALID_ARGUMENT'
      }
    })
  }
  const xml = await app.inject({ url: '/v1/contactGroups?alt=xml', headers: bearer() })
  t.equal(body(xml).error.message, 'Invalid value at \'alt\' (TYPE_ENUM), "xml"')
})

t.test('key, quotaUser, uploadType and upload_protocol are accepted everywhere', async t => {
  const app = await build(t, {}, PROBE)
  const res = await app.inject({ url: '/v1/contactGroups?key=k&quotaUser=u&uploadType=media&upload_protocol=raw', headers: bearer() })
  t.equal(res.statusCode, 200)
  t.same(body(res).api, {}, 'system parameters are not the method\'s')
  t.equal((await app.inject({ url: '/_emulator/health?key=k&quotaUser=u' })).statusCode, 200)
})

t.test('callback wraps the response as JSONP (the API\'s; never the control plane\'s)', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/v1/contactGroups/myContacts?groupFields=name&callback=handle.it&prettyPrint=false', headers: { authorization: 'Bearer t' } })
  t.equal(res.headers['content-type'], 'text/javascript; charset=UTF-8')
  t.equal(res.body, '// API callback\nhandle.it({"resourceName":"contactGroups/myContacts","name":"myContacts","formattedName":"My Contacts"});')
  const bad = await app.inject({ url: '/v1/contactGroups?callback=alert(1)', headers: { authorization: 'Bearer t' } })
  t.equal(bad.statusCode, 400)
  t.equal(body(bad).error.message, 'Invalid JSONP callback name: "alert(1)".')
  const control = await app.inject({ url: '/_emulator/health?callback=handle.it&prettyPrint=false' })
  t.equal(control.statusCode, 400)
  t.equal(control.headers['content-type'], 'application/json; charset=UTF-8')
})

t.test('fields selects parts of a successful response', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'a', tokens: [{ token: 'x', scopes: ['s'] }] }, { id: 'b' }] } })
  const res = await app.inject({ url: '/_emulator/export?prettyPrint=false&fields=accounts/id' })
  t.equal(res.body, '{"accounts":[{"id":"a"},{"id":"b"}]}')
  const nested = await app.inject({ url: '/_emulator/export?prettyPrint=false&fields=accounts(id,tokens(token))' })
  t.equal(nested.body, '{"accounts":[{"id":"a","tokens":[{"token":"x"}]},{"id":"b"}]}')
})

t.test('fields naming a field the response lacks is Google\'s 400', async t => {
  const app = await build(t, {}, PROBE)
  for (const [fields, bad] of [['foo', 'foo'], ['names,foo', 'foo'], ['names/bogus', 'bogus'], ['connections(names(zzz))', 'zzz']] as const) {
    const url = fields.startsWith('connections') ? `/v1/people/me/connections?fields=${fields}` : `/v1/people/c1?personFields=names&fields=${fields}`
    const res = await app.inject({ url, headers: bearer() })
    t.equal(res.statusCode, 400, fields)
    t.same(body(res), {
      error: {
        code: 400,
        message: `Invalid field selection ${bad}`,
        errors: [{ message: `Invalid field selection ${bad}`, domain: 'global', reason: 'invalidParameter', location: 'fields', locationType: 'parameter' }],
        status: 'INVALID_ARGUMENT'
      }
    }, fields)
  }
  for (const fields of ['names', 'names/givenName,etag', 'metadata(sources(etag))', '*', 'connections/names']) {
    const url = fields.startsWith('connections') ? `/v1/people/me/connections?fields=${fields}` : `/v1/people/c1?personFields=names&fields=${fields}`
    t.equal((await app.inject({ url, headers: bearer() })).statusCode, 200, `${fields} is a valid selection`)
  }
  const selected = await app.inject({ url: '/v1/people/c1?personFields=names&fields=names/givenName,etag&prettyPrint=false', headers: bearer() })
  t.equal(selected.body, '{"etag":"%probe","names":[{"givenName":"Ada"}]}', 'a v1 response is filtered')
  const syntax = await app.inject({ url: '/v1/people/c1?fields=names(', headers: bearer() })
  t.equal(syntax.statusCode, 400)
})

t.test('unknown query parameters: the §2 message', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'PATCH', url: UPDATE + '&foo=1', headers: bearer(), payload: {} })
  const message = 'Invalid JSON payload received. Unknown name "foo": Cannot bind query parameter. Field \'foo\' could not be found in request message.'
  t.equal(res.statusCode, 400)
  t.same(body(res), envelope(400, 'INVALID_ARGUMENT', 'badRequest', message, {
    details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ description: message }] }]
  }))
  const control = await app.inject({ url: '/_emulator/health?foo=1' })
  t.equal(control.statusCode, 400)
  t.equal(body(control).error.message, message)
  // A path parameter cannot be given in the query.
  const path = await app.inject({ method: 'PATCH', url: UPDATE + '&resourceName=people/c2', headers: bearer(), payload: {} })
  t.equal(body(path).error.message, 'Invalid JSON payload received. Unknown name "resourceName": Cannot bind query parameter. Field \'resourceName\' could not be found in request message.')
})

t.test('query parameters in proto (snake_case) form are the same parameters', async t => {
  const app = await build(t, {}, PROBE)
  const res = await app.inject({ method: 'PATCH', url: '/v1/people/c1:updateContact?update_person_fields=names&person_fields=emailAddresses', headers: bearer(), payload: {} })
  t.equal(res.statusCode, 200)
  t.same(body(res).api, { updatePersonFields: 'names', personFields: 'emailAddresses', resourceName: 'people/c1' })
})

t.test('query parameter values are checked against their type', async t => {
  const app = await build(t, {}, PROBE)
  const cases: Array<[string, string]> = [
    ['pageSize=abc', 'Invalid value at \'page_size\' (TYPE_INT32), "abc"'],
    ['pageSize=1.5', 'Invalid value at \'page_size\' (TYPE_INT32), "1.5"'],
    ['requestSyncToken=perhaps', 'Invalid value at \'request_sync_token\' (TYPE_BOOL), "perhaps"'],
    ['sortOrder=SIDEWAYS', 'Invalid value at \'sort_order\' (TYPE_ENUM), "SIDEWAYS"'],
    ['sources=READ_SOURCE_TYPE_NOPE', 'Invalid value at \'sources\' (TYPE_ENUM), "READ_SOURCE_TYPE_NOPE"']
  ]
  for (const [query, message] of cases) {
    const res = await app.inject({ url: `/v1/people/me/connections?personFields=names&${query}`, headers: bearer() })
    t.equal(res.statusCode, 400, query)
    t.same(body(res), envelope(400, 'INVALID_ARGUMENT', 'badRequest', message, {
      details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: message.split('\'')[1], description: message }] }]
    }), query)
  }
  const repeated = await app.inject({ url: '/v1/people/me/connections?personFields=names&sources=READ_SOURCE_TYPE_CONTACT&sources=READ_SOURCE_TYPE_PROFILE', headers: bearer() })
  t.equal(repeated.statusCode, 200, 'a repeated parameter may repeat')
  t.same(body(repeated).api, { personFields: 'names', sources: ['READ_SOURCE_TYPE_CONTACT', 'READ_SOURCE_TYPE_PROFILE'], resourceName: 'people/me' })
  const typed = await app.inject({ url: '/v1/people/me/connections?pageSize=25&requestSyncToken=true', headers: bearer() })
  t.same(body(typed).api, { pageSize: 25, requestSyncToken: true, resourceName: 'people/me' }, 'values are converted to their types')
  const twice = await app.inject({ url: '/v1/people/me/connections?pageSize=1&pageSize=2', headers: bearer() })
  t.equal(twice.statusCode, 400)
  t.equal(body(twice).error.message, 'Invalid JSON payload received. Repeated values for non-repeated query parameter "pageSize".')
})

t.test('malformed JSON is 400 INVALID_ARGUMENT', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'PATCH', url: UPDATE, headers: { ...bearer(), 'content-type': 'application/json' }, payload: '{"names": [' })
  t.equal(res.statusCode, 400)
  t.equal(body(res).error.status, 'INVALID_ARGUMENT')
  t.match(body(res).error.message, /^Invalid JSON payload received\. /)
})

t.test('an empty JSON body is an empty message', async t => {
  const app = await build(t, {}, PROBE)
  const res = await app.inject({ method: 'PATCH', url: UPDATE, headers: { ...bearer(), 'content-type': 'application/json' }, payload: '' })
  t.equal(res.statusCode, 200)
  t.same(body(res).body, {})
})

t.test('a body that is not JSON is 400', async t => {
  const app = await build(t, {}, PROBE)
  // (Forms are read for the sign-in's endpoints, multipart/mixed for /batch: never for the API's.)
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/mixed; boundary=B']) {
    const res = await app.inject({ method: 'PATCH', url: UPDATE, headers: { ...bearer(), 'content-type': type }, payload: 'names=x' })
    t.equal(res.statusCode, 400, type)
    t.same(body(res), envelope(400, 'INVALID_ARGUMENT', 'badRequest', `Invalid Content-Type "${type}": request bodies must be JSON (Content-Type: application/json).`))
  }
  const missing = await app.inject({ method: 'PATCH', url: UPDATE, headers: bearer(), payload: Buffer.from('{}') })
  t.same(body(missing), envelope(400, 'INVALID_ARGUMENT', 'badRequest', 'Missing Content-Type: request bodies must be JSON (Content-Type: application/json).'))
  const charset = await app.inject({ method: 'PATCH', url: UPDATE, headers: { ...bearer(), 'content-type': 'application/json; charset=utf-8' }, payload: '{}' })
  t.equal(charset.statusCode, 200, 'a charset parameter is fine')
})

t.test('a form or multipart body is never read for the API: its type is refused whatever its size, and an unknown path is not found', async t => {
  const app = await build(t, {}, PROBE)
  const big = 'a='.padEnd(11 * 1024 * 1024, 'x')
  for (const type of ['application/x-www-form-urlencoded', 'multipart/mixed; boundary=B']) {
    const res = await app.inject({ method: 'PATCH', url: UPDATE, headers: { ...bearer(), 'content-type': type }, payload: big })
    t.equal(res.statusCode, 400, type)
    t.same(body(res), envelope(400, 'INVALID_ARGUMENT', 'badRequest', `Invalid Content-Type "${type}": request bodies must be JSON (Content-Type: application/json).`))
    const nowhere = await app.inject({ method: 'POST', url: '/nowhere', headers: { 'content-type': type }, payload: big })
    t.equal(nowhere.statusCode, 404, `${type} to an unknown path`)
    t.same(body(nowhere), envelope(404, 'NOT_FOUND', 'notFound', 'The requested URL /nowhere was not found on this server.'))
  }
})

t.test('a body over 10 MiB is 413 in the envelope', async t => {
  const app = await build(t)
  const payload = JSON.stringify({ names: [{ givenName: 'x'.repeat(10 * 1024 * 1024) }] })
  const res = await app.inject({ method: 'PATCH', url: UPDATE, headers: { ...bearer(), 'content-type': 'application/json' }, payload })
  t.equal(res.statusCode, 413)
  t.same(body(res), envelope(413, 'INVALID_ARGUMENT', 'badRequest', 'Request payload size exceeds the limit: 10485760 bytes.'))
})

t.test('prototype keys in a body are dropped, never applied', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: '{"accounts":[],"__proto__":{"polluted":true}}' })
  t.equal(res.statusCode, 200)
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

t.test('a malformed URL is 400 in the envelope', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/v1/people/%E0%A4%A' })
  t.equal(res.statusCode, 400)
  t.equal(body(res).error.status, 'INVALID_ARGUMENT')
})

t.test('an unexpected failure is a 500 that hides internals', async t => {
  const app = await build(t, {}, { implementations: { 'people.contactGroups.list': async () => { throw new Error('secret database detail') } } })
  const res = await app.inject({ url: '/v1/contactGroups', headers: bearer() })
  t.equal(res.statusCode, 500)
  t.same(body(res), envelope(500, 'INTERNAL', 'backendError', 'Internal error encountered.'))
  t.notMatch(res.body, /secret/)
})

t.test('an unknown path answers 404 whatever its body', async t => {
  const app = await build(t)
  for (const [type, payload] of [['text/plain', 'hello'], ['application/json', '{not json'], ['multipart/mixed; boundary=x', '--x--'], [undefined, 'raw']] as const) {
    const res = await app.inject({ method: 'POST', url: '/v1/nowhere', headers: type === undefined ? {} : { 'content-type': type }, payload })
    t.equal(res.statusCode, 404, String(type))
    t.equal(body(res).error.message, 'The requested URL /v1/nowhere was not found on this server.')
  }
  // A known path still checks its body.
  const known = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer(), 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(known.statusCode, 400)
})

/** Raw HTTP/1.1 exchanges on plain sockets: what arrives, byte for byte, per connection. */
async function rawResponses (port: number, perSocket: string[][]): Promise<string[][]> {
  const { connect } = await import('node:net')
  return await Promise.all(perSocket.map(async requests => await new Promise<string[]>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    const answers: string[] = []
    socket.setEncoding('latin1')
    socket.on('error', reject)
    socket.on('data', chunk => {
      data += chunk
      for (;;) {
        const head = data.indexOf('\r\n\r\n')
        if (head < 0) return
        const length = Number(/content-length: (\d+)/i.exec(data.slice(0, head))?.[1] ?? 0)
        if (data.length < head + 4 + length) return
        answers.push(data.slice(0, head + 4 + length))
        data = data.slice(head + 4 + length)
        if (answers.length === requests.length) { socket.end(); resolve(answers) }
      }
    })
    // Every request of the socket in one write: pipelined.
    socket.write(requests.join(''))
  })))
}

t.test('responses ready in one turn leave together: every one arrives whole, in order on its connection', async t => {
  const app = await build(t, {}, PROBE)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as { port: number }).port
  const get = (n: number): string => `GET /v1/people/c${n}?personFields=names HTTP/1.1\r\nhost: x\r\nauthorization: Bearer test-token\r\n\r\n`
  // Ten connections whose requests are read in the same turn, and one with three pipelined.
  const answers = await rawResponses(port, [...Array.from({ length: 10 }, (_, i) => [get(i)]), [get(1), get(2), get(3)]])
  t.equal(answers.length, 11)
  for (const list of answers) {
    for (const answer of list) {
      t.match(answer, /^HTTP\/1\.1 200 OK\r\n/)
      const json = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))
      t.equal(json.resourceName, 'people/c1', 'the whole body')
    }
  }
  t.equal(answers[10]!.length, 3, 'each pipelined request has its answer')
  // A lone request is answered (not held for company to share its turn).
  const alone = await rawResponses(port, [[get(7)]])
  t.match(alone[0]![0]!, /^HTTP\/1\.1 200 OK/)
})

t.test('GET / from a browser is sent to the web UI; an API client gets Google\'s 404', async t => {
  const app = await build(t)
  const browser = await app.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } })
  t.equal(browser.statusCode, 302)
  t.equal(browser.headers.location, '/_emulator/ui')
  for (const headers of [{}, { accept: 'application/json' }, { accept: '*/*' }]) {
    const res = await app.inject({ url: '/', headers })
    t.equal(res.statusCode, 404, JSON.stringify(headers))
    t.equal(body(res).error.message, 'The requested URL / was not found on this server.')
  }
  t.equal((await app.inject({ method: 'POST', url: '/', headers: { accept: 'text/html' } })).statusCode, 404, 'only a GET')
})
