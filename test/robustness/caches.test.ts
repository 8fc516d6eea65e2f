/**
 * No cache ever serves one account's data to another: two accounts that hold the same
 * resource name with the same source etag (an import can make them) each read their own,
 * through every read path and every cache — renderings, the contact cache, the token cache —
 * and two emulators in one process never share a rendering.
 */
import t from 'tap'
import { bearer, body, build } from '../helpers/app.js'
import { RenderCache } from '../../src/people/render.js'

const ETAG = '#AAAAAAAAAAA='
function account (id: string, given: string, phone: string): Record<string, unknown> {
  return {
    id,
    tokens: [{ token: `${id}-token` }],
    people: [{ resourceName: 'people/c77', etag: ETAG, metadata: { sources: [{ type: 'CONTACT', id: '4d', etag: ETAG, updateTime: '2026-01-01T00:00:00.000000Z' }] }, names: [{ givenName: given }], phoneNumbers: [{ value: phone }] }]
  }
}
const DOC = { accounts: [account('alice', 'Alice', '+1 202 555 0101'), account('bob', 'Bob', '+1 202 555 0202')] }

/** Every read path of a contact, as the account's own token sees it: the given names and phone numbers found. */
async function reads (app: Awaited<ReturnType<typeof build>>, token: string): Promise<string[]> {
  const seen: string[] = []
  const note = (person: any): void => { seen.push(`${person.names?.[0]?.givenName as string} ${person.phoneNumbers?.[0]?.value as string}`) }
  for (const pretty of ['true', 'false']) {
    note(body(await app.inject({ url: `/v1/people/c77?personFields=names,phoneNumbers&prettyPrint=${pretty}`, headers: bearer(token) })))
    for (const p of body(await app.inject({ url: `/v1/people/me/connections?personFields=names,phoneNumbers&prettyPrint=${pretty}`, headers: bearer(token) })).connections) note(p)
    for (const r of body(await app.inject({ url: `/v1/people:searchContacts?query=%2B1&readMask=names,phoneNumbers&prettyPrint=${pretty}`, headers: bearer(token) })).results ?? []) note(r.person)
    for (const r of body(await app.inject({ url: `/v1/people:batchGet?resourceNames=people/c77&personFields=names,phoneNumbers&prettyPrint=${pretty}`, headers: bearer(token) })).responses) note(r.person)
  }
  return seen
}

t.test('two accounts with the same contact id and etag each read their own, through every path', async t => {
  const app = await build(t)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: DOC })).statusCode, 200)
  // Alice first warms every cache; then Bob reads; then Alice again.
  const alice = await reads(app, 'alice-token')
  const bob = await reads(app, 'bob-token')
  const aliceAgain = await reads(app, 'alice-token')
  t.equal(alice.length, 8)
  t.same(new Set(alice), new Set(['Alice +1 202 555 0101']))
  t.same(new Set(bob), new Set(['Bob +1 202 555 0202']), 'never Alice\'s data')
  t.same(new Set(aliceAgain), new Set(['Alice +1 202 555 0101']))
  // The person etags are the same (same version, same mask): only the account tells them apart.
  const a = body(await app.inject({ url: '/v1/people/c77?personFields=names', headers: bearer('alice-token') }))
  const b = body(await app.inject({ url: '/v1/people/c77?personFields=names', headers: bearer('bob-token') }))
  t.equal(a.etag, b.etag)
  t.not(a.names[0].givenName, b.names[0].givenName)
})

t.test('an update in one account leaves the other account\'s cached contact as it is', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: DOC })
  await reads(app, 'bob-token')
  const a = body(await app.inject({ url: '/v1/people/c77?personFields=names', headers: bearer('alice-token') }))
  const res = await app.inject({ method: 'PATCH', url: '/v1/people/c77:updateContact?updatePersonFields=names', headers: bearer('alice-token'), payload: { etag: a.etag, names: [{ givenName: 'Alicia' }] } })
  t.equal(res.statusCode, 200)
  t.same(new Set(await reads(app, 'bob-token')), new Set(['Bob +1 202 555 0202']))
  t.same(new Set(await reads(app, 'alice-token')), new Set(['Alicia +1 202 555 0101']))
})

t.test('the token cache follows a token that moves to another account', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: DOC })
  t.same(new Set(await reads(app, 'alice-token')), new Set(['Alice +1 202 555 0101']))
  // Alice is replaced without her token; Bob now holds it.
  const moved = { accounts: [{ id: 'alice' }, { ...account('bob', 'Bob', '+1 202 555 0202'), tokens: [{ token: 'bob-token' }, { token: 'alice-token' }] }] }
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: moved })).statusCode, 200)
  t.same(new Set(await reads(app, 'alice-token')), new Set(['Bob +1 202 555 0202']), 'the token now reads Bob\'s account')
})

t.test('two emulators in one process never share a rendering', async t => {
  const one = await build(t)
  const two = await build(t)
  await one.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [account('alice', 'Alice', '+1 202 555 0101')] } })
  await two.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [account('alice', 'Mallory', '+1 202 555 0303')] } })
  t.same(new Set(await reads(one, 'alice-token')), new Set(['Alice +1 202 555 0101']))
  t.same(new Set(await reads(two, 'alice-token')), new Set(['Mallory +1 202 555 0303']))
  // A reset of one emulator leaves the other's renderings alone (and its own are gone).
  await one.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })
  t.equal(one.renderings.size, 0)
  t.ok(two.renderings.size > 0)
})

t.test('the render cache is bounded per account, in bytes as well as in entries', async t => {
  const cache = new RenderCache(4, 1600)
  for (const key of ['a', 'b', 'c']) cache.set('alice', key, { key }, 90)
  t.equal(cache.size, 3)
  cache.set('alice', 'd', { key: 'd' }, 100)
  cache.set('alice', 'e', { key: 'e' }, 100)
  t.equal(cache.sizeOf('alice'), 4, 'at most 4 entries: the oldest went')
  t.equal(cache.get('alice', 'a'), undefined)
  t.same(cache.get('alice', 'e'), { key: 'e' })
  t.equal(cache.get('bob', 'e'), undefined, "an account never reads another's rendering")
  // Another account filling its own part leaves alice's alone.
  for (const key of ['f', 'g', 'h', 'i', 'j', 'k']) cache.set('bob', key, { key }, 100)
  t.equal(cache.sizeOf('bob'), 4)
  t.equal(cache.sizeOf('alice'), 4, "bob's renderings evict none of alice's")
  t.same(cache.get('alice', 'b'), { key: 'b' })
  t.equal(cache.size, 8)
  cache.set('alice', 'huge', { key: 'huge' }, 101)
  t.equal(cache.get('alice', 'huge'), undefined, 'a rendering over a sixteenth of the bound is not kept')
  cache.clearAccount('bob')
  t.equal(cache.sizeOf('bob'), 0)
  t.equal(cache.size, 4, "clearing one account's renderings leaves the others")
  const bytes = new RenderCache(100, 1600)
  for (let i = 0; i < 40; i++) bytes.set('alice', String(i), {}, 100)
  t.equal(bytes.size, 16, 'at most 1,600 bytes: 16 renderings of 100')
  t.equal(bytes.get('alice', '23'), undefined)
  t.same(bytes.get('alice', '39'), {})
})
