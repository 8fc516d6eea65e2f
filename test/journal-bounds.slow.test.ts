/**
 * The request journal under attack: what it keeps is bounded in memory (--journal-memory) and
 * never holds on to more than it shows, its read is paged and bounded, what it shows never
 * fails to render, and no credential reaches it, not even inside a batch's body.
 */
import t from 'tap'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { build, bearer, body } from './helpers/app.js'
import { JOURNAL_BODY_LIMIT, JOURNAL_PAGE_CHARS, MAX_JOURNAL_PAGE, redactBatchText, tokenDigest } from '../src/plugins/journal.js'

const JSON_TYPE = { 'content-type': 'application/json' }
const MiB = 1024 * 1024

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
/** The heap in use once everything unreachable is gone. */
function liveHeap (): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

async function read (app: Awaited<ReturnType<typeof build>>, query = ''): Promise<{ requests: any[], nextPageToken?: string, text: string }> {
  const res = await app.inject({ url: `/_emulator/requests${query}` })
  if (res.statusCode !== 200) throw new Error(`GET /_emulator/requests${query.slice(0, 80)}: ${res.statusCode} ${res.body.slice(0, 300)}`)
  return { ...body(res), text: res.body }
}

t.test('a stream of the largest refused bodies: the journal keeps what its memory allows, and the heap stays flat', async t => {
  const app = await build(t)
  const before = liveHeap()
  // Bodies of 10 MiB less a little (the most a request may carry), each refused: a name that long is not accepted.
  const name = 'n'.repeat(10 * MiB - 100)
  const payload = `{"names":[{"givenName":"${name}"}]}`
  for (let i = 0; i < 24; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer(), ...JSON_TYPE }, payload })
    t.equal(res.statusCode, 400)
  }
  const grown = liveHeap() - before
  t.ok(app.journal.bytes <= 16 * MiB, `the journal counts ${app.journal.bytes} bytes, within its 16 MiB`)
  t.ok(grown < 64 * MiB, `the heap grew by ${(grown / MiB).toFixed(1)} MiB after 24 bodies of 10 MiB (a kept slice would hold each whole: 240 MiB)`)
  const { requests } = await read(app, '?pageSize=3')
  t.equal(requests.length, 3)
  t.match(requests[0].requestBody, new RegExp(`^\\{"names":\\[\\{"givenName":"n+…\\[truncated: ${payload.length} characters in all\\]$`))
})

t.test('past --journal-memory the oldest entries go; --journal-size still bounds the count', async t => {
  const app = await build(t, { journalMemoryMiB: 1 })
  const long = 'x'.repeat(JOURNAL_BODY_LIMIT * 2)
  for (let i = 0; i < 30; i++) {
    await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer(), ...JSON_TYPE }, payload: `{"names":[{"givenName":"${long}"}]}` })
  }
  t.ok(app.journal.bytes <= MiB)
  const kept = app.journal.entries()
  t.ok(kept.length > 2 && kept.length < 30, `${kept.length} entries of 30 kept`)
  t.same(kept.map(e => e.id), Array.from({ length: kept.length }, (_, i) => 31 - kept.length + i), 'the newest, in order')
  for (let i = 0; i < 200; i++) await app.inject({ url: '/v1/contactGroups', headers: bearer() })
  t.equal(app.journal.entries().at(-1)!.id, 230)
  const small = await build(t, { journalSize: 5 })
  for (let i = 0; i < 8; i++) await small.inject({ url: '/v1/contactGroups', headers: bearer() })
  t.same(small.journal.entries().map(e => e.id), [4, 5, 6, 7, 8])
})

t.test('the read is paged: pageSize, pageToken bound to the filter, a bounded answer', async t => {
  const app = await build(t)
  for (let i = 0; i < 7; i++) await app.inject({ url: '/v1/contactGroups', headers: bearer(i % 2 === 0 ? 'even' : 'odd') })
  const first = await read(app, '?pageSize=3')
  t.same(first.requests.map(e => e.id), [1, 2, 3])
  t.type(first.nextPageToken, 'string')
  const second = await read(app, `?pageSize=3&pageToken=${first.nextPageToken!}`)
  t.same(second.requests.map(e => e.id), [4, 5, 6])
  const third = await read(app, `?pageSize=3&pageToken=${second.nextPageToken!}`)
  t.same(third.requests.map(e => e.id), [7])
  t.equal(third.nextPageToken, undefined, 'the last page has no token')
  t.same((await read(app)).requests.map(e => e.id), [1, 2, 3, 4, 5, 6, 7], 'pages of 100 by default')
  const even = await read(app, `?account=${tokenDigest('even')}&pageSize=2`)
  t.same(even.requests.map(e => e.id), [1, 3])
  t.same((await read(app, `?account=${tokenDigest('even')}&pageSize=2&pageToken=${even.nextPageToken!}`)).requests.map(e => e.id), [5, 7])
  t.same((await read(app, '?since=5&pageSize=1')).requests.map(e => e.id), [6])

  const refusals: Array<[string, string]> = [
    ['?pageSize=0', `Invalid pageSize "0": expected a number from 1 to ${MAX_JOURNAL_PAGE}.`],
    ['?pageSize=1001', `Invalid pageSize "1001": expected a number from 1 to ${MAX_JOURNAL_PAGE}.`],
    ['?pageSize=x', `Invalid pageSize "x": expected a number from 1 to ${MAX_JOURNAL_PAGE}.`],
    ['?pageSize=1&pageSize=2', 'The parameter "pageSize" may be given once.'],
    ['?pageToken=nonsense', 'Page token is invalid or was issued for a request with different parameters.'],
    // A token is bound to the filter and the page size it was issued for.
    [`?pageSize=2&pageToken=${first.nextPageToken!}`, 'Page token is invalid or was issued for a request with different parameters.'],
    [`?pageSize=3&method=people.contactGroups.list&pageToken=${first.nextPageToken!}`, 'Page token is invalid or was issued for a request with different parameters.']
  ]
  for (const [query, message] of refusals) {
    const res = await app.inject({ url: `/_emulator/requests${query}` })
    t.equal(res.statusCode, 400, query)
    t.equal(body(res).error.message, message)
  }
})

t.test('a page holds at most JOURNAL_PAGE_CHARS of JSON: bodies of control characters, read whole through the pages', async t => {
  const app = await build(t, { journalSize: 40 })
  // Control characters are six characters each once escaped in JSON: the worst case of a kept body.
  const text = '{"names":[{"givenName":"' + '\u0001'.repeat(JOURNAL_BODY_LIMIT) + '"}]}'
  for (let i = 0; i < 40; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer(), ...JSON_TYPE }, payload: text })
    t.equal(res.statusCode, 400)
  }
  const ids: number[] = []
  let token: string | undefined
  let pages = 0
  do {
    const page = await read(app, `?pageSize=1000${token === undefined ? '' : `&pageToken=${token}`}`)
    t.ok(page.text.length <= JOURNAL_PAGE_CHARS + 1024, `a page of ${page.text.length} characters`)
    ids.push(...page.requests.map(e => e.id))
    token = page.nextPageToken
    pages++
  } while (token !== undefined && pages < 100)
  t.ok(pages > 1, `${pages} pages`)
  t.same(ids, Array.from({ length: 40 }, (_, i) => i + 1), 'every entry, once, in order')
})

t.test('indented (prettyPrint=true), a page is bounded as well: an entry too long to indent shows its bodies as text', async t => {
  const app = await build(t, { journalSize: 70 })
  // Bodies nested 31 deep with 64 Ki characters of small values: indenting them multiplies their length.
  const nested = '['.repeat(31) + Array.from({ length: 16_000 }, () => '1').join(',') + ']'.repeat(31)
  for (let i = 0; i < 70; i++) {
    t.equal((await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer(), ...JSON_TYPE }, payload: nested })).statusCode, 400)
  }
  let token: string | undefined
  let seen = 0
  do {
    const page = await read(app, `?pageSize=1000&prettyPrint=true${token === undefined ? '' : `&pageToken=${token}`}`)
    t.ok(page.text.length <= JOURNAL_PAGE_CHARS + JOURNAL_PAGE_CHARS / 4, `an indented page of ${page.text.length} characters`)
    seen += page.requests.length
    token = page.nextPageToken
  } while (token !== undefined)
  t.equal(seen, 70)
  t.equal(typeof (await read(app, '?pageSize=1&prettyPrint=true')).requests[0].requestBody, 'string', 'the body as text')
  t.ok(Array.isArray((await read(app, '?pageSize=1')).requests[0].requestBody), 'compact, it fits: as JSON')
})

t.test('a body nested deeper than an answer carries is shown as its text; the read never fails', async t => {
  const app = await build(t)
  const deep = '['.repeat(5000) + ']'.repeat(5000)
  const res = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer(), ...JSON_TYPE }, payload: deep })
  t.equal(res.statusCode, 400)
  const objects = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/people/c1:updateContact?updatePersonFields=names', headers: { ...bearer(), ...JSON_TYPE }, payload: objects })).statusCode, 400)
  const { requests } = await read(app)
  t.equal(requests[0].requestBody, deep, 'as text')
  t.equal(requests[1].requestBody, objects)
  t.equal((await app.inject({ url: '/_emulator/requests?since=0' })).statusCode, 200, 'the web UI\'s poll too')
  t.equal(app.journal.entries().length, 2, 'and library mode')
})

t.test('a batch\'s body keeps no credential: headers of its parts and parameters of their request lines', async t => {
  const app = await build(t)
  const secrets = ['secret-bearer-1', 'secret-query-2', 'secret-api-key-3', 'secret-proxy-4', 'secret-encoded-5', 'secret-cookie-6', 'secret-folded-7', 'secret-oauth-8', 'secret-key-9']
  const crlf = [
    '--b',
    'Content-Type: application/http',
    '',
    'GET /v1/contactGroups?access_token=secret-query-2&pageSize=2 HTTP/1.1',
    'Authorization: Bearer secret-bearer-1',
    'X-Goog-Api-Key: secret-api-key-3',
    'Proxy-Authorization:Basic secret-proxy-4',
    'Cookie: SID=secret-cookie-6',
    'x-goog-iam-authorization-token: a',
    '  secret-folded-7',
    '',
    '--b',
    'Content-Type: application/http',
    '',
    'GET /v1/contactGroups?access%5Ftoken=secret-encoded-5&oauth_token=secret-oauth-8&key=secret-key-9',
    '',
    '--b--',
    ''
  ].join('\r\n')
  const res = await app.inject({ method: 'POST', url: '/batch', headers: { ...bearer('outer-secret'), 'content-type': 'multipart/mixed; boundary=b' }, payload: crlf })
  t.equal(res.statusCode, 200)
  // The batch route however its path is spelt.
  const encoded = await app.inject({ method: 'POST', url: '/%62atch', headers: { 'content-type': 'multipart/mixed; boundary=b' }, payload: crlf })
  t.equal(encoded.statusCode, 200, encoded.body.slice(0, 200))
  const text = (await read(app)).text
  for (const secret of [...secrets, 'outer-secret']) t.notOk(text.includes(secret), `${secret} is not in the journal`)
  const entries = app.journal.entries()
  t.equal(entries.at(-1)!.path, '/%62atch')
  const batch = entries.find(e => e.path === '/batch')!
  t.match(batch.requestBody, /Authorization: \[Redacted\]\r\n/)
  t.match(batch.requestBody, /GET \/v1\/contactGroups\?access_token=\[Redacted\]&pageSize=2 HTTP\/1\.1/)
  t.match(batch.requestBody, /access%5Ftoken=\[Redacted\]&oauth_token=\[Redacted\]&key=\[Redacted\]/)
  t.match(batch.requestBody, /Content-Type: application\/http/, 'the rest as it was')
  // A batch cut short by the bound is redacted as well, line by line.
  t.equal(redactBatchText('GET /v1/x?access_token=abc'), 'GET /v1/x?access_token=[Redacted]')
  t.equal(redactBatchText('authorization: Bea'), 'authorization: [Redacted]')
  // A header's name is read once (no backtracking over a long line), whatever it holds.
  const long = 'token'.repeat(13_000)
  t.equal(redactBatchText(long), long, 'a line that is no header is left as it is')
  t.equal(redactBatchText(`${long}: x`), `${long}: [Redacted]`)
  // Whatever comes before a colon and names a credential: a JSON body's field too (on the safe side).
  t.equal(redactBatchText('{"authorization": "not a header line"}\nGET /v1/x HTTP/1.1'), '{"authorization": [Redacted]\nGET /v1/x HTTP/1.1')
  // Header names a looser reader would take for Authorization: the batch is refused, and its
  // body kept without them.
  for (const name of ['Authorization\v', 'Authorization\f', 'Authorization\r', '\vAuthorization', 'Authorization\u00a0']) {
    const refused = await app.inject({ method: 'POST', url: '/batch', headers: { 'content-type': 'multipart/mixed; boundary=b' }, payload: `--b\r\nContent-Type: application/http\r\n\r\nGET /v1/contactGroups HTTP/1.1\r\n${name}: Bearer secret-odd-name\r\n\r\n--b--\r\n` })
    t.equal(refused.statusCode, 400, JSON.stringify(name))
    t.match(body(refused).error.message, /is not a header/)
  }
  t.notOk((await read(app, '?pageSize=1000')).text.includes('secret-odd-name'), 'nor in the refused batches\' bodies')
})

t.test('calls of a batch with huge URLs and tokens are kept bounded: what the journal counts is what it holds', async t => {
  const app = await build(t, { journalMemoryMiB: 1 })
  const token = 't'.repeat(2 * MiB)
  const value = 'v'.repeat(3 * MiB)
  const single = `--b\r\nContent-Type: application/http\r\n\r\nGET /v1/contactGroups?pageSize=5&junk=${value} HTTP/1.1\r\nAuthorization: Bearer ${token}\r\n\r\n--b--\r\n`
  t.equal((await app.inject({ method: 'POST', url: '/batch', headers: { 'content-type': 'multipart/mixed; boundary=b' }, payload: single })).statusCode, 200)
  const [call] = (await read(app)).requests
  t.equal(call.account, tokenDigest(token), 'the account shown by its token\'s digest')
  t.ok(call.query.junk.length < 2000)
  t.ok(call.path.length <= 8 * 1024 + 100)
  t.same((await read(app, `?account=${token.slice(0, 10)}`)).requests, [])
  t.same((await read(app, `?account=${tokenDigest(token)}`)).requests.map(e => e.id), [call.id])
  app.journal.clear()

  // Parts whose URLs carry hundreds of long parameters, again and again: the heap holds no
  // more than the journal counts (1 MiB), whatever the parts carried.
  const query = Array.from({ length: 900 }, (_, i) => `p${i}=${'q'.repeat(1000)}`).join('&')
  const part = `--b\r\nContent-Type: application/http\r\n\r\nGET /v1/contactGroups?${query} HTTP/1.1\r\n\r\n`
  const batch = async (): Promise<void> => {
    t.equal((await app.inject({ method: 'POST', url: '/batch', headers: { ...bearer(), 'content-type': 'multipart/mixed; boundary=b' }, payload: part.repeat(8) + '--b--\r\n' })).statusCode, 200)
  }
  // The first batches fill what any first requests fill (compiled code, the router's caches):
  // the journal is full from the second on.
  for (let i = 0; i < 4; i++) await batch()
  const before = liveHeap()
  for (let i = 0; i < 10; i++) await batch()
  const grown = liveHeap() - before
  t.ok(app.journal.bytes <= MiB)
  t.ok(grown < 8 * MiB, `the heap grew by ${(grown / MiB).toFixed(1)} MiB for 80 calls of 0.9 MiB URLs, the journal counting ${(app.journal.bytes / MiB).toFixed(2)} MiB`)
  const [first] = (await read(app, '?pageSize=1')).requests
  t.ok(JSON.stringify(first.query).length < 10 * 1024, 'the query shown is bounded')
})

t.test('the control plane is not recorded however its path is spelt', async t => {
  const app = await build(t)
  for (const url of ['/%5Femulator/export', '/%5femulator/health', '/_emulator%2Fhealth', '/%5F%65mulator/fidelity']) await app.inject({ url })
  await app.inject({ url: '/v1/contactGroups', headers: bearer() })
  t.same(app.journal.entries().map(e => e.path), ['/v1/contactGroups'])
})
