/**
 * The control plane is safe to expose (src/plugins/control-plane.ts): it answers only to the
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
  for (const host of ['evil.example.com', 'evil.example.com:8090', 'localhost.evil.com', '127.0.0.1.nip.io']) {
    for (const url of ['/_emulator/export', '/_emulator/health', '/$discovery/rest?version=v1', '/discovery/v1/apis/people/v1/rest']) {
      const res = await app.inject({ url, headers: { host } })
      t.equal(res.statusCode, 403, `${url} on ${host}`)
      const name = host.split(':')[0]!
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
    { method: 'POST' as const, url: '/_emulator/reset' },
    { method: 'POST' as const, url: '/_emulator/reset', headers: { 'content-type': 'text/plain' }, payload: '{}' },
    { method: 'POST' as const, url: '/_emulator/reset', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' },
    { method: 'POST' as const, url: '/_emulator/clock', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--' },
    { method: 'POST' as const, url: '/_emulator/import', headers: { 'content-type': 'text/plain' }, payload: '{"accounts":[]}' }
  ]
  for (const request of refused) {
    const res = await app.inject(request)
    t.equal(res.statusCode, 403, `${request.url} ${JSON.stringify(request.headers ?? {})}`)
    t.equal(body(res).error.message, 'A control-plane request that changes something needs Content-Type: application/json (with a JSON body, or none), or an Authorization or X-Requested-With header, so that no web page can send it. With curl: -H \'content-type: application/json\'.')
  }
  t.equal(body(await app.inject({ url: '/_emulator/export' })).accounts.length, 1, 'nothing was reset')
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', headers: JSON_TYPE })).statusCode, 200, 'JSON, without a body')
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
