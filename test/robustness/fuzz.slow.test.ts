/**
 * Hostile input, property-based (fast-check), over every mutating route and the control
 * plane: random and malformed JSON, wrong types, deep nesting, very long strings, unicode edge
 * cases, bad field masks, bad resource names, wrong methods and content types.
 * Invariants: never a 5xx (but 501 for what is not emulated); every error is Google's
 * envelope; a rejected request leaves the stored state exactly as it was; the server stays
 * healthy.
 */
import t from 'tap'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { build } from '../helpers/app.js'

const CONTACT = 'people/c1234567890'
const GROUP = 'contactGroups/1a2b3c4d5e6f7a8'
const FIXTURE = {
  accounts: [{
    id: 'fuzz',
    tokens: [{ token: 'fuzz' }, { token: 'fuzz-ro', scopes: ['https://www.googleapis.com/auth/contacts.readonly'] }],
    contactGroups: [{ resourceName: GROUP, name: 'Club' }],
    people: [{ resourceName: CONTACT, names: [{ givenName: 'Ada' }], memberships: [{ contactGroupMembership: { contactGroupResourceName: GROUP } }] }]
  }]
}

const ROUTES: Array<[string, string]> = [
  ['POST', '/v1/people:createContact'],
  ['PATCH', `/v1/${CONTACT}:updateContact`],
  ['DELETE', `/v1/${CONTACT}:deleteContact`],
  ['POST', '/v1/people:batchCreateContacts'],
  ['POST', '/v1/people:batchUpdateContacts'],
  ['POST', '/v1/people:batchDeleteContacts'],
  ['PATCH', `/v1/${CONTACT}:updateContactPhoto`],
  ['DELETE', `/v1/${CONTACT}:deleteContactPhoto`],
  ['POST', '/v1/contactGroups'],
  ['PUT', `/v1/${GROUP}`],
  ['DELETE', `/v1/${GROUP}`],
  ['POST', `/v1/${GROUP}/members:modify`],
  ['POST', '/_emulator/import'],
  ['POST', '/_emulator/reset'],
  ['POST', '/_emulator/clock']
]

const CANONICAL = new Set(['INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'OUT_OF_RANGE', 'UNAUTHENTICATED', 'PERMISSION_DENIED', 'NOT_FOUND', 'ALREADY_EXISTS', 'ABORTED', 'RESOURCE_EXHAUSTED', 'UNIMPLEMENTED'])

const FIELDS = ['names', 'emailAddresses', 'phoneNumbers', 'memberships', 'photos', 'metadata', 'biographies', 'birthdays', 'clientData', 'bogus', 'names.givenName', '', ' ', '*', 'etag']

interface Shot {
  method: string
  url: string
  headers: Record<string, string>
  payload?: string
}

/** Text that is anything but well-behaved. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '\uFEFF', '👩‍👩‍👧', 'e\u0301', '%00', '../..', 'people/me', 'people/c0', 'people/c99999999999999999999', '__proto__', 'constructor', "'; DROP TABLE contacts; --", '"', '\\', '{"a":'),
  fc.integer().map(String)
)

/** A JSON value shaped like the API's bodies, with every leaf allowed to be wrong. */
const leaf: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 2 }), nasty, fc.constant(null), fc.constant('x'.repeat(1100)))
const item = fc.dictionary(fc.oneof(fc.constantFrom('value', 'givenName', 'type', 'metadata', 'contactGroupMembership', 'key', 'date', 'year'), nasty), leaf, { maxKeys: 4 })
const bodyObject = fc.dictionary(
  fc.oneof(fc.constantFrom('names', 'emailAddresses', 'etag', 'memberships', 'metadata', 'contactGroup', 'contacts', 'readMask', 'updateMask', 'resourceNames', 'resourceNamesToAdd', 'photoBytes', 'accounts', 'advance', 'set', 'contactPerson', 'updateGroupFields'), nasty),
  fc.oneof(leaf, fc.array(item, { maxLength: 3 }), item, fc.array(fc.oneof(nasty, fc.constant(CONTACT)), { maxLength: 3 })),
  { maxKeys: 5 }
)

const deep = fc.integer({ min: 1, max: 5000 }).chain(depth => fc.constantFrom(
  '['.repeat(depth) + ']'.repeat(depth),
  '{"names":'.repeat(depth) + '1' + '}'.repeat(depth),
  '{"names":[{"givenName":' + '['.repeat(depth) + ']'.repeat(depth) + '}]}'
))

const body = fc.oneof(
  bodyObject.map(o => JSON.stringify(o)),
  fc.jsonValue().map(v => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 60 }),
  deep,
  fc.constant('{"names":[{"givenName":"' + 'y'.repeat(200000) + '"}]}')
)

const mask = fc.array(fc.oneof(fc.constantFrom(...FIELDS), nasty), { maxLength: 3 }).map(parts => parts.join(','))
const query = fc.record({
  updatePersonFields: fc.option(mask, { nil: undefined }),
  personFields: fc.option(mask, { nil: undefined }),
  extra: fc.option(fc.tuple(nasty, nasty), { nil: undefined }),
  account: fc.option(nasty, { nil: undefined })
})

const contentType = fc.oneof(fc.constant('application/json'), fc.constant('application/json; charset=utf-8'), fc.constant(undefined), fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'), nasty)
const token = fc.constantFrom('fuzz', 'fuzz', 'fuzz', 'fuzz-ro', undefined)

function shotOf ([method, path]: [string, string], q: { updatePersonFields?: string, personFields?: string, extra?: [string, string], account?: string }, payload: string, type: string | undefined, auth: string | undefined): Shot {
  const params = new URLSearchParams()
  if (q.updatePersonFields !== undefined) params.set('updatePersonFields', q.updatePersonFields)
  if (q.personFields !== undefined) params.set('personFields', q.personFields)
  if (q.extra) params.set(q.extra[0], q.extra[1])
  if (q.account !== undefined && path === '/_emulator/reset') params.set('account', q.account)
  const qs = params.toString()
  const headers: Record<string, string> = {}
  if (type !== undefined) headers['content-type'] = type
  if (auth !== undefined) headers.authorization = `Bearer ${auth}`
  return { method, url: path + (qs ? `?${qs}` : ''), headers, payload }
}

async function fire (t: any, app: FastifyInstance, shot: Shot): Promise<boolean> {
  const before = (await app.inject({ url: '/_emulator/export' })).body
  const res = await app.inject({ method: shot.method as 'GET', url: shot.url, headers: shot.headers, ...(shot.payload !== undefined ? { payload: shot.payload } : {}) })
  const where = `${shot.method} ${shot.url.slice(0, 120)} [${shot.headers['content-type'] ?? 'no type'}] → ${res.statusCode}: ${res.body.slice(0, 200)}`
  if (res.statusCode >= 500 && res.statusCode !== 501) { t.fail(`a 5xx: ${where}`); return false }
  let parsed: any
  try { parsed = JSON.parse(res.body) } catch { t.fail(`not JSON: ${where}`); return false }
  if (res.statusCode >= 400) {
    const e = parsed?.error
    const ok = e && e.code === res.statusCode && typeof e.message === 'string' && e.message !== '' && CANONICAL.has(e.status) &&
      Array.isArray(e.errors) && e.errors.length === 1 && typeof e.errors[0].reason === 'string'
    if (!ok) { t.fail(`not Google's envelope: ${where}`); return false }
    if (res.statusCode === 501 && e.status !== 'UNIMPLEMENTED') { t.fail(`a 501 that is not UNIMPLEMENTED: ${where}`); return false }
    const after = (await app.inject({ url: '/_emulator/export' })).body
    if (after !== before) { t.fail(`a rejected request changed the state: ${where}`); return false }
  }
  return true
}

async function fuzz (t: any, name: string, arbitrary: fc.Arbitrary<Shot>, numRuns: number): Promise<void> {
  const app = await build(t, {})
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: FIXTURE })
  let shots = 0
  await fc.assert(fc.asyncProperty(arbitrary, async shot => {
    // Every shot starts from the same state.
    await app.inject({ method: 'POST', url: '/_emulator/import', payload: FIXTURE })
    shots++
    return await fire(t, app, shot)
  }), {
    numRuns,
    // A short report: the shrunk request, cut to a readable size, and the seed to replay it.
    reporter: details => {
      if (!details.failed) return
      const shot = details.counterexample?.[0] as Shot | undefined
      const text = shot ? `${shot.method} ${shot.url} ${JSON.stringify(shot.headers)} ${(shot.payload ?? '').slice(0, 300)}` : 'no counterexample'
      throw new Error(`${name}: property failed (seed ${details.seed}, path ${details.counterexamplePath ?? ''}): ${text}`)
    }
  })
  const health = await app.inject({ url: '/_emulator/health' })
  t.equal(health.statusCode, 200, `${name}: healthy after ${shots} hostile requests`)
}

t.test('random bodies, masks, content types and tokens on every mutating route', async t => {
  await fuzz(t, 'bodies', fc.tuple(fc.constantFrom(...ROUTES), query, body, contentType, token).map(([route, q, b, type, auth]) => shotOf(route, q, b, type, auth)), 600)
})

t.test('well-formed JSON of the wrong shape', async t => {
  await fuzz(t, 'shapes', fc.tuple(fc.constantFrom(...ROUTES), query, bodyObject).map(([route, q, b]) => shotOf(route, q, JSON.stringify(b), 'application/json', 'fuzz')), 600)
})

t.test('bad resource names in the path', async t => {
  const path = fc.tuple(fc.constantFrom(...ROUTES.filter(([, p]) => p.startsWith('/v1/people/c') || p.startsWith('/v1/contactGroups/'))), nasty).map(([[method, p], name]) => {
    // Every byte percent-encoded: lone surrogates and all.
    const encoded = [...Buffer.from(name, 'utf8')].map(b => '%' + b.toString(16).padStart(2, '0')).join('')
    return [method, p.replace(/c1234567890|1a2b3c4d5e6f7a8/, encoded)] as [string, string]
  })
  await fuzz(t, 'paths', fc.tuple(path, query).map(([route, q]) => shotOf(route, q, '{}', 'application/json', 'fuzz')), 300)
})

t.test('wrong HTTP methods on every route', async t => {
  const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD')
  await fuzz(t, 'methods', fc.tuple(fc.constantFrom(...ROUTES), methods).filter(([[m], method]) => m !== method && method !== 'HEAD').map(([[, p], method]) => shotOf([method, p], {}, '{}', 'application/json', 'fuzz')), 150)
})

t.test('an oversized body is a 413 envelope and changes nothing', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: FIXTURE })
  const huge = 'a'.repeat(11 * 1024 * 1024)
  for (const [method, path] of ROUTES) {
    t.ok(await fire(t, app, { method, url: path, headers: { authorization: 'Bearer fuzz', 'content-type': 'application/json' }, payload: huge }), `${method} ${path}`)
  }
})
