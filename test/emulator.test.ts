import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { body, build, CONTACTS_READONLY } from './helpers/app.js'

const fixture = {
  accounts: [{
    id: 'alice',
    tokens: [{ token: 'alice-token' }, { token: 'alice-ro', scopes: [CONTACTS_READONLY] }],
    contactGroups: [{ resourceName: 'contactGroups/1a2b3c4d5e6f7a8', name: 'Book club', clientData: [{ key: 'k', value: 'v' }] }],
    people: [{
      resourceName: 'people/c1234567890',
      names: [{ givenName: 'Ada', familyName: 'Lovelace' }],
      memberships: [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/1a2b3c4d5e6f7a8' } }]
    }, {
      emailAddresses: [{ value: 'charles@example.com', type: 'work' }]
    }]
  }]
}

function fixtureFile (doc: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pae-')), 'fixtures.json')
  writeFileSync(file, JSON.stringify(doc))
  return file
}

t.test('health', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/_emulator/health' })
  t.equal(res.statusCode, 200)
  t.same(body(res), { status: 'ok' })
})

t.test('export shows fixtures as the API shows people and groups, without field metadata', async t => {
  const app = await build(t, { fixtures: fixtureFile(fixture) })
  const doc = body(await app.inject({ url: '/_emulator/export' }))
  t.equal(doc.accounts.length, 1)
  const alice = doc.accounts[0]
  t.same(alice.tokens, fixture.accounts[0]!.tokens)
  t.equal(alice.contactGroups.length, 1)
  t.match(alice.contactGroups[0], { resourceName: 'contactGroups/1a2b3c4d5e6f7a8', name: 'Book club', clientData: [{ key: 'k', value: 'v' }] })
  t.match(alice.contactGroups[0].etag, /^[A-Za-z0-9+/]{11}=$/)
  t.match(alice.contactGroups[0].metadata.updateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
  const [ada, charles] = alice.people
  t.equal(ada.resourceName, 'people/c1234567890')
  t.same(ada.metadata.sources[0].type, 'CONTACT')
  t.equal(ada.metadata.sources[0].id, (1234567890).toString(16))
  t.match(ada.metadata.sources[0].etag, /^#[A-Za-z0-9+/]{11}=$/)
  t.same(ada.names, [{ givenName: 'Ada', familyName: 'Lovelace', displayName: 'Ada Lovelace', displayNameLastFirst: 'Lovelace, Ada' }], 'items without their field metadata (output only, the same for every item)')
  t.same(ada.memberships, [{ contactGroupMembership: { contactGroupId: '1a2b3c4d5e6f7a8', contactGroupResourceName: 'contactGroups/1a2b3c4d5e6f7a8' } }])
  t.match(charles.resourceName, /^people\/c\d+$/, 'a resource name is generated when absent')
  t.same(charles.memberships.map((m: any) => m.contactGroupMembership.contactGroupResourceName), ['contactGroups/myContacts'], 'a contact without memberships is in myContacts')
})

t.test('export → reset → import reproduces the same names, etags and update times', async t => {
  const app = await build(t)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: fixture })).statusCode, 200)
  await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: { authorization: 'Bearer walk-in' }, payload: { contactGroup: { name: 'Walk-ins' } } })
  const before = (await app.inject({ url: '/_emulator/export' })).body
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })).statusCode, 200)
  t.same(body(await app.inject({ url: '/_emulator/export' })), { accounts: [] }, 'reset without start fixtures empties the emulator')
  const imported = await app.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: before })
  t.equal(imported.statusCode, 200)
  t.same(body(imported), { accounts: ['alice', 'walk-in'] })
  t.equal((await app.inject({ url: '/_emulator/export' })).body, before)
})

t.test('reset goes back to the fixtures loaded at start', async t => {
  const app = await build(t, { fixtures: fixtureFile(fixture) })
  const start = (await app.inject({ url: '/_emulator/export' })).body
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'alice' }, { id: 'bob' }] } })
  await app.inject({ url: '/v1/contactGroups', headers: { authorization: 'Bearer walk-in' } })
  t.not((await app.inject({ url: '/_emulator/export' })).body, start)
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })
  t.equal((await app.inject({ url: '/_emulator/export' })).body, start)
})

t.test('reset ?account=ID touches only that account', async t => {
  const app = await build(t, { fixtures: fixtureFile(fixture) })
  const start = body(await app.inject({ url: '/_emulator/export' }))
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'alice' }, { id: 'bob', tokens: [{ token: 'bob' }] }] } })
  await app.inject({ method: 'POST', url: '/_emulator/reset?account=alice', headers: { 'content-type': 'application/json' } })
  const after = body(await app.inject({ url: '/_emulator/export' }))
  t.same(after.accounts[0], start.accounts[0], 'alice is back to her fixture')
  t.same(after.accounts[1], { id: 'bob', tokens: [{ token: 'bob' }] }, 'bob is untouched')
  await app.inject({ method: 'POST', url: '/_emulator/reset?account=bob', headers: { 'content-type': 'application/json' } })
  t.same(body(await app.inject({ url: '/_emulator/export' })).accounts.map((a: any) => a.id), ['alice'], 'an account without fixtures is removed')
  const missing = await app.inject({ method: 'POST', url: '/_emulator/reset?account=nobody', headers: { 'content-type': 'application/json' } })
  t.equal(missing.statusCode, 404)
  t.equal(body(missing).error.message, 'Account "nobody" was not found.')
})

t.test('import replaces only the accounts it names', async t => {
  const app = await build(t, { fixtures: fixtureFile(fixture) })
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'bob', tokens: [{ token: 'bob-token' }] }] } })
  const ids = body(await app.inject({ url: '/_emulator/export' })).accounts.map((a: any) => a.id)
  t.same(ids, ['alice', 'bob'])
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'alice', tokens: [{ token: 'new-alice' }] }] } })
  const alice = body(await app.inject({ url: '/_emulator/export' })).accounts[0]
  t.same(alice, { id: 'alice', tokens: [{ token: 'new-alice' }] }, 'alice was replaced whole')
})

t.test('a token of an account the import does not replace cannot be taken', async t => {
  const app = await build(t, { fixtures: fixtureFile(fixture) })
  const res = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'bob', tokens: [{ token: 'alice-token' }] }] } })
  t.equal(res.statusCode, 400)
  t.equal(body(res).error.message, 'Invalid fixture document: accounts[0].tokens[0].token: token "alice-token" already belongs to account "alice"')
})

t.test('a bad import is rejected whole, naming the JSON path, and nothing changes', async t => {
  const app = await build(t, { fixtures: fixtureFile(fixture) })
  const before = (await app.inject({ url: '/_emulator/export' })).body
  const bad = {
    accounts: [
      { id: 'alice' },
      { id: 'bob', people: [{ names: [{ givenName: 'ok' }] }, { names: [{ givenName: 42 }] }] }
    ]
  }
  const res = await app.inject({ method: 'POST', url: '/_emulator/import', payload: bad })
  t.equal(res.statusCode, 400)
  t.same(body(res).error.message, 'Invalid fixture document: accounts[1].people[1].names[0].givenName: invalid value 42 (expected TYPE_STRING)')
  t.equal((await app.inject({ url: '/_emulator/export' })).body, before)
})

t.test('control-plane routes take only their own query parameters', async t => {
  const app = await build(t)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset?acount=x', headers: { 'content-type': 'application/json' } })).statusCode, 400)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import?account=x', payload: { accounts: [] } })).statusCode, 400)
})

t.test('a bad fixture file at start fails buildApp with its path and the JSON path', async t => {
  await t.rejects(build(t, { fixtures: fixtureFile({ accounts: [{ id: 'a', contactGroups: [{ name: 'x', bogus: 1 }] }] }) }), {
    name: 'FixtureError',
    message: /^fixtures file .*fixtures\.json: accounts\[0\]\.contactGroups\[0\]\.bogus: unknown field "bogus"$/
  })
  await t.rejects(build(t, { fixtures: '/nonexistent/fixtures.json' }), { name: 'FixtureError', message: /^cannot read fixtures file \/nonexistent\/fixtures\.json/ })
  const notJson = join(mkdtempSync(join(tmpdir(), 'pae-')), 'broken.json')
  writeFileSync(notJson, '{"accounts": [')
  await t.rejects(build(t, { fixtures: notJson }), { name: 'FixtureError', message: /is not JSON/ })
})

t.test('an import that brings back a contact version with other data shows the new data', async t => {
  const app = await build(t)
  const doc = (givenName: string): unknown => ({ accounts: [{ id: 'a', tokens: [{ token: 'a' }], people: [{ resourceName: 'people/c77', names: [{ givenName }], metadata: { sources: [{ type: 'CONTACT', etag: '#AAAAAAAAAAA=', updateTime: '2026-01-01T00:00:00.000000Z' }] } }] }] })
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: doc('First') as Record<string, unknown> })
  t.equal(body(await app.inject({ url: '/v1/people/c77?personFields=names', headers: { authorization: 'Bearer a' } })).names[0].givenName, 'First')
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: doc('Second') as Record<string, unknown> })
  t.equal(body(await app.inject({ url: '/v1/people/c77?personFields=names', headers: { authorization: 'Bearer a' } })).names[0].givenName, 'Second')
})
