/**
 * The control-plane reads the web UI shows (routes/ui.ts): the accounts with their counts, one
 * account's groups, other contacts and directory, its contacts a page at a time with a filter;
 * and the UI's pages under the control plane's guard. The pages themselves are driven in a
 * browser by test/ui.process.test.ts.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { bearer, body, build } from './helpers/app.js'
import { createContact } from './helpers/people.js'
import { PERSON_FIELDS } from '../src/people/fields.js'

const example = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/example.json', import.meta.url)), 'utf8'))

t.test('GET /_emulator/accounts: every account with its counts, and the domains', async t => {
  const app = await build(t)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: example })).statusCode, 200)
  await createContact(t, app, { names: [{ givenName: 'Zed' }] }, 'fresh-token')
  const r = body(await app.inject({ url: '/_emulator/accounts' }))
  t.same(r.accounts.map((a: any) => [a.id, a.declared, a.domain, a.tokens, a.contacts, a.contactGroups, a.otherContacts]), [
    ['alice', true, 'example.com', ['alice-token', 'alice-ro'], 2, 9, 2],
    ['bob', true, null, ['bob-token'], 0, 8, 0],
    ['fresh-token', false, null, ['fresh-token'], 1, 8, 0]
  ])
  t.match(r.accounts[0].createdTime, /^\d{4}-\d\d-\d\dT/)
  t.same(r.domains.map((d: any) => [d.domain, d.people]), [['example.com', 3]])
})

t.test('GET /_emulator/accounts/ID: groups with member counts, other contacts and the directory, rendered as the API does', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: example })
  const a = body(await app.inject({ url: '/_emulator/accounts/alice' }))
  t.equal(a.contacts, 2)
  const club = a.contactGroups.find((g: any) => g.name === 'Book club')
  const api = body(await app.inject({ url: `/v1/${club.resourceName as string}?groupFields=clientData,groupType,memberCount,metadata,name`, headers: bearer('alice-token') }))
  t.same(club, api, 'a group as contactGroups.get renders it with every field')
  const mine = body(await app.inject({ url: '/v1/contactGroups/myContacts?groupFields=clientData,groupType,memberCount,metadata,name', headers: bearer('alice-token') }))
  t.same(a.contactGroups.find((g: any) => g.resourceName === 'contactGroups/myContacts'), mine, 'a system group too')
  t.equal(mine.memberCount, 1)
  t.same(a.otherContacts.map((p: any) => p.resourceName.split('/')[0]), ['otherContacts', 'otherContacts'])
  t.equal(a.otherContactsTotal, 2)
  t.same(a.directory.map((p: any) => p.metadata.sources[0].type), ['DOMAIN_PROFILE', 'DOMAIN_PROFILE', 'DOMAIN_CONTACT'])
  t.equal(a.directoryTotal, 3)
  const bob = body(await app.inject({ url: '/_emulator/accounts/bob' }))
  t.equal(bob.directory, undefined, 'a consumer account has no directory')
  t.same(bob.otherContacts, [])
  const missing = await app.inject({ url: '/_emulator/accounts/nobody' })
  t.equal(missing.statusCode, 404)
  t.same(body(missing).error.status, 'NOT_FOUND')
  t.match(body(missing).error.message, 'Account "nobody" was not found.')
})

t.test('GET /_emulator/accounts/ID/contacts: pages by first name, every field, a filter on any text', async t => {
  const app = await build(t)
  const names = ['Grace', 'Ada', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Claude']
  for (const [i, name] of names.entries()) {
    await createContact(t, app, { names: [{ givenName: name }], emailAddresses: [{ value: `${name.toLowerCase()}@example.com` }], phoneNumbers: [{ value: `+1 650 555 01${10 + i}` }] })
  }
  const account = body(await app.inject({ url: '/_emulator/accounts' })).accounts[0].id as string
  const base = `/_emulator/accounts/${account}/contacts`
  const seen: string[] = []
  let token: string | undefined
  let pages = 0
  do {
    const r = body(await app.inject({ url: `${base}?pageSize=3${token === undefined ? '' : `&pageToken=${token}`}` }))
    t.equal(r.total, 7)
    seen.push(...r.contacts.map((p: any) => p.names[0].givenName))
    token = r.nextPageToken
    pages++
  } while (token !== undefined)
  t.same(seen, [...names].sort(), 'every contact once, by first name')
  t.equal(pages, 3)

  const first = body(await app.inject({ url: `${base}?filter=ADA` })).contacts
  t.same(first.map((p: any) => p.names[0].givenName), ['Ada'], 'case-insensitive')
  const api = body(await app.inject({ url: `/v1/${first[0].resourceName as string}?personFields=${PERSON_FIELDS.join(',')}`, headers: bearer() }))
  t.same(first[0], api, 'as people.get renders it with every field')
  t.same(body(await app.inject({ url: `${base}?filter=555 0113` })).contacts.map((p: any) => p.names[0].givenName), ['Barbara'], 'a phone number as written')
  t.same(body(await app.inject({ url: `${base}?filter=${encodeURIComponent(first[0].resourceName)}` })).contacts.length, 1, 'a resource name')
  const filtered = body(await app.inject({ url: `${base}?filter=example.com&pageSize=4` }))
  t.equal(filtered.contacts.length, 4)
  const rest = body(await app.inject({ url: `${base}?filter=example.com&pageSize=4&pageToken=${filtered.nextPageToken as string}` }))
  t.equal(rest.contacts.length, 3)
  t.equal(rest.nextPageToken, undefined)
  t.same(body(await app.inject({ url: `${base}?filter=nobody-matches` })).contacts, [])

  const refused: Array<[string, string]> = [
    ['pageSize=0', 'Invalid pageSize 0: expected a number from 1 to 1000.'],
    ['pageSize=1001', 'Invalid pageSize 1001: expected a number from 1 to 1000.'],
    ['pageSize=ten', 'Invalid pageSize "ten": expected a number from 1 to 1000.'],
    ['pageToken=bm90IGEgY3Vyc29y', 'Page token is invalid or was issued for a request with different parameters.'],
    [`filter=other&pageSize=4&pageToken=${filtered.nextPageToken as string}`, 'Page token is invalid or was issued for a request with different parameters.'],
    ['filter=a&filter=b', 'The parameter "filter" may be given once.']
  ]
  for (const [query, message] of refused) {
    const res = await app.inject({ url: `${base}?${query}` })
    t.equal(res.statusCode, 400, query)
    t.same([body(res).error.status, body(res).error.message], ['INVALID_ARGUMENT', message])
  }
  t.equal((await app.inject({ url: `${base}?sortOrder=x` })).statusCode, 400, 'an unknown parameter')
  t.equal((await app.inject({ url: '/_emulator/accounts/nobody/contacts' })).statusCode, 404)
})

t.test('the UI\'s pages: no control token needed, the control plane\'s host and origin rules kept', async t => {
  const app = await build(t, { controlToken: 'secret' })
  for (const url of ['/_emulator/ui', '/_emulator/ui/', '/_emulator/ui/journal', '/_emulator/ui/faults', '/_emulator/ui/state', '/_emulator/ui/accounts/alice']) {
    const res = await app.inject({ url })
    t.equal(res.statusCode, 200, url)
    t.match(res.headers['content-type'], /^text\/html/)
    t.match(res.body, /<script type="module" src="\/_emulator\/ui\/assets\/app\.js"><\/script>/)
  }
  const css = await app.inject({ url: '/_emulator/ui/assets/app.css' })
  t.equal(css.headers['content-type'], 'text/css; charset=utf-8')
  t.equal(css.headers['x-content-type-options'], 'nosniff')
  t.equal((await app.inject({ url: '/_emulator/ui/assets/app.js?x=1' })).statusCode, 400, 'no unknown parameters')
  for (const name of ['constructor', '__proto__', 'toString', '..%2Fpackage.json', 'app.js.map']) {
    t.equal((await app.inject({ url: `/_emulator/ui/assets/${name}` })).statusCode, 404, `no asset "${name}"`)
  }
  t.equal((await app.inject({ url: '/_emulator/ui/journal?account=alice&method=people.people.get&status=404' })).statusCode, 200, 'the journal\'s filters in its address')
  t.equal((await app.inject({ url: '/_emulator/ui/accounts/alice?filter=ada' })).statusCode, 200, 'a contact filter in the address')
  t.equal((await app.inject({ url: '/_emulator/ui?page=2' })).statusCode, 400, 'an unknown parameter')
  t.equal((await app.inject({ url: '/_emulator/ui', headers: { host: 'attacker.example.com' } })).statusCode, 403, 'a rebinding host is refused')
  t.equal((await app.inject({ url: '/_emulator/ui', headers: { origin: 'http://other.example' } })).statusCode, 403, 'so is another origin')
  t.equal((await app.inject({ url: '/_emulator/accounts' })).statusCode, 401, 'the data needs the token')
  t.equal((await app.inject({ url: '/_emulator/accounts', headers: { authorization: 'Bearer secret' } })).statusCode, 200)
  t.equal((await app.inject({ url: '/_emulator/accounts/alice/contacts', headers: { authorization: 'Bearer secret' } })).statusCode, 404)
})

t.test('a filter that reads a large account lets other requests through between slices', async t => {
  const app = await build(t)
  const people = Array.from({ length: 3000 }, (_, i) => ({ names: [{ givenName: `Given${i}` }] }))
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'big', tokens: [{ token: 'big-token' }], people }] } })).statusCode, 200)
  const order: string[] = []
  const scan = app.inject({ url: '/_emulator/accounts/big/contacts?filter=nobody' }).then(res => { order.push('scan'); return res })
  // Sent once the scan has begun: answered before it ends.
  await new Promise(resolve => setImmediate(resolve))
  const health = app.inject({ url: '/_emulator/health' }).then(res => { order.push('health'); return res })
  const [scanned] = await Promise.all([scan, health])
  t.same(body(scanned).contacts, [])
  t.equal(body(scanned).total, 3000)
  t.same(order, ['health', 'scan'])
})

t.test('the accounts are named as the journal names them: an undeclared account by its token\'s digest', async t => {
  const app = await build(t, {}, { fixturesDocument: { accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }] }] } })
  await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: { authorization: 'Bearer secret-undeclared-token' }, payload: { contactGroup: { name: 'G' } } })
  await app.inject({ url: '/v1/contactGroups', headers: { authorization: 'Bearer alice-token' } })
  const listed = JSON.parse((await app.inject({ url: '/_emulator/accounts' })).body).accounts as Array<{ id: string, name: string }>
  const journal = JSON.parse((await app.inject({ url: '/_emulator/requests' })).body).requests as Array<{ account: string }>
  t.same(listed.map(a => a.name).sort(), [...new Set(journal.map(e => e.account))].sort(), 'the same names')
  t.match(listed.find(a => a.id === 'secret-undeclared-token')?.name, /^token:[0-9a-f]{12}$/)
  t.equal(listed.find(a => a.id === 'alice')?.name, 'alice')
  const one = JSON.parse((await app.inject({ url: '/_emulator/accounts/secret-undeclared-token' })).body)
  t.equal(one.name, listed.find(a => a.id === 'secret-undeclared-token')?.name)
})
