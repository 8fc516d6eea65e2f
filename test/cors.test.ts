/**
 * CORS as Google's front end answers it (FIDELITY.md: CORS) on every API path, and a control
 * plane that answers no other origin.
 */
import t from 'tap'
import type { RouteHandlerMethod } from 'fastify'
import type { InjectOptions } from 'light-my-request'
import { rateLimitExceeded } from '../src/quotas.js'
import { bearer, body, build } from './helpers/app.js'

const ORIGIN = 'https://app.example.com'
const VARY = 'Origin, X-Origin, Referer'
const EXPOSE = 'vary,vary,vary,content-encoding,date,server,content-length'

function preflight (url: string, requestHeaders?: string): { method: 'OPTIONS', url: string, headers: Record<string, string> } {
  const headers: Record<string, string> = { origin: ORIGIN, 'access-control-request-method': 'PATCH' }
  if (requestHeaders !== undefined) headers['access-control-request-headers'] = requestHeaders
  return { method: 'OPTIONS', url, headers }
}

t.test('a preflight on any API path is answered as Google answers it', async t => {
  const app = await build(t)
  const paths = ['/v1/people/me/connections', '/v1/people/c123:updateContact', '/v1/contactGroups/abc', '/batch', '/$discovery/rest?version=v1', '/discovery/v1/apis/people/v1/rest', '/v1/nowhere', '/elsewhere']
  for (const path of paths) {
    const res = await app.inject(preflight(path, 'authorization,content-type,x-goog-api-client'))
    t.equal(res.statusCode, 200, path)
    t.equal(res.body, '', 'an empty body')
    t.match(res.headers, {
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-methods': 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT',
      'access-control-allow-headers': 'authorization,content-type,x-goog-api-client',
      'access-control-max-age': '3600',
      'access-control-allow-credentials': 'true',
      vary: VARY
    }, path)
  }
  const bare = await app.inject(preflight('/v1/people/me/connections'))
  t.equal(bare.statusCode, 200)
  t.notOk('access-control-allow-headers' in bare.headers, 'no headers allowed when none were asked for')
})

t.test('a preflight needs no credentials, runs nothing and creates no account', async t => {
  const app = await build(t)
  const res = await app.inject({ ...preflight('/v1/people:createContact', 'authorization'), headers: { ...preflight('/x').headers, authorization: 'Bearer preflight-token' } })
  t.equal(res.statusCode, 200)
  t.equal(app.accounts.accountExists('preflight-token'), false)
})

t.test('every answer to a request with an Origin is readable cross-origin, errors included', async t => {
  const app = await build(t, { maxQueuedMutations: 1 }, {
    implementations: {
      'people.people.batchCreateContacts': (async () => { throw rateLimitExceeded('critical_write') }) as RouteHandlerMethod,
      'people.people.batchDeleteContacts': (async () => { throw new Error('boom') }) as RouteHandlerMethod
    }
  })
  const headers = { origin: ORIGIN, ...bearer('cors-token') }
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'other', tokens: [{ token: 'cors-other', scopes: ['https://www.googleapis.com/auth/contacts.other.readonly'] }] }] } })
  await app.inject({ method: 'POST', url: '/v1/contactGroups', headers, payload: { contactGroup: { name: 'Chess' } } })
  const cases: Array<[number, InjectOptions]> = [
    [200, { url: '/v1/contactGroups', headers }],
    [200, { url: '/$discovery/rest?version=v1', headers: { origin: ORIGIN } }],
    [401, { url: '/v1/contactGroups', headers: { origin: ORIGIN } }],
    [400, { url: '/v1/people/me?personFields=bogus', headers }],
    [400, { method: 'POST', url: '/v1/people:createContact', headers: { ...headers, 'content-type': 'text/plain' }, payload: 'x' }],
    [404, { url: '/v1/people/c1?personFields=names', headers }],
    [404, { url: '/no/such/path', headers: { origin: ORIGIN } }],
    [409, { method: 'POST', url: '/v1/contactGroups', headers, payload: { contactGroup: { name: 'Chess' } } }],
    [413, { method: 'POST', url: '/v1/people:createContact', headers: { ...headers, 'content-type': 'application/json' }, payload: '"' + 'x'.repeat(11 * 1024 * 1024) + '"' }],
    [429, { method: 'POST', url: '/v1/people:batchCreateContacts', headers, payload: {} }],
    [500, { method: 'POST', url: '/v1/people:batchDeleteContacts', headers, payload: {} }],
    [403, { url: '/v1/contactGroups', headers: { origin: ORIGIN, ...bearer('cors-other') } }],
    [200, { url: '/v1/otherContacts?readMask=names', headers: { origin: ORIGIN, ...bearer('cors-other') } }],
    [400, { url: '/v1/people:listDirectoryPeople?readMask=names&sources=DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE', headers }]
  ]
  for (const [status, request] of cases) {
    const res = await app.inject(request)
    const what = `${String(request.method ?? 'GET')} ${request.url as string}`.slice(0, 80)
    t.equal(res.statusCode, status, what)
    t.equal(res.headers['access-control-allow-origin'], ORIGIN, what)
    t.equal(res.headers['access-control-allow-credentials'], 'true', what)
    t.equal(res.headers['access-control-expose-headers'], EXPOSE, what)
    t.equal(res.headers.vary, VARY, what)
    if (status >= 400) t.equal(body(res).error.code, status, 'Google\'s envelope')
  }
})

t.test('a URL the router cannot read is answered readable cross-origin', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/v1/people/%E0%A4%A', headers: { origin: ORIGIN } })
  t.equal(res.statusCode, 400)
  t.equal(res.headers['access-control-allow-origin'], ORIGIN)
})

t.test('a request without an Origin gets Vary and no CORS headers', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/v1/contactGroups', headers: bearer() })
  t.equal(res.statusCode, 200)
  t.equal(res.headers.vary, VARY)
  for (const name of Object.keys(res.headers)) t.notOk(name.startsWith('access-control-'), name)
})

t.test('an OPTIONS request that is not a preflight is an unknown route: 404, readable', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'OPTIONS', url: '/v1/people/me/connections', headers: { origin: ORIGIN } })
  t.equal(res.statusCode, 404)
  t.equal(res.headers['access-control-allow-origin'], ORIGIN)
  t.notOk('access-control-allow-methods' in res.headers)
})

t.test('the control plane refuses other origins, answers no preflight, and sends no CORS headers', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer('owner'), payload: { contactGroup: { name: 'Kept' } } })
  const foreign = ['https://evil.example', 'null', 'http://localhost:80.evil.example', 'not a url']
  for (const origin of foreign) {
    for (const [method, url, status] of [['POST', '/_emulator/reset', 403], ['GET', '/_emulator/export', 403], ['GET', '/%5Femulator/export', 403], ['OPTIONS', '/_emulator/reset', 404], ['GET', '/_emulator/nowhere', 404]] as const) {
      const res = await app.inject({ method, url, headers: { origin, 'access-control-request-method': 'POST', 'content-type': 'application/json' } })
      t.equal(res.statusCode, status, `${method} ${url} from ${origin}: ${res.body.slice(0, 200)}`)
      if (status === 403) {
        t.equal(body(res).error.status, 'PERMISSION_DENIED')
        t.equal(body(res).error.message, 'The emulator\'s control plane (/_emulator/*) does not accept cross-origin requests.')
      }
      for (const name of Object.keys(res.headers)) t.notOk(name.startsWith('access-control-'), name)
    }
  }
  const groups = body(await app.inject({ url: '/v1/contactGroups', headers: bearer('owner') })).contactGroups
  t.ok(groups.some((g: { name: string }) => g.name === 'Kept'), 'nothing was reset')

  // The emulator's own pages (same origin) and test code (no Origin) are served.
  for (const [origin, host] of [['http://localhost:80', 'localhost:80'], ['http://127.0.0.1:8090', '127.0.0.1:8090'], ['http://[::1]:8090', '[::1]:8090'], ['https://people', 'people:443']]) {
    const same = await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { origin: origin!, host: host!, 'content-type': 'application/json' } })
    t.equal(same.statusCode, 200, `${origin!} on ${host!}`)
    t.notOk('access-control-allow-origin' in same.headers)
  }
  t.equal((await app.inject({ url: '/_emulator/health' })).statusCode, 200)
})
