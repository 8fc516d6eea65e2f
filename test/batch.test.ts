/**
 * HTTP batch (FIDELITY.md: batch): `POST /batch`, multipart/mixed in and out, each part run
 * through the same pipeline as a lone request.
 */
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse, RouteHandlerMethod } from 'fastify'
import inject from 'light-my-request'
import { Writable } from 'node:stream'
import { request as undiciRequest } from 'undici'
import { parseBatch } from '../src/batch/multipart.js'
import { bearer, body, build, CONTACTS_READONLY, credentialsMissingBody } from './helpers/app.js'
import { createContact } from './helpers/people.js'

interface Part { method?: string, url: string, headers?: Record<string, string>, body?: unknown, contentId?: string }

/** A batch body as google-api-python-client writes it (LF line ends), or with CRLF. */
function batchBody (parts: readonly Part[], boundary = 'BOUNDARY', eol = '\n'): string {
  const lines: string[] = []
  for (const part of parts) {
    lines.push(`--${boundary}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary')
    if (part.contentId !== undefined) lines.push(`Content-ID: <${part.contentId}>`)
    lines.push('', `${part.method ?? 'GET'} ${part.url} HTTP/1.1`)
    for (const [name, value] of Object.entries(part.headers ?? {})) lines.push(`${name}: ${value}`)
    if (part.body !== undefined) lines.push('Content-Type: application/json', '', JSON.stringify(part.body))
    else lines.push('')
  }
  lines.push(`--${boundary}--`, '')
  return lines.join(eol)
}

interface Answer { contentId: string | undefined, status: number, headers: Record<string, string>, text: string }

/** The parts of a multipart/mixed batch answer, read back strictly (CRLF everywhere). */
function answers (res: { headers: Record<string, unknown>, body: string }): Answer[] {
  const type = String(res.headers['content-type'])
  const m = /^multipart\/mixed; boundary=(batch_[A-Za-z0-9_-]+)$/.exec(type)
  if (!m) throw new Error(`not a batch answer: ${type} ${res.body.slice(0, 300)}`)
  const chunks = res.body.split(`--${m[1]}`)
  if (chunks[0] !== '' || chunks[chunks.length - 1] !== '--\r\n') throw new Error('not delimited as expected')
  return chunks.slice(1, -1).map(chunk => {
    if (!chunk.startsWith('\r\n') || !chunk.endsWith('\r\n')) throw new Error('a part is not framed by CRLF')
    const [mime, http, ...rest] = chunk.slice(2, -2).split('\r\n\r\n')
    const mimeLines = mime!.split('\r\n')
    if (mimeLines[0] !== 'Content-Type: application/http') throw new Error(`part type: ${mimeLines[0]!}`)
    const id = mimeLines.find(l => l.startsWith('Content-ID: '))
    const [statusLine, ...headerLines] = http!.split('\r\n')
    const status = /^HTTP\/1\.1 (\d{3}) \S.*$/.exec(statusLine!)
    if (!status) throw new Error(`status line: ${statusLine!}`)
    const headers = Object.fromEntries(headerLines.map(l => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]))
    return { contentId: id?.slice('Content-ID: '.length), status: Number(status[1]), headers, text: rest.join('\r\n\r\n') }
  })
}

async function batch (app: FastifyInstance, parts: readonly Part[], headers: Record<string, string> = bearer(), query = ''): Promise<LightMyRequestResponse> {
  return await app.inject({
    method: 'POST',
    url: `/batch${query}`,
    headers: { 'content-type': 'multipart/mixed; boundary="BOUNDARY"', ...headers },
    payload: batchBody(parts)
  })
}

t.test('each call answers exactly what it answers alone, in part order, Content-IDs echoed', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const parts: Part[] = [
    { url: `/v1/${ada.resourceName}?personFields=names,metadata`, contentId: 'abc+1' },
    { url: '/v1/people/me/connections?personFields=names&prettyPrint=false', contentId: 'abc+2' },
    { url: '/v1/contactGroups?fields=contactGroups(name)' },
    { url: '/v1/people/c42?personFields=names', contentId: 'item3:12930812@barnyard.example.com' },
    { url: '/v1/people/me?personFields=bogus' },
    { url: '/v1/nowhere' },
    { url: '/v1/people/me?personFields=names&unknownParameter=1' }
  ]
  const res = await batch(app, parts)
  t.equal(res.statusCode, 200)
  const got = answers(res)
  t.equal(got.length, parts.length, 'one part per call')
  t.same(got.map(a => a.contentId), ['<response-abc+1>', '<response-abc+2>', undefined, '<response-item3:12930812@barnyard.example.com>', undefined, undefined, undefined])
  for (const [i, part] of parts.entries()) {
    const alone = await app.inject({ url: part.url, headers: bearer() })
    t.equal(got[i]!.status, alone.statusCode, part.url)
    t.equal(got[i]!.text, alone.body, `${part.url}: the same bytes`)
    t.equal(got[i]!.headers['Content-Type'], alone.headers['content-type'])
  }
  t.same(got.map(a => a.status), [200, 200, 200, 404, 400, 404, 400])
})

t.test('mutations in a batch run through the account\'s queue in part order, as alone', async t => {
  // Two emulators with the same seed and fixed clock: one gets the calls alone, one in a batch.
  const config = { seed: 'batch', clock: 'fixed:2026-01-01T00:00:00Z' }
  const alone = await build(t, config)
  const batched = await build(t, config)
  const ada = await createContact(t, alone, { names: [{ givenName: 'Ada' }] })
  t.same(await createContact(t, batched, { names: [{ givenName: 'Ada' }] }), ada, 'the same start')
  const update = (given: string): Part => ({ method: 'PATCH', url: `/v1/${ada.resourceName}:updateContact?updatePersonFields=names`, body: { etag: ada.etag, names: [{ givenName: given }] } })
  const parts: Part[] = [
    { method: 'POST', url: '/v1/people:createContact', body: { names: [{ givenName: 'Bob' }] } },
    update('Ada B'),
    update('Stale'),
    { method: 'POST', url: '/v1/contactGroups', body: { contactGroup: { name: 'Chess' } } },
    { method: 'POST', url: '/v1/contactGroups', body: { contactGroup: { name: 'Chess' } } },
    { method: 'DELETE', url: `/v1/${ada.resourceName}:deleteContact` },
    { url: `/v1/${ada.resourceName}?personFields=names` }
  ]
  const lone = []
  for (const part of parts) {
    lone.push(await alone.inject({ method: part.method as 'GET' ?? 'GET', url: part.url, headers: bearer(), ...(part.body === undefined ? {} : { payload: part.body as object }) }))
  }
  const got = answers(await batch(batched, parts))
  t.same(got.map(a => a.status), [200, 200, 400, 200, 409, 200, 404])
  t.same(got.map(a => a.status), lone.map(r => r.statusCode))
  t.same(got.map(a => a.text), lone.map(r => r.body), 'byte-identical answers')
  t.same(await batched.inject('/_emulator/export').then(r => r.body), await alone.inject('/_emulator/export').then(r => r.body), 'the same state')
})

t.test('credentials: the batch\'s Authorization applies to every part without its own', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'reader', tokens: [{ token: 'reader-token', scopes: [CONTACTS_READONLY] }] }] } })
  const create: Part = { method: 'POST', url: '/v1/people:createContact?personFields=names', body: { names: [{ givenName: 'Ada' }] } }
  const got = answers(await batch(app, [
    create,
    { ...create, headers: { Authorization: 'Bearer other-token' } },
    { ...create, headers: { Authorization: 'Bearer reader-token' } },
    { url: '/v1/contactGroups?access_token=third-token' }
  ], bearer('outer-token')))
  t.same(got.map(a => a.status), [200, 200, 403, 200])
  t.equal(body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer('outer-token') })).totalItems, 1, 'the outer token\'s account')
  t.equal(body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer('other-token') })).totalItems, 1, 'the part\'s own token\'s account')
  t.equal(JSON.parse(got[2]!.text).error.message, 'Request had insufficient authentication scopes.')

  const none = answers(await batch(app, [{ url: '/v1/contactGroups' }], {}))
  t.equal(none[0]!.status, 401)
  t.same(JSON.parse(none[0]!.text), credentialsMissingBody('google.people.v1.ContactGroupService.ListContactGroups'))
})

t.test('the body as Google\'s clients write it: LF or CRLF, quoted boundary, preamble, folded headers, absolute URLs', async t => {
  const app = await build(t)
  const crlf = batchBody([{ url: '/v1/contactGroups', contentId: 'x+1' }], 'b0undary', '\r\n')
  const res = await app.inject({ method: 'POST', url: '/batch', headers: { ...bearer(), 'content-type': 'multipart/mixed; boundary=b0undary' }, payload: 'This is a preamble.\r\n' + crlf + 'and an epilogue' })
  t.equal(res.statusCode, 200, res.body)
  t.same(answers(res).map(a => [a.contentId, a.status]), [['<response-x+1>', 200]])

  const handmade = [
    '--=====123==', 'Content-Type: application/http;', '  msgtype=request', 'Content-ID:', ' <folded+1>', '',
    'GET http://people.googleapis.com/v1/contactGroups?pageSize=1 HTTP/1.1', 'Accept: application/json', '',
    '--=====123==', 'content-type: APPLICATION/HTTP', '',
    'GET /v1/contactGroups', '',
    '--=====123==--'
  ].join('\n')
  const got = await app.inject({ method: 'POST', url: '/batch', headers: { ...bearer(), 'content-type': 'Multipart/Mixed; charset=utf-8; boundary="=====123=="' }, payload: handmade })
  t.equal(got.statusCode, 200, got.body)
  t.same(answers(got).map(a => [a.contentId, a.status]), [['<response-folded+1>', 200], [undefined, 200]])
})

t.test('a part\'s Content-Length bounds its body', async t => {
  const app = await build(t)
  const json = JSON.stringify({ names: [{ givenName: 'Ada' }] })
  const payload = ['--B', 'Content-Type: application/http', '', 'POST /v1/people:createContact?personFields=names HTTP/1.1', 'Content-Type: application/json', `Content-Length: ${json.length}`, '', json + 'trailing bytes ignored', '--B--'].join('\r\n')
  const res = await app.inject({ method: 'POST', url: '/batch', headers: { ...bearer(), 'content-type': 'multipart/mixed; boundary=B' }, payload })
  t.same(answers(res).map(a => a.status), [200])
  t.equal(JSON.parse(answers(res)[0]!.text).names[0].givenName, 'Ada')
})

t.test('a malformed batch is a 400 and runs nothing', async t => {
  const app = await build(t)
  const create: Part = { method: 'POST', url: '/v1/people:createContact', body: { names: [{ givenName: 'Ada' }] } }
  const part = (request: string, type = 'application/http'): string => `--B\nContent-Type: ${type}\n\n${request}\n`
  const createPart = part('POST /v1/people:createContact HTTP/1.1\nContent-Type: application/json\n\n{"names":[{"givenName":"Ada"}]}')
  const cases: Array<[string, string | undefined, string, string]> = [
    ['no content type', undefined, batchBody([create]), 'Invalid batch request: missing Content-Type; expected multipart/mixed with a boundary.'],
    ['JSON', 'application/json', '{}', 'Invalid batch request: Content-Type "application/json" is not multipart/mixed. A batch request is a multipart/mixed body of application/http parts.'],
    ['a form', 'application/x-www-form-urlencoded', 'a=1', 'Invalid batch request: Content-Type "application/x-www-form-urlencoded" is not multipart/mixed. A batch request is a multipart/mixed body of application/http parts.'],
    ['a multipart of another kind', 'multipart/form-data; boundary=B', batchBody([create]), 'Invalid batch request: Content-Type "multipart/form-data; boundary=B" is not multipart/mixed. A batch request is a multipart/mixed body of application/http parts.'],
    ['upper case', 'MULTIPART/MIXED', batchBody([create]), 'Invalid batch request: the multipart/mixed Content-Type has no boundary.'],
    ['no boundary', 'multipart/mixed', batchBody([create]), 'Invalid batch request: the multipart/mixed Content-Type has no boundary.'],
    ['empty body', 'multipart/mixed; boundary=B', '', 'Invalid batch request: the body is empty; a batch holds one or more application/http parts.'],
    ['another boundary', 'multipart/mixed; boundary=OTHER', batchBody([create], 'B'), 'Invalid batch request: the body holds no part delimited by its boundary "OTHER".'],
    ['not closed', 'multipart/mixed; boundary=B', createPart, 'Invalid batch request: the body does not end with the closing delimiter "--B--".'],
    ['no part', 'multipart/mixed; boundary=B', '--B--\n', 'Invalid batch request: the batch holds no request.'],
    ['not an HTTP part', 'multipart/mixed; boundary=B', createPart + part('{"names":[]}', 'application/json') + '--B--', 'Invalid batch request: part 2 has Content-Type "application/json"; every part must be an HTTP request (Content-Type: application/http).'],
    ['no request line', 'multipart/mixed; boundary=B', createPart + part('{"names":[]}') + '--B--', 'Invalid batch request: part 2 is not an HTTP request: its first line "{"names":[]}" is not a request line such as "GET /v1/people/me?personFields=names HTTP/1.1".'],
    ['an unknown method', 'multipart/mixed; boundary=B', createPart + part('FETCH /v1/contactGroups HTTP/1.1') + '--B--', 'Invalid batch request: part 2 has an unknown HTTP method "FETCH".'],
    ['a relative target', 'multipart/mixed; boundary=B', createPart + part('GET v1/contactGroups HTTP/1.1') + '--B--', 'Invalid batch request: part 2 has request target "v1/contactGroups"; expected a path such as /v1/people/me.'],
    ['nested', 'multipart/mixed; boundary=B', createPart + part('POST /batch HTTP/1.1\nContent-Type: multipart/mixed; boundary=C\n\n--C--') + '--B--', 'Invalid batch request: part 2 is itself a batch request; batches cannot be nested.'],
    ['nested behind dot segments', 'multipart/mixed; boundary=B', createPart + part('POST /v1/%2e%2e/batch HTTP/1.1') + '--B--', 'Invalid batch request: part 2 is itself a batch request; batches cannot be nested.'],
    ['the control plane', 'multipart/mixed; boundary=B', createPart + part('POST /_emulator/reset HTTP/1.1') + '--B--', 'Invalid batch request: part 2 calls the emulator\'s control plane (/_emulator/reset); a batch holds API calls only.'],
    ['an encoding', 'multipart/mixed; boundary=B', createPart + '--B\nContent-Type: application/http\nContent-Transfer-Encoding: base64\n\nR0VUIC92MS9jb250YWN0R3JvdXBz\n--B--', 'Invalid batch request: part 2 has Content-Transfer-Encoding "base64"; only binary is accepted.'],
    ['a short body', 'multipart/mixed; boundary=B', createPart + part('POST /v1/people:createContact HTTP/1.1\nContent-Length: 500\n\n{}') + '--B--', 'Invalid batch request: part 2 declares Content-Length 500 but carries 2 bytes.'],
    ['a broken header', 'multipart/mixed; boundary=B', createPart + part('GET /v1/contactGroups HTTP/1.1\nno colon here') + '--B--', 'Invalid batch request: part 2\'s HTTP headers has a line that is not a header: "no colon here".'],
    ['too many parts', 'multipart/mixed; boundary=B', createPart.repeat(1001) + '--B--', 'Invalid batch request: a batch may hold at most 1000 requests; this one holds 1001.']
  ]
  for (const [what, type, payload, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/batch', headers: { ...bearer(), ...(type === undefined ? {} : { 'content-type': type }) }, payload })
    t.equal(res.statusCode, 400, what)
    t.equal(res.headers['content-type'], 'application/json; charset=UTF-8')
    t.same(body(res).error, { code: 400, message, errors: [{ message, domain: 'global', reason: 'badRequest' }], status: 'INVALID_ARGUMENT' }, what)
  }
  const list = body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer() }))
  t.equal(list.totalItems ?? 0, 0, 'nothing was created')
})

t.test('a batch of 1000 calls is served', async t => {
  const app = await build(t)
  const got = answers(await batch(app, Array.from({ length: 1000 }, (_, i) => ({ url: `/v1/contactGroups/myContacts?n=${i}`, contentId: `p+${i}` }))))
  t.equal(got.length, 1000)
  t.same(new Set(got.map(a => a.status)), new Set([400]), 'each its own 400 (n is not a parameter)')
  t.equal(got[999]!.contentId, '<response-p+999>')
  const ok = answers(await batch(app, Array.from({ length: 1000 }, () => ({ url: '/v1/contactGroups/myContacts' }))))
  t.same(new Set(ok.map(a => a.status)), new Set([200]))
})

t.test('the batch request itself: system parameters, unknown ones, other methods', async t => {
  const app = await build(t)
  t.equal((await batch(app, [{ url: '/v1/contactGroups' }], bearer(), '?alt=json&prettyPrint=false')).statusCode, 200)
  const unknown = await batch(app, [{ url: '/v1/contactGroups' }], bearer(), '?foo=1')
  t.equal(unknown.statusCode, 400)
  t.equal(body(unknown).error.message, 'Invalid JSON payload received. Unknown name "foo": Cannot bind query parameter. Field \'foo\' could not be found in request message.')
  t.equal((await app.inject({ url: '/batch' })).statusCode, 404)
})

t.test('a part whose header holds a control character is a malformed batch (as a lone request is refused by the parser)', async t => {
  const app = await build(t)
  for (const header of ['Origin: http://a\x01b', 'Access-Control-Request-Headers: a\rb', 'X-Thing: \x7f']) {
    const res = await app.inject({ method: 'POST', url: '/batch', headers: { ...bearer(), 'content-type': 'multipart/mixed; boundary=b' }, payload: `--b\r\nContent-Type: application/http\r\n\r\nGET /v1/contactGroups HTTP/1.1\r\n${header}\r\n\r\n--b--\r\n` })
    t.equal(res.statusCode, 400, JSON.stringify(header))
    t.match(body(res).error.message, /^Invalid batch request: part 1's HTTP headers has a header whose value holds a control character/)
  }
  // A tab is allowed, as in any header.
  const tab = await app.inject({ method: 'POST', url: '/batch', headers: { ...bearer(), 'content-type': 'multipart/mixed; boundary=b' }, payload: '--b\r\nContent-Type: application/http\r\n\r\nGET /v1/contactGroups HTTP/1.1\r\nX-Thing: a\tb\r\n\r\n--b--\r\n' })
  t.equal(tab.statusCode, 200)
  t.match(tab.body, /HTTP\/1\.1 200 OK/)
})

t.test('the answer: a deterministic boundary that no part contains, CORS on the batch itself', async t => {
  const app = await build(t)
  const parts: Part[] = [{ url: '/v1/contactGroups/myContacts' }, { url: '/v1/people/c1?personFields=names' }]
  const a = await batch(app, parts, { ...bearer(), origin: 'https://app.example.com' })
  const b = await batch(app, parts)
  t.equal(a.headers['content-type'], b.headers['content-type'], 'the same calls, the same boundary')
  t.equal(a.body, b.body)
  t.equal(a.headers['access-control-allow-origin'], 'https://app.example.com')
  t.notOk(a.body.includes('Access-Control'), 'the parts carry no CORS headers (they had no Origin)')

  // The boundary comes from the batch's body (the answer is sent before its parts are all made):
  // another batch, another boundary.
  const c = await batch(app, parts.slice(0, 1))
  t.not(c.headers['content-type'], a.headers['content-type'])
})

t.test('no line of an answer\'s part can start a delimiter, whatever the calls carry', async t => {
  const app = await build(t)
  const boundary = 'batch_' + 'x'.repeat(24)
  const hostile = `\n--${boundary}\r\n--${boundary}--\n`
  const ada = await createContact(t, app, { names: [{ givenName: hostile, familyName: `--${boundary}` }], biographies: [{ value: hostile }] })
  const parts: Part[] = [
    { url: `/v1/${ada.resourceName}?personFields=names,biographies` },
    { url: `/v1/${ada.resourceName}?personFields=names,biographies&prettyPrint=false` },
    { url: `/v1/${ada.resourceName}?personFields=names&callback=cb` },
    { url: `/v1/${ada.resourceName}?personFields=names&fields=names(givenName)`, contentId: `--${boundary}` },
    { url: `/v1/people/c1?personFields=${encodeURIComponent(hostile)}` },
    { method: 'POST', url: '/v1/people:createContact', body: { names: [{ givenName: hostile }] }, headers: { origin: `--${boundary}` } }
  ]
  const res = await batch(app, parts)
  const got = answers(res)
  t.equal(got.length, parts.length, 'every part read back whole')
  for (const part of got) {
    t.notOk(part.text.split('\n').some(line => line.startsWith('--')), 'no line of a body starts with "--"')
    t.notOk(Object.entries(part.headers).some(([name]) => name.startsWith('--')))
  }
  t.equal(JSON.parse(got[0]!.text).names[0].givenName, hostile, 'the text comes back intact')
})

t.test('parseBatch reads what google-api-python-client sends', async t => {
  // As Python's email generator writes it (LF line ends, quoted boundary, MIME-Version).
  const python = [
    '--===============7330845974216740156==', 'Content-Type: application/http', 'MIME-Version: 1.0', 'Content-Transfer-Encoding: binary',
    'Content-ID: <8cc0f9f6-4e5c-4d2b-8a42-9f5b5d76e0b1+1>', '',
    'PATCH /v1/people/c1:updateContact?updatePersonFields=names&alt=json HTTP/1.1', 'Content-Type: application/json', 'MIME-Version: 1.0',
    'accept: application/json', 'accept-encoding: gzip, deflate', 'user-agent: (gzip)', 'authorization: Bearer t', 'content-length: 15', 'Host: 127.0.0.1:8090', '',
    '{"etag": "%EA"}', '--===============7330845974216740156==', 'Content-Type: application/http', 'MIME-Version: 1.0',
    'Content-Transfer-Encoding: binary', 'Content-ID: <8cc0f9f6-4e5c-4d2b-8a42-9f5b5d76e0b1+2>', '',
    'GET /v1/people/c1?personFields=names&alt=json HTTP/1.1', 'Content-Type: application/json', 'MIME-Version: 1.0', 'accept: application/json', 'Host: 127.0.0.1:8090', '', '',
    '--===============7330845974216740156==--', ''
  ].join('\n')
  const calls = parseBatch(Buffer.from(python), '===============7330845974216740156==')
  t.equal(calls.length, 2)
  t.same(calls.map(c => [c.contentId, c.method, c.url]), [
    ['8cc0f9f6-4e5c-4d2b-8a42-9f5b5d76e0b1+1', 'PATCH', '/v1/people/c1:updateContact?updatePersonFields=names&alt=json'],
    ['8cc0f9f6-4e5c-4d2b-8a42-9f5b5d76e0b1+2', 'GET', '/v1/people/c1?personFields=names&alt=json']
  ])
  t.equal(calls[0]!.body.toString(), '{"etag": "%EA"}')
  t.equal(calls[0]!.headers.authorization, 'Bearer t')
  t.equal(calls[1]!.body.toString().trim(), '')
  // Bytes pass through untouched (UTF-8 in a part's body).
  const utf8 = parseBatch(Buffer.from('--B\r\nContent-Type: application/http\r\n\r\nPOST /v1/x HTTP/1.1\r\n\r\n{"n":"Zoë ✓"}\r\n--B--'), 'B')
  t.equal(utf8[0]!.body.toString('utf8'), '{"n":"Zoë ✓"}')
})

t.test('every call of a batch is logged as a lone request is', async t => {
  const lines: any[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done() } })
  const app = await build(t, { logLevel: 'info' }, { logger: { level: 'info', stream } })
  await batch(app, [{ url: '/v1/contactGroups' }, { url: '/v1/people/c1?personFields=names' }])
  const completed = lines.filter(l => l.msg === 'request completed')
  t.same(completed.map(l => [l.method, l.url, l.statusCode]), [
    ['GET', '/v1/contactGroups', 200],
    ['GET', '/v1/people/c1?personFields=names', 404],
    ['POST', '/batch', 200]
  ])
})

t.test('a batch received before a shutdown is answered whole', async t => {
  let release = (): void => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  let started = (): void => {}
  const first = new Promise<void>(resolve => { started = resolve })
  const slowGet: RouteHandlerMethod = async (request) => {
    started()
    await gate
    return { resourceName: request.api.resourceName }
  }
  const app = await build(t, {}, { implementations: { 'people.contactGroups.get': slowGet } })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const pending = undiciRequest(`${address}/batch`, {
    method: 'POST',
    headers: { ...bearer(), 'content-type': 'multipart/mixed; boundary=BOUNDARY' },
    body: batchBody([{ url: '/v1/contactGroups/a' }, { url: '/v1/contactGroups/b' }, { method: 'POST', url: '/v1/people:createContact', body: {} }])
  })
  await first
  const closed = app.close()
  await new Promise(resolve => setImmediate(resolve))
  // A request that is not part of the batch is refused meanwhile, readable cross-origin.
  const refused = await inject(app.routing, { url: '/v1/contactGroups', headers: { ...bearer(), origin: 'https://app.example.com' } })
  t.equal(refused.statusCode, 503)
  t.equal(refused.headers['access-control-allow-origin'], 'https://app.example.com')
  release()
  const res = await pending
  const text = await res.body.text()
  t.equal(res.statusCode, 200)
  t.same(answers({ headers: res.headers as Record<string, unknown>, body: text }).map(a => a.status), [200, 200, 200], 'every call answered')
  await closed
})
