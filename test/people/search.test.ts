/** people.searchContacts: prefix phrases, case and accents folded, page size rules. */
import t from 'tap'
import { bearer, body, build } from '../helpers/app.js'
import { apiError, createContact } from '../helpers/people.js'
import { assertConforms } from '../helpers/schema.js'
import { accountSearchKey, ftsQuery, indexedText } from '../../src/people/search.js'

async function search (t: any, app: any, query: string, extra = '', token = 'test-token'): Promise<string[]> {
  const res = await app.inject({ url: `/v1/people:searchContacts?readMask=names&query=${encodeURIComponent(query)}${extra}`, headers: bearer(token) })
  t.equal(res.statusCode, 200, res.body.slice(0, 200))
  assertConforms(t, 'SearchResponse', body(res))
  return (body(res).results ?? []).map((r: any) => r.person.names?.[0]?.givenName ?? r.person.resourceName)
}

t.test('the query becomes one FTS5 phrase with a prefix, every word keyed by the account', async t => {
  const k = accountSearchKey('alice')
  t.match(k, /^k[0-9a-f]{10}$/)
  t.not(accountSearchKey('bob'), k)
  t.equal(ftsQuery('Foo N', 'alice'), `"${k}foo ${k}n"*`)
  t.equal(ftsQuery('  Zoë@Ex  ', 'alice'), `"${k}zoe ${k}ex"*`)
  t.equal(ftsQuery('"; DROP TABLE contacts; --', 'alice'), `"${k}drop ${k}table ${k}contacts"*`, 'quotes and operators are not FTS syntax here')
  t.equal(ftsQuery('   ', 'alice'), undefined)
  t.equal(ftsQuery('*()', 'alice'), undefined)
  t.equal(indexedText('Zoë Ångström zzfieldzz zoe.a@example.com', 'alice'), `${k}zoe ${k}angstrom zzfieldzz ${k}zoe ${k}a ${k}example ${k}com`, 'the field separator carries no key')
})

t.test('prefix phrases of names, nicknames, emails, phones and organizations', async t => {
  const app = await build(t)
  await createContact(t, app, {
    names: [{ givenName: 'Zoë', familyName: 'Ångström' }],
    nicknames: [{ value: 'Zed' }],
    emailAddresses: [{ value: 'zoe.a@example.com' }],
    phoneNumbers: [{ value: '+1 650-253-0000' }],
    organizations: [{ name: 'Analytical Engines Ltd', title: 'Engineer' }]
  })
  await createContact(t, app, { names: [{ givenName: 'Foo', familyName: 'Name' }] })
  for (const q of ['z', 'zo', 'zoe', 'ZOE', 'Zoë', 'zoe ang', 'ångström', 'angstrom', 'zed', 'zoe.a', 'zoe.a@ex', 'example.com', '650', '650 253', '16502530000', 'analytical', 'analytical eng', 'engineer']) {
    t.same(await search(t, app, q), ['Zoë'], q)
  }
  for (const q of ['f', 'fo', 'foo', 'foo n', 'nam', 'FOO NAME']) t.same(await search(t, app, q), ['Foo'], q)
  for (const q of ['oo n', 'oe', 'ngstrom', 'name foo', 'ångström zoe', 'zoe ex', '2530000x']) t.same(await search(t, app, q), [], `${q}: no match`)
})

t.test('a phrase never runs from one field into the next', async t => {
  const app = await build(t)
  await createContact(t, app, { names: [{ givenName: 'Ada', familyName: 'Lovelace' }], emailAddresses: [{ value: 'countess@example.com' }] })
  t.same(await search(t, app, 'lovelace countess'), [])
  t.same(await search(t, app, 'ada lovelace'), ['Ada'])
})

t.test('results are ordered by name, then id; pageSize default 10, capped at 30', async t => {
  const app = await build(t)
  for (let i = 40; i > 0; i--) await createContact(t, app, { names: [{ givenName: `Smith${String(i).padStart(2, '0')}` }] })
  const ten = await search(t, app, 'smith')
  t.same(ten, Array.from({ length: 10 }, (_, i) => `Smith${String(i + 1).padStart(2, '0')}`))
  t.equal((await search(t, app, 'smith', '&pageSize=25')).length, 25)
  t.equal((await search(t, app, 'smith', '&pageSize=500')).length, 30, 'capped at 30')
  const negative = await app.inject({ url: '/v1/people:searchContacts?readMask=names&query=smith&pageSize=-1', headers: bearer() })
  t.same(body(negative), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'pageSize must not be negative.'))
})

t.test('readMask required; an empty query is the warm-up request and finds nothing', async t => {
  const app = await build(t)
  await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const noMask = await app.inject({ url: '/v1/people:searchContacts?query=ada', headers: bearer() })
  t.same(body(noMask), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'readMask mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/searchContacts.'))
  for (const url of ['/v1/people:searchContacts?readMask=names&query=', '/v1/people:searchContacts?readMask=names']) {
    const res = await app.inject({ url, headers: bearer() })
    t.equal(res.statusCode, 200)
    t.same(body(res), {})
  }
})

t.test('search follows updates and deletes, and stays within the account', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  await createContact(t, app, { names: [{ givenName: 'Adalbert' }] }, 'other')
  t.same(await search(t, app, 'ada'), ['Ada'])
  await app.inject({ method: 'PATCH', url: `/v1/${ada.resourceName}:updateContact?updatePersonFields=names`, headers: bearer(), payload: { etag: ada.etag, names: [{ givenName: 'Augusta' }] } })
  t.same(await search(t, app, 'ada'), [])
  t.same(await search(t, app, 'aug'), ['Augusta'])
  await app.inject({ method: 'DELETE', url: `/v1/${ada.resourceName}:deleteContact`, headers: bearer() })
  t.same(await search(t, app, 'aug'), [])
  t.same(await search(t, app, 'ada', '', 'other'), ['Adalbert'])
})

t.test('imported contacts are searchable', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'a', tokens: [{ token: 'a' }], people: [{ names: [{ givenName: 'Imported' }] }] }] } })
  t.same(await search(t, app, 'imp', '', 'a'), ['Imported'])
})

t.test('the field separator is not a word: no query finds it', async t => {
  const app = await build(t)
  await createContact(t, app, { names: [{ givenName: 'Ada' }], emailAddresses: [{ value: 'ada@example.com' }], phoneNumbers: [{ value: '+1 202 555 0100' }] })
  for (const q of ['zz', 'zzf', 'zzfieldzz', 'ZZFIELD', 'ada zz', 'zzfieldzz ada']) t.same(await search(t, app, q), [], `${q}: no match`)
  t.same(await search(t, app, 'ada'), ['Ada'])
})

t.test('an account\'s search reads only its own entries of the index', async t => {
  const app = await build(t)
  const many = Array.from({ length: 300 }, (_, i) => ({ names: [{ givenName: 'Ada', familyName: `Lovelace${i}` }] }))
  for (let i = 0; i < many.length; i += 200) {
    t.equal((await app.inject({ method: 'POST', url: '/v1/people:batchCreateContacts', headers: bearer('busy'), payload: { contacts: many.slice(i, i + 200).map(p => ({ contactPerson: p })), readMask: 'names' } })).statusCode, 200)
  }
  t.same(await search(t, app, 'ada', '', 'empty'), [], 'the empty account finds nothing')
  t.equal((await search(t, app, 'ada', '&pageSize=30', 'busy')).length, 30)
  // What the index itself yields for the empty account's query, before any filter by account:
  // nothing — the other account's 300 "ada" entries are never read for it.
  app.contacts.flushSearchIndex()
  const matches = app.db.prepare('SELECT count(*) AS n FROM contact_search WHERE contact_search MATCH ?').get(ftsQuery('ada', 'empty')) as { n: number }
  t.equal(matches.n, 0)
  const own = app.db.prepare('SELECT count(*) AS n FROM contact_search WHERE contact_search MATCH ?').get(ftsQuery('ada', 'busy')) as { n: number }
  t.equal(own.n, 300)
})
