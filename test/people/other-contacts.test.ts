/** otherContacts.list, search and copyOtherContactToMyContactsGroup (FIDELITY.md: other contacts). */
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, body, build } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { apiError } from '../helpers/people.js'
import { assertConforms } from '../helpers/schema.js'

const OTHER_SCOPE = 'https://www.googleapis.com/auth/contacts.other.readonly'
const CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts'
const READONLY_SCOPE = 'https://www.googleapis.com/auth/contacts.readonly'

function person (given: string, email: string, phone?: string): Record<string, unknown> {
  const p: Record<string, unknown> = { names: [{ givenName: given }], emailAddresses: [{ value: email }] }
  if (phone !== undefined) p.phoneNumbers = [{ value: phone }]
  return p
}

const OTHERS = [
  person('Bob', 'bob@example.org', '+1 650 555 0199'),
  { emailAddresses: [{ value: 'newsletter@example.net' }] },
  { ...person('Carol Ann', 'carol@example.org'), birthdays: [{ date: { year: 1990, month: 2, day: 3 } }] }
]

async function withOthers (t: any, others: unknown[] = OTHERS, config = {}, options = {}): Promise<FastifyInstance> {
  const app = await build(t, config, options)
  const res = await app.inject({
    method: 'POST',
    url: '/_emulator/import',
    payload: {
      accounts: [
        { id: 'alice', tokens: [{ token: 'alice' }, { token: 'alice-other', scopes: [OTHER_SCOPE] }, { token: 'alice-contacts', scopes: [CONTACTS_SCOPE] }, { token: 'alice-ro', scopes: [READONLY_SCOPE] }], otherContacts: others },
        { id: 'bob', tokens: [{ token: 'bob' }] }
      ]
    }
  })
  t.equal(res.statusCode, 200, res.body)
  return app
}

async function get (t: any, app: FastifyInstance, url: string, token = 'alice', schema: 'ListOtherContactsResponse' | 'SearchResponse' = 'ListOtherContactsResponse'): Promise<any> {
  const res = await app.inject({ url, headers: bearer(token) })
  t.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`)
  assertConforms(t, schema, body(res))
  return body(res)
}

async function fails (app: FastifyInstance, url: string, token = 'alice'): Promise<any> {
  return body(await app.inject({ url, headers: bearer(token) }))
}

const names = (page: any): string[] => (page.otherContacts ?? []).map((p: any) => p.emailAddresses?.[0]?.value)

t.test('list: readMask required; CONTACT alone allows five paths, CONTACT and PROFILE any; PROFILE alone is a 400', async t => {
  const app = await withOthers(t)
  t.same(await fails(app, '/v1/otherContacts'), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'readMask mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/otherContacts/list.'))
  t.same(await fails(app, '/v1/otherContacts?readMask=birthdays'), apiError(400, 'INVALID_ARGUMENT', 'badRequest',
    'Invalid readMask mask path: "birthdays". With sources READ_SOURCE_TYPE_CONTACT alone, other contacts show only some fields (add READ_SOURCE_TYPE_PROFILE for the others). Valid paths are: emailAddresses, metadata, names, phoneNumbers, photos.'))
  t.same(await fails(app, '/v1/otherContacts?readMask=names&sources=READ_SOURCE_TYPE_PROFILE'), apiError(400, 'INVALID_ARGUMENT', 'badRequest',
    'Invalid sources: READ_SOURCE_TYPE_PROFILE. Other contacts take READ_SOURCE_TYPE_CONTACT, or READ_SOURCE_TYPE_CONTACT and READ_SOURCE_TYPE_PROFILE.'))
  t.same((await fails(app, '/v1/otherContacts?readMask=names&sources=READ_SOURCE_TYPE_CONTACT&sources=READ_SOURCE_TYPE_DOMAIN_CONTACT')).error.status, 'INVALID_ARGUMENT')
  const withProfile = await get(t, app, '/v1/otherContacts?readMask=names,birthdays&sources=READ_SOURCE_TYPE_CONTACT&sources=READ_SOURCE_TYPE_PROFILE')
  t.same(withProfile.otherContacts[2].birthdays[0].date, { year: 1990, month: 2, day: 3 })
  const all = await get(t, app, '/v1/otherContacts?readMask=names,emailAddresses,phoneNumbers,photos,metadata')
  t.equal(all.totalSize, 3)
  t.same(names(all), ['bob@example.org', 'newsletter@example.net', 'carol@example.org'], 'in the order they were stored')
  const bob = all.otherContacts[0]
  t.match(bob.resourceName, /^otherContacts\/c[1-9]\d*$/)
  t.match(bob.etag, /^%/)
  t.equal(bob.metadata.sources[0].type, 'OTHER_CONTACT')
  t.equal(bob.metadata.objectType, 'PERSON')
  t.same(bob.names[0].metadata, { primary: true, sourcePrimary: true, source: { type: 'OTHER_CONTACT', id: bob.metadata.sources[0].id } })
  t.equal(bob.names[0].displayName, 'Bob')
  t.equal(bob.phoneNumbers[0].canonicalForm, '+16505550199')
  t.equal(bob.photos[0].default, true)
  t.notOk('birthdays' in all.otherContacts[2], 'only fields of the read mask')
  t.same(Object.keys(all.otherContacts[1]).sort(), ['emailAddresses', 'etag', 'metadata', 'photos', 'resourceName'], 'empty fields are left out')
})

t.test('list: pageSize 1 to 1000, default 100; page tokens bound to the parameters', async t => {
  const many = Array.from({ length: 150 }, (_, i) => person(`P${i}`, `p${String(i).padStart(3, '0')}@example.org`))
  const app = await withOthers(t, many)
  const first = await get(t, app, '/v1/otherContacts?readMask=emailAddresses')
  t.equal(first.otherContacts.length, 100)
  t.equal(first.totalSize, 150)
  const second = await get(t, app, `/v1/otherContacts?readMask=emailAddresses&pageToken=${first.nextPageToken as string}`)
  t.equal(second.otherContacts.length, 50)
  t.notOk(second.nextPageToken)
  t.same([...names(first), ...names(second)], many.map(p => (p.emailAddresses as any)[0].value), 'every one once, in order')
  t.same(await fails(app, `/v1/otherContacts?readMask=names&pageToken=${first.nextPageToken as string}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Page token is invalid or was issued for a request with different parameters.'))
  t.same(await fails(app, '/v1/otherContacts?readMask=names&pageSize=1001'), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'pageSize must be between 1 and 1000.'))
  let token: string | undefined
  let seen = 0
  do {
    const page = await get(t, app, `/v1/otherContacts?readMask=names&pageSize=7${token ? `&pageToken=${token}` : ''}`)
    seen += page.otherContacts.length
    token = page.nextPageToken
  } while (token !== undefined)
  t.equal(seen, 150)
})

t.test('list: sync tokens list what changed since, removed ones as tombstones; expiry after 7 days; bound to readMask and sources', async t => {
  const clock = manualClock()
  const app = await withOthers(t, OTHERS, {}, { clock })
  const full = await get(t, app, '/v1/otherContacts?readMask=names,emailAddresses&requestSyncToken=true&pageSize=2')
  t.notOk(full.nextSyncToken, 'the sync token comes with the last page only')
  const last = await get(t, app, `/v1/otherContacts?readMask=names,emailAddresses&requestSyncToken=true&pageSize=2&pageToken=${full.nextPageToken as string}`)
  const sync = last.nextSyncToken as string
  t.ok(sync)
  const unchanged = await get(t, app, `/v1/otherContacts?readMask=names,emailAddresses&syncToken=${sync}`)
  t.same(Object.keys(unchanged), ['nextSyncToken'], 'nothing changed')

  const added = await app.inject({ method: 'POST', url: '/_emulator/accounts/alice/otherContacts', payload: person('Dave', 'dave@example.org') })
  t.equal(added.statusCode, 200, added.body)
  t.match(body(added).resourceName, /^otherContacts\/c\d+$/)
  const bobName = full.otherContacts[0].resourceName as string
  const removed = await app.inject({ method: 'DELETE', url: `/_emulator/accounts/alice/${bobName}`, headers: { 'x-requested-with': 'test' } })
  t.equal(removed.statusCode, 200, removed.body)
  const changes = await get(t, app, `/v1/otherContacts?readMask=names,emailAddresses&syncToken=${sync}`)
  t.equal(changes.otherContacts.length, 2)
  t.equal(changes.otherContacts[0].names[0].givenName, 'Dave')
  t.same(changes.otherContacts[1], { resourceName: bobName, metadata: { sources: [{ type: 'OTHER_CONTACT', id: full.otherContacts[0].metadata?.sources?.[0]?.id ?? changes.otherContacts[1].metadata.sources[0].id }], deleted: true } })
  t.equal(changes.totalSize, 2)
  t.ok(changes.nextSyncToken)
  t.same(names(await get(t, app, '/v1/otherContacts?readMask=emailAddresses')), ['newsletter@example.net', 'carol@example.org', 'dave@example.org'])

  t.same(await fails(app, `/v1/otherContacts?readMask=names&syncToken=${sync}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest',
    'Sync token was issued for a request with different parameters: readMask and sources must match the request that asked for it.'))
  clock.advanceMs(7 * 24 * 3600 * 1000 + 1000)
  const expired = await fails(app, `/v1/otherContacts?readMask=names,emailAddresses&syncToken=${changes.nextSyncToken as string}`)
  t.equal(expired.error.status, 'FAILED_PRECONDITION')
  t.equal(expired.error.message, 'Sync token is expired. Clear local cache and retry call without the sync token.')
  t.equal(expired.error.details[0].reason, 'EXPIRED_SYNC_TOKEN')
  // The tombstone is pruned once no valid token can need it.
  app.pruneTombstones()
  t.equal(app.db.prepare('SELECT count(*) FROM other_contacts WHERE deleted = 1').pluck().get(), 0)
})

t.test('list: a sync token outlives no reset of its account', async t => {
  const app = await withOthers(t)
  const sync = (await get(t, app, '/v1/otherContacts?readMask=names&requestSyncToken=true')).nextSyncToken as string
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'alice', tokens: [{ token: 'alice' }], otherContacts: OTHERS }] } })
  t.equal((await fails(app, `/v1/otherContacts?readMask=names&syncToken=${sync}`)).error.status, 'FAILED_PRECONDITION')
})

t.test('list and search: scope contacts.other.readonly; other accounts see none of it', async t => {
  const app = await withOthers(t)
  await get(t, app, '/v1/otherContacts?readMask=names', 'alice-other')
  for (const token of ['alice-contacts', 'alice-ro']) {
    const res = await app.inject({ url: '/v1/otherContacts?readMask=names', headers: bearer(token) })
    t.equal(res.statusCode, 403, token)
    t.equal(body(res).error.details[0].metadata.method, 'google.people.v1.OtherContactsService.ListOtherContacts')
    const search = await app.inject({ url: '/v1/otherContacts:search?query=bob&readMask=names', headers: bearer(token) })
    t.equal(search.statusCode, 403, token)
  }
  t.same(await get(t, app, '/v1/otherContacts?readMask=names', 'bob'), {})
  t.same(await get(t, app, '/v1/otherContacts:search?query=bob&readMask=names', 'bob', 'SearchResponse'), {})
  t.same(await get(t, app, '/v1/otherContacts?readMask=names', 'never-seen'), {}, 'an undeclared token lists nothing, without a fixture')
})

t.test('search: readMask of four paths; prefix matching as searchContacts; the warm-up; default 10, capped at 30', async t => {
  const many = Array.from({ length: 40 }, (_, i) => person(`Member${i}`, `m${i}@club.example`))
  const app = await withOthers(t, [...OTHERS, ...many])
  t.same(await fails(app, '/v1/otherContacts:search?query=bob'), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'readMask mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/otherContacts/search.'))
  t.same(await fails(app, '/v1/otherContacts:search?query=bob&readMask=photos'), apiError(400, 'INVALID_ARGUMENT', 'badRequest',
    'Invalid readMask mask path: "photos". Searches of other contacts show only some fields. Valid paths are: emailAddresses, metadata, names, phoneNumbers.'))
  const found = async (query: string): Promise<string[]> =>
    ((await get(t, app, `/v1/otherContacts:search?query=${encodeURIComponent(query)}&readMask=emailAddresses`, 'alice', 'SearchResponse')).results ?? []).map((r: any) => r.person.emailAddresses[0].value)
  t.same(await found('bo'), ['bob@example.org'], 'a prefix of a name')
  t.same(await found('BOB'), ['bob@example.org'], 'case does not count')
  t.same(await found('ob'), [], 'not the middle of a word')
  t.same(await found('newsl'), ['newsletter@example.net'], 'a prefix of an email address')
  t.same(await found('carol an'), ['carol@example.org'], 'a phrase, its last word a prefix')
  t.same(await found('ann carol'), [], 'words in order')
  t.same(await found('1650555'), ['bob@example.org'], 'phone digits')
  t.same(await found('650 555'), ['bob@example.org'], 'phone words')
  t.same(await get(t, app, '/v1/otherContacts:search?query=&readMask=names', 'alice', 'SearchResponse'), {}, 'the warm-up request answers nothing')
  const search = await get(t, app, '/v1/otherContacts:search?query=member&readMask=names', 'alice', 'SearchResponse')
  t.equal(search.results.length, 10, 'default 10')
  t.equal((await get(t, app, '/v1/otherContacts:search?query=member&readMask=names&pageSize=50', 'alice', 'SearchResponse')).results.length, 30, 'capped at 30')
  t.same(await fails(app, '/v1/otherContacts:search?query=member&readMask=names&pageSize=-1'), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'pageSize must not be negative.'))
})

async function copy (app: FastifyInstance, resourceName: string, payload: unknown, token = 'alice'): Promise<any> {
  return await app.inject({ method: 'POST', url: `/v1/${resourceName}:copyOtherContactToMyContactsGroup`, headers: bearer(token), payload: payload as any })
}

t.test('copy: a new contact in myContacts with the copied fields only; the other contact stays', async t => {
  const app = await withOthers(t)
  const sync = (await app.inject({ url: '/v1/people/me/connections?personFields=names&requestSyncToken=true', headers: bearer('alice') }).then(body)).nextSyncToken as string
  const carol = (await get(t, app, '/v1/otherContacts?readMask=names')).otherContacts[2].resourceName as string
  const res = await copy(app, carol, { copyMask: 'names,emailAddresses' })
  t.equal(res.statusCode, 200, res.body)
  const contact = body(res)
  assertConforms(t, 'Person', contact)
  t.match(contact.resourceName, /^people\/c\d+$/)
  t.same(Object.keys(contact).sort(), ['emailAddresses', 'etag', 'memberships', 'metadata', 'names', 'resourceName'], 'the read mask defaults to the copy mask, metadata and memberships')
  t.equal(contact.names[0].givenName, 'Carol Ann')
  t.equal(contact.metadata.sources[0].type, 'CONTACT')
  t.equal(contact.memberships[0].contactGroupMembership.contactGroupResourceName, 'contactGroups/myContacts')
  const stored = body(await app.inject({ url: `/v1/${contact.resourceName as string}?personFields=names,emailAddresses,birthdays,phoneNumbers`, headers: bearer('alice') }))
  t.notOk('birthdays' in stored, 'fields outside the copy mask are not copied')
  t.equal((await get(t, app, '/v1/otherContacts?readMask=names')).totalSize, 3, 'the other contact stays')
  const myContacts = body(await app.inject({ url: '/v1/contactGroups/myContacts', headers: bearer('alice') }))
  t.equal(myContacts.memberCount, 1, 'counted in the group')
  const changes = body(await app.inject({ url: `/v1/people/me/connections?personFields=names&syncToken=${sync}`, headers: bearer('alice') }))
  t.same(changes.connections.map((p: any) => p.resourceName), [contact.resourceName], 'in the next connections sync')
  const withMask = body(await copy(app, carol, { copyMask: 'phoneNumbers', readMask: 'names,phoneNumbers' }))
  t.same(Object.keys(withMask).sort(), ['etag', 'resourceName'], 'a copy of fields the other contact lacks is an empty contact')
  const onlyOther = await copy(app, carol, { copyMask: 'emailAddresses' }, 'alice-other')
  t.equal(onlyOther.statusCode, 200, 'contacts.other.readonly is enough')
})

t.test('copy: copyMask required and restricted; resource names; not found; scopes', async t => {
  const app = await withOthers(t)
  const bob = (await get(t, app, '/v1/otherContacts?readMask=names')).otherContacts[0].resourceName as string
  t.same(body(await copy(app, bob, {})), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'copyMask is required. Please specify one or more valid paths.'))
  t.same(body(await copy(app, bob, { copyMask: 'birthdays' })), apiError(400, 'INVALID_ARGUMENT', 'badRequest',
    'Invalid copyMask mask path: "birthdays". Valid paths are documented at https://developers.google.com/people/api/rest/v1/otherContacts/copyOtherContactToMyContactsGroup.'))
  t.same(body(await copy(app, bob, { copyMask: 'names', bogus: 1 })).error.status, 'INVALID_ARGUMENT', 'unknown body fields are refused')
  t.same(body(await copy(app, 'otherContacts/x1', { copyMask: 'names' })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Resource name "otherContacts/x1" is not a valid other contact resource.'))
  t.same(body(await copy(app, 'otherContacts/c1', { copyMask: 'names' })), apiError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.'))
  t.equal((await copy(app, bob, { copyMask: 'names' }, 'bob')).statusCode, 404, 'another account\'s other contact is not found')
  t.equal((await copy(app, bob, { copyMask: 'names' }, 'alice-ro')).statusCode, 403)
  t.equal(app.contacts.count('alice'), 0, 'nothing was created')
})

t.test('fixtures: other contacts are checked whole, with the path of the first problem', async t => {
  const app = await build(t)
  const cases: Array<[unknown, string]> = [
    [[{ resourceName: 'people/c1' }], 'accounts[0].otherContacts[0].resourceName: "people/c1" is not an other contact resource name (otherContacts/c followed by a decimal number)'],
    [[{ resourceName: 'otherContacts/c7' }, { resourceName: 'otherContacts/c7' }], 'accounts[0].otherContacts[1].resourceName: "otherContacts/c7" is declared twice'],
    [[{ names: 'x' }], 'accounts[0].otherContacts[0].names'],
    [[{ metadata: { sources: [{ type: 'OTHER_CONTACT', etag: 'nope' }] } }], 'accounts[0].otherContacts[0].metadata.sources[0].etag: expected a source etag']
  ]
  for (const [otherContacts, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'a', otherContacts }] } })
    t.equal(res.statusCode, 400)
    t.match(body(res).error.message, `Invalid fixture document: ${message}`)
  }
  const kept = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'a', tokens: [{ token: 'a' }], otherContacts: [{ resourceName: 'otherContacts/c12345', etag: '%x', metadata: { sources: [{ type: 'OTHER_CONTACT', etag: '#AAAAAAAAAAE=', updateTime: '2025-05-05T05:05:05.000005Z' }] }, names: [{ givenName: 'Kept' }] }] }] } })
  t.equal(kept.statusCode, 200, kept.body)
  const listed = body(await app.inject({ url: '/v1/otherContacts?readMask=names,metadata', headers: bearer('a') })).otherContacts[0]
  t.equal(listed.resourceName, 'otherContacts/c12345')
  t.same(listed.metadata.sources[0], { type: 'OTHER_CONTACT', id: '3039', etag: '#AAAAAAAAAAE=', updateTime: '2025-05-05T05:05:05.000005Z' })
})

t.test('the control plane adds and removes other contacts: clear errors, nothing half-done', async t => {
  const app = await withOthers(t)
  const post = async (url: string, payload: unknown): Promise<any> => await app.inject({ method: 'POST', url, payload: payload as any })
  t.equal((await post('/_emulator/accounts/nobody/otherContacts', person('X', 'x@example.org'))).statusCode, 404)
  const bad = await post('/_emulator/accounts/alice/otherContacts', { names: 'x' })
  t.equal(bad.statusCode, 400)
  t.match(body(bad).error.message, /^Invalid person: person\.names/)
  const first = await post('/_emulator/accounts/alice/otherContacts', { resourceName: 'otherContacts/c99', names: [{ givenName: 'Ninety' }] })
  t.equal(first.statusCode, 200)
  t.equal((await post('/_emulator/accounts/alice/otherContacts', { resourceName: 'otherContacts/c99' })).statusCode, 409)
  const del = async (url: string): Promise<number> => (await app.inject({ method: 'DELETE', url, headers: { 'x-requested-with': 'test' } })).statusCode
  t.equal(await del('/_emulator/accounts/alice/otherContacts/c98'), 404)
  t.equal(await del('/_emulator/accounts/alice/otherContacts/nonsense'), 404)
  t.equal(await del('/_emulator/accounts/alice/otherContacts/c99'), 200)
  t.equal(await del('/_emulator/accounts/alice/otherContacts/c99'), 404, 'removed once')
  t.equal((await post('/_emulator/accounts/alice/otherContacts', { resourceName: 'otherContacts/c99', names: [{ givenName: 'Back' }] })).statusCode, 200, 'a removed one may come back')
  t.equal((await get(t, app, '/v1/otherContacts?readMask=names')).totalSize, 4)
})

t.test('an account holds at most 25,000 other contacts: in a fixture and through the control plane', async t => {
  const app = await build(t)
  const many = (n: number): unknown[] => Array.from({ length: n }, (_, i) => ({ emailAddresses: [{ value: `p${i}@example.org` }] }))
  const over = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'full', otherContacts: many(25001) }] } })
  t.same(body(over), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Invalid fixture document: accounts[0].otherContacts: at most 25000 may be declared'))
  const full = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'full', tokens: [{ token: 'full' }], otherContacts: many(25000) }] } })
  t.equal(full.statusCode, 200, full.body.slice(0, 300))
  const added = await app.inject({ method: 'POST', url: '/_emulator/accounts/full/otherContacts', payload: { names: [{ givenName: 'One more' }] } })
  t.same(body(added), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Account "full" already holds 25000 other contacts, the most it may hold.'))
  t.equal((await get(t, app, '/v1/otherContacts?readMask=names&pageSize=1', 'full')).totalSize, 25000, 'nothing was added')
})
