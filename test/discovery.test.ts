import t from 'tap'
import { readFileSync } from 'node:fs'
import { methods } from '../src/generated/discovery.js'
import { RPC_NAMES } from '../src/discovery/rpc-names.js'
import { generate, generateTypebox, outputFile, typeboxFile } from '../scripts/generate.js'
import { contractFile, generateContract } from '../scripts/generate-contract.js'
import { implementations, routePath, unimplementedHandler } from '../routes/v1/index.js'
import { bearer, body, build } from './helpers/app.js'

t.test('the generated file is up to date with spec/people-v1.discovery.json', async t => {
  t.equal(readFileSync(outputFile, 'utf8'), generate(), 'run `npm run generate` and commit the result')
  t.equal(readFileSync(typeboxFile, 'utf8'), generateTypebox(), 'run `npm run generate` and commit the result')
  t.equal(readFileSync(contractFile, 'utf8'), generateContract(), 'run `npm run generate` and commit the result')
})

t.test('the discovery document has 24 methods, each with its gRPC name', async t => {
  t.equal(methods.length, 24)
  t.same(methods.map(m => m.id).filter(id => RPC_NAMES[id] === undefined), [])
  t.equal(Object.keys(RPC_NAMES).length, 24)
})

t.test('custom verbs become regex-terminated parameters and an escaped colon', async t => {
  const byId = new Map(methods.map(m => [m.id, m]))
  t.equal(routePath(byId.get('people.people.updateContact')!), '/v1/people/:peopleId(^[^:/]+)::updateContact')
  t.equal(routePath(byId.get('people.people.getBatchGet')!), '/v1/people::batchGet')
  t.equal(routePath(byId.get('people.contactGroups.members.modify')!), '/v1/contactGroups/:contactGroupsId(^[^:/]+)/members::modify')
  t.equal(routePath(byId.get('people.people.connections.list')!), '/v1/people/:peopleId(^[^:/]+)/connections')
})

/** A concrete URL for a method: its flat path with a sample id. */
function sampleUrl (flatPath: string): string {
  return '/' + flatPath.replace(/\{peopleId\}/, 'c1234567890').replace(/\{(\w+)\}/, 'abc123')
}

t.test('every method of the discovery document is routed: 501 UNIMPLEMENTED naming it', async t => {
  // Every method is swapped for nothing but the 501 handler, to see each route answer.
  const app = await build(t, {}, { implementations: Object.fromEntries(Object.keys(implementations).map(id => [id, unimplementedHandler(methods.find(m => m.id === id)!)])) })
  // A token declaring every scope the document names.
  const scopes = [...new Set(methods.flatMap(m => m.scopes))]
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'all', tokens: [{ token: 'all-scopes', scopes }] }] } })
  for (const m of methods) {
    const res = await app.inject({ method: m.httpMethod, url: sampleUrl(m.flatPath), headers: bearer('all-scopes'), ...(m.request ? { payload: {} } : {}) })
    t.equal(res.statusCode, 501, `${m.id} ${m.httpMethod} ${sampleUrl(m.flatPath)}`)
    const message = `Method ${m.id} is not implemented by this emulator. GET /_emulator/fidelity lists what is emulated.`
    t.same(body(res), {
      error: { code: 501, message, errors: [{ message, domain: 'global', reason: 'notImplemented' }], status: 'UNIMPLEMENTED' }
    }, m.id)
  }
})

t.test('methods that need other scopes answer 403 to a token declared with the contacts scope alone', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'c', tokens: [{ token: 'contacts-only', scopes: ['https://www.googleapis.com/auth/contacts'] }] }] } })
  const res = await app.inject({ url: '/v1/otherContacts?readMask=names', headers: bearer('contacts-only') })
  t.equal(res.statusCode, 403)
  t.equal(body(res).error.details[0].metadata.method, 'google.people.v1.OtherContactsService.ListOtherContacts')
  const directory = await app.inject({ url: '/v1/people:listDirectoryPeople?readMask=names&sources=DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE', headers: bearer('contacts-only') })
  t.equal(directory.statusCode, 403)
})

t.test('an undeclared token, and a declared one without scopes, get every scope of the discovery document', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'd', tokens: [{ token: 'declared-no-scopes' }] }] } })
  for (const token of ['undeclared', 'declared-no-scopes']) {
    for (const m of methods) {
      const res = await app.inject({ method: m.httpMethod, url: sampleUrl(m.flatPath), headers: bearer(token), ...(m.request ? { payload: {} } : {}) })
      t.not(res.statusCode, 403, `${token}: ${m.id}`)
    }
  }
})

t.test('a percent-encoded colon before the verb routes the same', async t => {
  const app = await build(t)
  for (const url of ['/v1/people/c1%3AupdateContact', '/v1/people/c1%3aupdateContact']) {
    const res = await app.inject({ method: 'PATCH', url, headers: bearer(), payload: {} })
    t.match(body(res).error.message, /^updatePersonFields mask is required/, url)
  }
  const batch = await app.inject({ url: '/v1/people%3AbatchGet', headers: bearer() })
  t.equal(body(batch).error.message, 'resourceNames is required: specify at least one resource name.')
})

t.test('implemented methods answer themselves, the others 501', async t => {
  const app = await build(t)
  for (const m of methods) {
    const res = await app.inject({ method: m.httpMethod, url: sampleUrl(m.flatPath), headers: bearer(), ...(m.request ? { payload: {} } : {}) })
    if (implementations[m.id]) t.not(res.statusCode, 501, m.id)
    else t.equal(res.statusCode, 501, m.id)
  }
  t.equal(methods.filter(m => implementations[m.id] === undefined).length, 0, 'every method of the discovery document is emulated')
})

t.test('unknown verbs, paths and methods are 404 in the envelope', async t => {
  const app = await build(t)
  for (const [method, url] of [['GET', '/v1/people/c1:frobnicate'], ['GET', '/v1/nothing'], ['GET', '/'], ['POST', '/v1/people/c1'], ['GET', '/v1/people/c1/connections/extra']] as const) {
    const res = await app.inject({ method, url, headers: bearer() })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    const message = `The requested URL ${url} was not found on this server.`
    t.same(body(res), { error: { code: 404, message, errors: [{ message, domain: 'global', reason: 'notFound' }], status: 'NOT_FOUND' } })
  }
})
