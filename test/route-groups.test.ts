/**
 * Route groups (src/route-groups.ts): the API's, the discovery document's and the control
 * plane's routes are found by a router built once per process behind one Fastify wildcard
 * (`/*`), the sign-in's behind two. A request must
 * not be able to tell: every route answers as Fastify's would, HEAD included; a path no route
 * matches gets the not-found answer without passing the hooks of a route; Fastify's limits
 * and errors stay; emulators in one process keep their own handlers.
 */
import t from 'tap'
import Fastify, { type onRequestHookHandler, type RouteHandlerMethod } from 'fastify'
import { bearer, body, build } from './helpers/app.js'
import { methods } from '../src/generated/discovery.js'
import { routePath } from '../routes/v1/index.js'
import { RouteGroup } from '../src/route-groups.js'

const FIXTURES = { accounts: [{ id: 'owner', tokens: [{ token: 'test-token' }], people: [{ resourceName: 'people/c1', names: [{ givenName: 'Ada' }] }] }] }

function notFoundBody (path: string): unknown {
  const message = `The requested URL ${path} was not found on this server.`
  return { error: { code: 404, message, errors: [{ message, domain: 'global', reason: 'notFound' }], status: 'NOT_FOUND' } }
}

t.test('every discovery method is routed at its path, for its HTTP method only', async t => {
  const app = await build(t)
  for (const method of methods) {
    // A value for each path parameter (none contains ":" or "/").
    const url = routePath(method).replace(/:(\w+)\(\^\[\^:\/\]\+\)/g, 'x1').replace(/::/g, ':')
    const routed = await app.inject({ method: method.httpMethod, url, headers: { ...bearer(), 'content-type': 'application/json' }, payload: method.httpMethod === 'GET' || method.httpMethod === 'DELETE' ? undefined : '{}' })
    // (A 404 of the method's own — an entity not found — is routed too.)
    t.notMatch(routed.body, /was not found on this server/, `${method.httpMethod} ${url}: ${routed.body.slice(0, 120)}`)
    // Another method on the same path is Fastify's 404 (Google's envelope), never this method's handler.
    const other = method.httpMethod === 'PUT' ? 'PATCH' : 'PUT'
    if (!methods.some(m => m.flatPath === method.flatPath && m.httpMethod === other)) {
      const res = await app.inject({ method: other, url, headers: { ...bearer(), 'content-type': 'application/json' }, payload: '{}' })
      t.same(body(res), notFoundBody(url), `${other} ${url}`)
    }
  }
})

t.test('HEAD of a GET route answers its headers and length, without a body', async t => {
  const app = await build(t, { controlToken: undefined }, { fixturesDocument: FIXTURES })
  for (const url of ['/v1/people/c1?personFields=names', '/v1/contactGroups', '/_emulator/health', '/_emulator/ui', '/oauth2/v3/certs', '/o/oauth2/consent.css', '/.well-known/openid-configuration', '/$discovery/rest?version=v1']) {
    const get = await app.inject({ method: 'GET', url, headers: bearer() })
    const head = await app.inject({ method: 'HEAD', url, headers: bearer() })
    t.equal(head.statusCode, get.statusCode, `HEAD ${url}`)
    t.equal(head.body, '', `HEAD ${url}: no body`)
    t.equal(head.headers['content-length'], String(Buffer.byteLength(get.rawPayload)), `HEAD ${url}: GET's length`)
    t.equal(head.headers['content-type'], get.headers['content-type'], `HEAD ${url}: GET's type`)
  }
  // A path routed for other methods alone is not found for HEAD; a parameter too long is refused as for GET.
  for (const url of ['/v1/people:createContact', '/_emulator/reset', '/token']) {
    t.equal((await app.inject({ method: 'HEAD', url, headers: bearer() })).statusCode, 404, `HEAD ${url}`)
  }
  t.equal((await app.inject({ method: 'HEAD', url: `/v1/people/${'x'.repeat(101)}?personFields=names`, headers: bearer() })).statusCode, 400, 'HEAD with a parameter over 100 characters')
})

t.test('a path no route matches is not found, whichever prefix it is under, whatever its body', async t => {
  const app = await build(t)
  for (const path of ['/v1/people/c1:updateContactX', '/v1/people/c1/', '/v1//people/c1', '/V1/people/c1', '/v1/nothing', '/_emulator/nowhere', '/_emulator/snapshots/a/b', '/o/oauth2/nowhere', '/oauth2/v9/token', '/nowhere']) {
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      const res = await app.inject({ method, url: `${path}?prettyPrint=false`, headers: { 'content-type': 'text/plain' }, payload: method === 'POST' ? 'not json' : undefined })
      t.equal(res.statusCode, 404, `${method} ${path}`)
      t.same(body(res), notFoundBody(path), `${method} ${path}`)
    }
  }
  // The control plane's checks are its routes': an unknown path under it is not found for any caller.
  const res = await app.inject({ url: '/_emulator/nowhere', headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })
  t.equal(res.statusCode, 404)
})

t.test('a path parameter over 100 characters is refused as Fastify refuses it', async t => {
  const app = await build(t)
  const long = 'x'.repeat(101)
  const res = await app.inject({ url: `/v1/people/${long}?personFields=names`, headers: bearer() })
  t.equal(res.statusCode, 400)
  t.equal(body(res).error.message, `'/v1/people/${long}' is exceeding the max param length`)
  const fits = await app.inject({ url: `/v1/people/${'x'.repeat(100)}?personFields=names`, headers: bearer() })
  t.equal(fits.statusCode, 400)
  t.match(body(fits).error.message, /is not a valid contact person resource/)
  const snapshot = await app.inject({ method: 'POST', url: `/_emulator/snapshots/${long}:restore` })
  t.equal(snapshot.statusCode, 400)
  t.equal(body(snapshot).error.message, `'/_emulator/snapshots/${long}:restore' is exceeding the max param length`)
})

t.test('path parameters are decoded as Fastify decodes them, and %3A before a verb is a colon', async t => {
  const app = await build(t, {}, { fixturesDocument: FIXTURES })
  const got = await app.inject({ url: '/v1/people/c1?personFields=names', headers: bearer() })
  const etag = body(got).etag as string
  const res = await app.inject({ method: 'PATCH', url: '/v1/people/c1%3AupdateContact?updatePersonFields=names', headers: bearer(), payload: { etag, names: [{ givenName: 'Grace' }] } })
  t.equal(res.statusCode, 200, res.body)
  t.equal(body(res).names[0].givenName, 'Grace')
  const encoded = await app.inject({ url: '/v1/people/%63%31?personFields=names', headers: bearer() })
  t.equal(encoded.statusCode, 200, 'an encoded id is the id')
  t.equal(body(encoded).resourceName, 'people/c1')
  const malformed = await app.inject({ url: '/v1/people/%E0%A4%A?personFields=names', headers: bearer() })
  t.equal(malformed.statusCode, 400)
  t.equal(body(malformed).error.message, 'The request URL is malformed.')
})

t.test('emulators in one process share the router, never their handlers or settings', async t => {
  const probe = (name: string): RouteHandlerMethod => async (request) => ({ who: name, params: request.params })
  const a = await build(t, {}, { implementations: { 'people.people.get': probe('a') } })
  const b = await build(t, {}, { implementations: { 'people.people.get': probe('b') } })
  const c = await build(t, { controlToken: 'c-token' })
  for (const [app, who] of [[a, 'a'], [b, 'b'], [a, 'a']] as const) {
    const res = await app.inject({ url: '/v1/people/c7?personFields=names', headers: bearer() })
    t.same(body(res), { who, params: { peopleId: 'c7' } })
  }
  // Each emulator's control plane answers with its own state and settings.
  await a.inject({ method: 'POST', url: '/_emulator/snapshots', payload: { name: 'only-in-a' } })
  t.same(body(await a.inject({ url: '/_emulator/snapshots' })).snapshots.map((s: { name: string }) => s.name), ['only-in-a'])
  t.same(body(await b.inject({ url: '/_emulator/snapshots' })).snapshots, [])
  t.equal((await c.inject({ url: '/_emulator/snapshots' })).statusCode, 401, 'the control token is its own emulator\'s')
  t.equal((await c.inject({ url: '/_emulator/snapshots', headers: { authorization: 'Bearer c-token' } })).statusCode, 200)
})

t.test('a route under /_emulator/ that is not the control plane\'s (so not guarded) is refused when added', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  const group = new RouteGroup(app, ['/'])
  const handler: RouteHandlerMethod = async () => ({})
  t.throws(() => { group.get('/_emulator/unguarded', handler) }, /not marked controlPlane/)
  t.throws(() => { group.withDefaults({ controlPlane: true }).get('/_emulator/unmarked', { config: { controlPlane: false } }, handler) }, /not marked controlPlane/, 'a route cannot unmark itself')
  t.throws(() => { group.withDefaults({ controlPlane: true }).get('/_emulator/unguarded', handler) }, /not marked controlPlane with the control plane's guard/, 'marked, but without the guard')
  const guard: onRequestHookHandler = (_request, _reply, done) => { done() }
  t.doesNotThrow(() => { group.withDefaults({ controlPlane: true, guard }).get('/_emulator/marked', handler) })
  t.doesNotThrow(() => { group.get('/v1/elsewhere', handler) })

  // A route Fastify is given itself, in the emulator: refused unless marked.
  const emulator = await build(t)
  t.throws(() => { emulator.get('/_emulator/unguarded', handler) }, /not marked controlPlane/)
  t.throws(() => { emulator.post('/%5Femulator/encoded', handler) }, /not marked controlPlane/, 'as the router reads the path: decoded')
  t.throws(() => { emulator.get('/_emulator/unguarded', { config: { controlPlane: true } }, handler) }, /not marked controlPlane/, 'marked, but without the guard')
  t.doesNotThrow(() => { emulator.get('/_emulator/marked', { config: { controlPlane: true, guard } }, handler) }, 'one marked and guarded, as the group marks the import\'s')
})
