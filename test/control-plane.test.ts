/**
 * The control plane is safe to expose (src/control-plane.ts): it answers only to the
 * emulator's own host names, to no other origin, with --control-token only to its bearer, and
 * to no request a web page could send without a preflight.
 */
import t from 'tap'
import { bearer, body, build } from './helpers/app.js'

const JSON_TYPE = { 'content-type': 'application/json' }

t.test('the Host header: loopback names, IP literals and single-label names, or those listed', async t => {
  const app = await build(t)
  for (const host of ['localhost', 'localhost:8090', 'app.localhost:1', '127.0.0.1:8090', '10.1.2.3', '[::1]:8090', '[fe80::1]', 'people:8090', 'PEOPLE']) {
    t.equal((await app.inject({ url: '/_emulator/export', headers: { host } })).statusCode, 200, host)
    t.equal((await app.inject({ url: '/$discovery/rest?version=v1', headers: { host } })).statusCode, 200, `discovery on ${host}`)
  }
  for (const host of ['evil.example.com', 'evil.example.com:8090', 'localhost.evil.com', '127.0.0.1.nip.io', '127.0.0.1:8090.evil.com']) {
    for (const url of ['/_emulator/export', '/_emulator/health', '/$discovery/rest?version=v1', '/discovery/v1/apis/people/v1/rest']) {
      const res = await app.inject({ url, headers: { host } })
      t.equal(res.statusCode, 403, `${url} on ${host}`)
      const name = host.replace(/:\d+$/, '')
      t.equal(body(res).error.message, `Host "${name}" is not one the emulator answers to for its control plane and discovery document: start the emulator with --allowed-hosts ${name} (or PEOPLE_EMULATOR_ALLOWED_HOSTS) to allow it.`)
    }
    const reset = await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { host, ...JSON_TYPE } })
    t.equal(reset.statusCode, 403, 'nothing is reset from a rebound name')
  }
  // The API itself answers any host, as Google's does: its tokens are what protect it.
  t.equal((await app.inject({ url: '/v1/contactGroups', headers: { host: 'evil.example.com', ...bearer() } })).statusCode, 200)

  const listed = await build(t, { allowedHosts: ['people.qa.example.com'] })
  t.equal((await listed.inject({ url: '/_emulator/export', headers: { host: 'People.QA.example.com:8090' } })).statusCode, 200)
  const discovery = body(await listed.inject({ url: '/$discovery/rest?version=v1', headers: { host: 'people.qa.example.com:8090' } }))
  t.equal(discovery.rootUrl, 'http://people.qa.example.com:8090/')
  t.equal((await listed.inject({ url: '/_emulator/export', headers: { host: 'other.qa.example.com' } })).statusCode, 403)
})

t.test('a request that changes something needs JSON or a header no web page can send cross-site', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer('keep'), payload: { contactGroup: { name: 'Kept' } } })
  const refused = [
    { method: 'POST' as const, url: '/_emulator/reset', headers: { origin: 'http://localhost:80' } },
    { method: 'POST' as const, url: '/_emulator/reset', headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'no-cors' } },
    { method: 'DELETE' as const, url: '/_emulator/requests', headers: { 'sec-fetch-mode': 'no-cors' } },
    { method: 'POST' as const, url: '/_emulator/reset', headers: { 'content-type': 'text/plain' }, payload: '' },
    { method: 'POST' as const, url: '/_emulator/reset', headers: { 'content-type': 'text/plain' }, payload: '{}' },
    { method: 'POST' as const, url: '/_emulator/reset', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' },
    { method: 'POST' as const, url: '/_emulator/clock', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--' },
    { method: 'POST' as const, url: '/_emulator/import', headers: { 'content-type': 'text/plain' }, payload: '{"accounts":[]}' }
  ]
  for (const request of refused) {
    const res = await app.inject(request)
    t.equal(res.statusCode, 403, `${request.url} ${JSON.stringify(request.headers ?? {})}`)
    t.equal(body(res).error.message, 'A control-plane request that changes something needs Content-Type: application/json (with a JSON body, or none), or an Authorization or X-Requested-With header, so that no web page can send it; only a request without a body may go without, from a client that is not a browser page. With curl: -H \'content-type: application/json\'.')
  }
  t.equal(body(await app.inject({ url: '/_emulator/export' })).accounts.length, 1, 'nothing was reset')
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', headers: JSON_TYPE })).statusCode, 200, 'JSON, without a body')
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset' })).statusCode, 200, 'no body, from a client that is not a browser page (curl -X POST, requests.post)')
  t.equal((await app.inject({ method: 'DELETE', url: '/_emulator/requests' })).statusCode, 200, 'a DELETE too')
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'x-requested-with': 'test' } })).statusCode, 200, 'X-Requested-With')
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', headers: bearer('anything') })).statusCode, 200, 'Authorization')
  t.equal((await app.inject({ url: '/_emulator/export' })).statusCode, 200, 'reads need nothing')
})

t.test('--control-token: every control-plane request but health needs it', async t => {
  const app = await build(t, { controlToken: 'c0ntrol-s3cret' })
  const needs = [
    { url: '/_emulator/export' },
    { url: '/_emulator/clock' },
    { url: '/_emulator/fidelity' },
    { method: 'POST' as const, url: '/_emulator/reset', headers: JSON_TYPE },
    { method: 'POST' as const, url: '/_emulator/import', payload: { accounts: [] } }
  ]
  for (const request of needs) {
    for (const headers of [{}, bearer('wrong'), bearer('c0ntrol-s3cre'), { authorization: 'c0ntrol-s3cret' }]) {
      const res = await app.inject({ ...request, headers: { ...request.headers, ...headers } })
      t.equal(res.statusCode, 401, `${request.url} with ${JSON.stringify(headers)}`)
      t.same(body(res).error, {
        code: 401,
        message: 'The emulator\'s control plane needs its control token: send Authorization: Bearer <the --control-token value>.',
        errors: [{ message: 'The emulator\'s control plane needs its control token: send Authorization: Bearer <the --control-token value>.', domain: 'global', reason: 'required', location: 'Authorization', locationType: 'header' }],
        status: 'UNAUTHENTICATED'
      })
    }
    const ok = await app.inject({ ...request, headers: { ...request.headers, ...bearer('c0ntrol-s3cret') } })
    t.equal(ok.statusCode, 200, request.url)
  }
  t.equal((await app.inject({ url: '/_emulator/health' })).statusCode, 200, 'health needs no token (a container health check)')
  // Contacts' photo URLs are the API's: any page's <img> loads them, on any host, as Google's.
  const photo = await app.inject({ url: '/_emulator/photos/abc.png', headers: { host: 'qa.example.com:8090' } })
  t.equal(photo.statusCode, 200)
  t.equal(photo.headers['content-type'], 'image/png')
  t.equal((await app.inject({ url: '/v1/contactGroups', headers: bearer('api-token') })).statusCode, 200, 'the API is not affected')
})

/** The control plane's reads a page could try to load as a script. */
const READS = ['/_emulator/export', '/_emulator/requests', '/_emulator/accounts', '/_emulator/accounts/alice', '/_emulator/accounts/alice/contacts',
  '/_emulator/fidelity', '/_emulator/clock', '/_emulator/faults', '/_emulator/snapshots', '/_emulator/quotas?account=alice', '/_emulator/health', '/_emulator/ui']

t.test('no answer is JSONP: `callback` is refused on every route, however the path is spelt', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', headers: JSON_TYPE, payload: { accounts: [{ id: 'alice', tokens: [{ token: 'alice-secret' }] }] } })
  const spellings = [...READS, '/%5Femulator/export', '/%5femulator/requests', '/_emulator/nowhere']
  for (const url of spellings) {
    const res = await app.inject({ url: url + (url.includes('?') ? '&' : '?') + 'callback=steal' })
    t.equal(res.statusCode, 400, url)
    t.equal(res.headers['content-type'], 'application/json; charset=UTF-8', 'JSON, not JavaScript')
    t.notOk(res.body.includes('steal('), 'no callback is called')
    t.notOk(res.body.includes('alice-secret'))
    t.equal(body(res).error.message, 'The emulator\'s control plane (/_emulator/*) does not answer JSONP: leave out "callback" (a page of another origin could read the answer).')
  }
  // The API answers JSONP as Google's does (its token protects it), and so does the discovery document.
  const api = await app.inject({ url: '/v1/contactGroups?callback=cb', headers: bearer('alice-secret') })
  t.equal(api.statusCode, 200)
  t.match(api.body, /^\/\/ API callback\ncb\(/)
  t.match((await app.inject({ url: '/$discovery/rest?version=v1&callback=cb' })).body, /^\/\/ API callback\ncb\(/)
})

t.test('what a browser loads without an Origin is refused by its Sec-Fetch headers; every answer is nosniff and same-origin', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', headers: JSON_TYPE, payload: { accounts: [{ id: 'alice', tokens: [{ token: 'alice-secret' }] }] } })
  const load = async (url: string, headers: Record<string, string>): Promise<number> => (await app.inject({ url, headers })).statusCode
  for (const url of READS.filter(u => u !== '/_emulator/ui')) {
    // <script src>, <link rel=stylesheet>, <img>, <iframe> of another site's page.
    t.equal(await load(url, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' }), 403, `${url} as another site's script`)
    t.equal(await load(url, { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' }), 403, `${url} as a script of the same site (another port)`)
    t.equal(await load(url, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'style' }), 403)
    t.equal(await load(url, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }), 403)
    t.equal(await load(url, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' }), 403)
    t.equal(await load(url, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'empty' }), 403, 'a no-cors fetch')
    // Even from the emulator's own origin, its data is not a script.
    t.equal(await load(url, { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' }), 403)
    // A fetch of its own pages, what the user typed, a link followed: answered.
    t.equal(await load(url, { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' }), 200, `${url} fetched by the emulator's page`)
    t.equal(await load(url, { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }), 200)
    t.equal(await load(url, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }), 200, 'a top-level navigation: the other page cannot read it')
  }
  // A web UI page opened from a test report's link; its assets loaded by the page itself.
  t.equal(await load('/_emulator/ui/journal', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }), 200)
  t.equal(await load('/_emulator/ui/assets/app.js', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'script' }), 200)
  t.equal(await load('/_emulator/ui/assets/app.css', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'style' }), 200)
  t.equal(await load('/_emulator/ui/journal', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' }), 403)
  // A change from another site, even as a navigation (a form), is refused.
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { ...JSON_TYPE, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } })).statusCode, 403)
  const refused = await app.inject({ url: '/_emulator/export', headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' } })
  t.equal(body(refused).error.message, 'The emulator\'s control plane (/_emulator/*) answers a browser\'s fetch from its own pages and a navigation, not a script, style, image or frame load, nor a request from another site.')
  for (const res of [refused, await app.inject({ url: '/_emulator/export' }), await app.inject({ url: '/_emulator/export', headers: { host: 'evil.example.com' } })]) {
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.equal(res.headers['cross-origin-resource-policy'], 'same-origin')
    t.equal(res.headers['cache-control'], 'no-store')
  }
})

t.test('a percent-encoded control-plane path is the control plane: no CORS answer, no preflight', async t => {
  const app = await build(t)
  for (const url of ['/%5Femulator/export', '/%5femulator/requests', '/_emulator%2Fexport', '/%5F%65mulator/accounts', '/%5Femulator/clock%']) {
    const preflight = await app.inject({ method: 'OPTIONS', url, headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } })
    t.equal(preflight.statusCode, url.endsWith('%') ? 400 : 404, `preflight of ${url} (a malformed URL is a 400)`)
    t.equal(preflight.headers['access-control-allow-origin'], undefined)
    t.equal(preflight.headers['access-control-allow-credentials'], undefined)
    const read = await app.inject({ url, headers: { origin: 'https://evil.example' } })
    t.not(read.statusCode, 200, url)
    t.equal(read.headers['access-control-allow-origin'], undefined)
  }
  // An origin of another scheme than a page's is another origin, whatever its host.
  for (const origin of ['foo://localhost:80', 'ws://localhost', 'file://localhost']) {
    t.equal((await app.inject({ url: '/_emulator/export', headers: { host: 'localhost', origin } })).statusCode, 403, origin)
  }
  t.equal((await app.inject({ url: '/_emulator/export', headers: { host: 'localhost', origin: 'http://localhost' } })).statusCode, 200)
})
