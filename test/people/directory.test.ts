/** people.listDirectoryPeople and people.searchDirectoryPeople (FIDELITY.md: directory). */
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, body, build } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { apiError } from '../helpers/people.js'
import { assertConforms } from '../helpers/schema.js'

const PROFILE = 'DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE'
const CONTACT = 'DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT'
const MERGE = 'DIRECTORY_MERGE_SOURCE_TYPE_CONTACT'
const DIRECTORY_SCOPE = 'https://www.googleapis.com/auth/directory.readonly'

function profile (given: string, family: string, email: string, resourceName?: string): Record<string, unknown> {
  return { ...(resourceName ? { resourceName } : {}), names: [{ givenName: given, familyName: family }], emailAddresses: [{ value: email }] }
}

const DOCUMENT = {
  domains: [
    {
      domain: 'example.com',
      profiles: [profile('Grace', 'Hopper', 'grace@example.com', 'people/112233445566'), profile('Ada', 'Lovelace', 'ada@example.com'), profile('Alan', 'Turing', 'alan@example.com')],
      contacts: [{ names: [{ givenName: 'Front', familyName: 'Desk' }], phoneNumbers: [{ value: '+1 650 555 0100' }] }]
    },
    { domain: 'other.example', profiles: [profile('Olga', 'Other', 'olga@other.example')] }
  ],
  accounts: [
    {
      id: 'alice',
      domain: 'example.com',
      tokens: [{ token: 'alice' }, { token: 'alice-dir', scopes: [DIRECTORY_SCOPE] }, { token: 'alice-contacts', scopes: ['https://www.googleapis.com/auth/contacts'] }],
      people: [{ names: [{ givenName: 'Ada', familyName: 'L.' }], emailAddresses: [{ value: 'ADA@example.com', type: 'work' }], phoneNumbers: [{ value: '+44 20 7946 0000' }] }]
    },
    { id: 'carol', domain: 'example.com', tokens: [{ token: 'carol' }] },
    { id: 'oscar', domain: 'other.example', tokens: [{ token: 'oscar' }] },
    { id: 'bob', tokens: [{ token: 'bob' }] }
  ]
}

async function withDirectory (t: any, doc: unknown = DOCUMENT, options = {}): Promise<FastifyInstance> {
  const app = await build(t, {}, options)
  const res = await app.inject({ method: 'POST', url: '/_emulator/import', payload: doc as any })
  t.equal(res.statusCode, 200, res.body)
  return app
}

type Schema = 'ListDirectoryPeopleResponse' | 'SearchDirectoryPeopleResponse'

async function get (t: any, app: FastifyInstance, url: string, token = 'alice'): Promise<any> {
  const res = await app.inject({ url, headers: bearer(token) })
  t.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`)
  const schema: Schema = url.includes('searchDirectoryPeople') ? 'SearchDirectoryPeopleResponse' : 'ListDirectoryPeopleResponse'
  assertConforms(t, schema, body(res))
  return body(res)
}

async function fails (app: FastifyInstance, url: string, token = 'alice'): Promise<any> {
  return body(await app.inject({ url, headers: bearer(token) }))
}

const LIST = '/v1/people:listDirectoryPeople'
const SEARCH = '/v1/people:searchDirectoryPeople'
const emails = (page: any): string[] => (page.people ?? []).map((p: any) => p.emailAddresses?.[0]?.value ?? p.names?.[0]?.displayName)

t.test('a consumer account gets Google\'s FAILED_PRECONDITION from both methods', async t => {
  const app = await withDirectory(t)
  const expected = apiError(400, 'FAILED_PRECONDITION', 'failedPrecondition', 'Must be a G Suite domain user.')
  t.same(await fails(app, `${LIST}?readMask=names&sources=${PROFILE}`, 'bob'), expected)
  t.same(await fails(app, `${SEARCH}?query=a&readMask=names&sources=${PROFILE}`, 'bob'), expected)
  t.same(await fails(app, `${LIST}?readMask=names&sources=${PROFILE}`, 'a-token-no-fixture-declares'), expected, 'an undeclared token belongs to no domain')
})

t.test('readMask and sources are required; the scope is directory.readonly', async t => {
  const app = await withDirectory(t)
  t.same(await fails(app, `${LIST}?sources=${PROFILE}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'readMask mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/listDirectoryPeople.'))
  t.same(await fails(app, `${SEARCH}?query=a&sources=${PROFILE}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'readMask mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/searchDirectoryPeople.'))
  const noSources = apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'sources is required: specify DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE, DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT, or both.')
  t.same(await fails(app, `${LIST}?readMask=names`), noSources)
  t.same(await fails(app, `${LIST}?readMask=names&sources=DIRECTORY_SOURCE_TYPE_UNSPECIFIED`), noSources)
  t.same(await fails(app, `${SEARCH}?query=a&readMask=names`), noSources)
  t.equal((await fails(app, `${LIST}?readMask=names&sources=BOGUS`)).error.status, 'INVALID_ARGUMENT')
  await get(t, app, `${LIST}?readMask=names&sources=${PROFILE}`, 'alice-dir')
  const res = await app.inject({ url: `${LIST}?readMask=names&sources=${PROFILE}`, headers: bearer('alice-contacts') })
  t.equal(res.statusCode, 403)
  t.equal(body(res).error.details[0].metadata.method, 'google.people.v1.PeopleService.ListDirectoryPeople')
})

t.test('list: profiles, shared contacts or both, in the order declared; as the API shows them', async t => {
  const app = await withDirectory(t)
  const profiles = await get(t, app, `${LIST}?readMask=names,emailAddresses,metadata,photos&sources=${PROFILE}`)
  t.same(emails(profiles), ['grace@example.com', 'ada@example.com', 'alan@example.com'])
  const grace = profiles.people[0]
  t.equal(grace.resourceName, 'people/112233445566')
  t.same(grace.metadata.sources[0].profileMetadata, { objectType: 'PERSON', userTypes: ['GOOGLE_APPS_USER'] })
  t.equal(grace.metadata.sources[0].type, 'DOMAIN_PROFILE')
  t.equal(grace.names[0].displayName, 'Grace Hopper')
  t.same(grace.names[0].metadata.source, { type: 'DOMAIN_PROFILE', id: '112233445566' })
  t.equal(grace.photos[0].default, true)
  t.match(profiles.people[1].resourceName, /^people\/[1-9]\d+$/)
  t.notOk('nextSyncToken' in profiles)
  t.notOk('totalSize' in profiles, 'list has no total')
  const contacts = await get(t, app, `${LIST}?readMask=names,phoneNumbers,metadata&sources=${CONTACT}`)
  t.equal(contacts.people.length, 1)
  t.match(contacts.people[0].resourceName, /^people\/c\d+$/)
  t.equal(contacts.people[0].metadata.sources[0].type, 'DOMAIN_CONTACT')
  t.equal(contacts.people[0].phoneNumbers[0].canonicalForm, '+16505550100')
  const both = await get(t, app, `${LIST}?readMask=names&sources=${PROFILE}&sources=${CONTACT}`)
  t.same(emails(both), ['Grace Hopper', 'Ada Lovelace', 'Alan Turing', 'Front Desk'])
  t.same(await get(t, app, `${LIST}?readMask=names&sources=${PROFILE}`, 'carol'), await get(t, app, `${LIST}?readMask=names&sources=${PROFILE}`), 'every account of the domain sees the same directory')
  t.same(emails(await get(t, app, `${LIST}?readMask=names&sources=${PROFILE}`, 'oscar')), ['Olga Other'], 'another domain sees its own')
})

t.test('list: pages of 1 to 1000 (default 100), tokens bound to the parameters', async t => {
  const many = Array.from({ length: 130 }, (_, i) => profile(`P${i}`, 'X', `p${String(i).padStart(3, '0')}@example.com`))
  const app = await withDirectory(t, { domains: [{ domain: 'big.example', profiles: many }], accounts: [{ id: 'a', domain: 'big.example', tokens: [{ token: 'alice' }] }] })
  const first = await get(t, app, `${LIST}?readMask=emailAddresses&sources=${PROFILE}`)
  t.equal(first.people.length, 100)
  const second = await get(t, app, `${LIST}?readMask=emailAddresses&sources=${PROFILE}&pageToken=${first.nextPageToken as string}`)
  t.same([...emails(first), ...emails(second)], many.map(p => (p.emailAddresses as any)[0].value))
  t.notOk(second.nextPageToken)
  t.same(await fails(app, `${LIST}?readMask=names&sources=${PROFILE}&pageToken=${first.nextPageToken as string}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Page token is invalid or was issued for a request with different parameters.'))
  t.same(await fails(app, `${LIST}?readMask=names&sources=${PROFILE}&pageSize=1001`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'pageSize must be between 1 and 1000.'))
})

t.test('list: sync tokens list the domain\'s changes; a domain imported again has another history; 7-day expiry', async t => {
  const clock = manualClock()
  const app = await withDirectory(t, DOCUMENT, { clock })
  const url = `${LIST}?readMask=names,emailAddresses&sources=${PROFILE}`
  const sync = (await get(t, app, `${url}&requestSyncToken=true`)).nextSyncToken as string
  t.ok(sync)
  t.same(Object.keys(await get(t, app, `${url}&syncToken=${sync}`)), ['nextSyncToken'], 'nothing changed')
  const hired = await app.inject({ method: 'POST', url: '/_emulator/domains/example.com/profiles', payload: profile('Katherine', 'Johnson', 'katherine@example.com') })
  t.equal(hired.statusCode, 200, hired.body)
  const left = await app.inject({ method: 'DELETE', url: '/_emulator/domains/example.com/profiles/112233445566', headers: { 'x-requested-with': 'test' } })
  t.equal(left.statusCode, 200, left.body)
  const desk = (await get(t, app, `${LIST}?readMask=names&sources=${CONTACT}`)).people[0].resourceName as string
  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/domains/example.com/contacts/${desk.slice('people/'.length)}`, headers: { 'x-requested-with': 'test' } })).statusCode, 200)
  const changes = await get(t, app, `${url}&syncToken=${sync}`)
  t.same(emails(changes), ['katherine@example.com', undefined], 'only changes of the sources asked for')
  t.same(changes.people[1], { resourceName: 'people/112233445566', metadata: { sources: [{ type: 'DOMAIN_PROFILE', id: '112233445566' }], deleted: true } })
  t.same(await fails(app, `${LIST}?readMask=names&sources=${PROFILE}&syncToken=${sync}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest',
    'Sync token was issued for a request with different parameters: readMask, sources and mergeSources must match the request that asked for it.'))
  clock.advanceMs(8 * 24 * 3600 * 1000)
  t.equal((await fails(app, `${url}&syncToken=${changes.nextSyncToken as string}`)).error.status, 'FAILED_PRECONDITION', 'expired after 7 days')
  app.pruneTombstones()
  t.equal(app.db.prepare('SELECT count(*) FROM directory_people WHERE deleted = 1').pluck().get(), 0, 'tombstones no valid token needs are pruned')
  const fresh = (await get(t, app, `${url}&requestSyncToken=true`)).nextSyncToken as string
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { domains: [DOCUMENT.domains[0]], accounts: [] } })
  const after = await fails(app, `${url}&syncToken=${fresh}`)
  t.equal(after.error.message, 'Sync token is expired. Clear local cache and retry call without the sync token.')
  t.equal(emails(await get(t, app, url)).length, 3, 'the imported domain replaced the old one')
})

t.test('search: prefix matching on names, emails and phones; pages up to 500; totalSize; the warm-up', async t => {
  const many = Array.from({ length: 12 }, (_, i) => profile(`Sam${i}`, 'Smith', `sam${i}@example.com`))
  const doc = { ...DOCUMENT, domains: [{ ...DOCUMENT.domains[0], profiles: [...DOCUMENT.domains[0]!.profiles!, ...many] }, DOCUMENT.domains[1]] }
  const app = await withDirectory(t, doc)
  const found = async (query: string, sources = `sources=${PROFILE}&sources=${CONTACT}`): Promise<string[]> =>
    emails(await get(t, app, `${SEARCH}?query=${encodeURIComponent(query)}&readMask=names,emailAddresses&${sources}`))
  t.same(await found('gra'), ['grace@example.com'])
  t.same(await found('hop'), ['grace@example.com'], 'a family name')
  t.same(await found('alan@'), ['alan@example.com'], 'an email address')
  t.same(await found('front d'), ['Front Desk'], 'a phrase, its last word a prefix')
  t.same(await found('650 555'), ['Front Desk'], 'a phone number')
  t.same(await found('front', `sources=${PROFILE}`), [], 'only the sources asked for')
  t.same(await found('olga'), [], 'never another domain\'s people')
  t.same(await get(t, app, `${SEARCH}?query=&readMask=names&sources=${PROFILE}`), {}, 'an empty query finds no one')
  const first = await get(t, app, `${SEARCH}?query=smith&readMask=names&sources=${PROFILE}&pageSize=5`)
  t.equal(first.people.length, 5)
  t.equal(first.totalSize, 12)
  const rest = []
  let token = first.nextPageToken as string | undefined
  while (token !== undefined) {
    const page = await get(t, app, `${SEARCH}?query=smith&readMask=names&sources=${PROFILE}&pageSize=5&pageToken=${token}`)
    rest.push(...page.people)
    token = page.nextPageToken
  }
  t.equal(rest.length, 7, 'every match once')
  t.same(await fails(app, `${SEARCH}?query=smith&readMask=names&sources=${PROFILE}&pageSize=501`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'pageSize must be between 1 and 500.'))
  t.same(await fails(app, `${SEARCH}?query=sm&readMask=names&sources=${PROFILE}&pageSize=5&pageToken=${first.nextPageToken as string}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Page token is invalid or was issued for a request with different parameters.'))
})

t.test('mergeSources CONTACT: the caller\'s contacts with the same email address join the directory person', async t => {
  const app = await withDirectory(t)
  const plain = await get(t, app, `${LIST}?readMask=names,phoneNumbers,metadata&sources=${PROFILE}`)
  const merged = await get(t, app, `${LIST}?readMask=names,phoneNumbers,metadata&sources=${PROFILE}&mergeSources=${MERGE}`)
  const ada = merged.people[1]
  t.same(ada.metadata.sources.map((s: any) => s.type), ['DOMAIN_PROFILE', 'CONTACT'])
  t.same(ada.names.map((n: any) => n.familyName), ['Lovelace', 'L.'], 'the profile\'s own items first')
  t.equal(ada.names[0].metadata.primary, true)
  t.notOk(ada.names[1].metadata.primary, 'a merged item is not primary')
  t.same(ada.phoneNumbers.map((p: any) => p.value), ['+44 20 7946 0000'], 'what only the contact has')
  t.same(merged.people[0], plain.people[0], 'a person no contact matches is as it was')
  t.same(await get(t, app, `${LIST}?readMask=names,phoneNumbers,metadata&sources=${PROFILE}&mergeSources=${MERGE}`, 'carol'), plain, 'another account\'s contacts merge nothing')
  const searched = await get(t, app, `${SEARCH}?query=ada&readMask=names&sources=${PROFILE}&mergeSources=${MERGE}`)
  t.equal(searched.people[0].names.length, 2)
})

t.test('fixtures: domains are checked whole; an account names a declared domain', async t => {
  const app = await build(t)
  const cases: Array<[unknown, string]> = [
    [{ domains: [{ domain: 'Example.COM' }], accounts: [] }, 'domains[0].domain: "Example.COM" is not a domain name'],
    [{ domains: [{ domain: 'a.example' }, { domain: 'a.example' }], accounts: [] }, 'domains[1].domain: domain "a.example" is declared twice'],
    [{ domains: [{ domain: 'a.example', people: [] }], accounts: [] }, 'domains[0].people: unknown field "people"'],
    [{ domains: [{ domain: 'a.example', profiles: [{ resourceName: 'people/c1' }] }], accounts: [] }, 'domains[0].profiles[0].resourceName: "people/c1" is not a domain profile resource name'],
    [{ domains: [{ domain: 'a.example', contacts: [{ resourceName: 'people/1' }] }], accounts: [] }, 'domains[0].contacts[0].resourceName: "people/1" is not a domain contact resource name'],
    [{ accounts: [{ id: 'a', domain: 'nowhere.example' }] }, 'accounts[0].domain: domain "nowhere.example" is not declared'],
    [{ domain: [], accounts: [] }, 'domain: unknown field "domain"']
  ]
  for (const [doc, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/_emulator/import', payload: doc as any })
    t.equal(res.statusCode, 400, message)
    t.match(body(res).error.message, `Invalid fixture document: ${message}`)
  }
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: { domains: [{ domain: 'a.example' }], accounts: [] } })).statusCode, 200)
  const later = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'late', domain: 'a.example', tokens: [{ token: 'late' }] }] } })
  t.equal(later.statusCode, 200, 'an account may join a domain the emulator holds already')
  t.same(await get(t, app, `${LIST}?readMask=names&sources=${PROFILE}`, 'late'), {})
})

/** A session with the new methods: what a test suite would do. */
async function session (app: FastifyInstance): Promise<string[]> {
  const auth = bearer('alice-token')
  const out: string[] = []
  const others = await app.inject({ url: '/v1/otherContacts?readMask=names,emailAddresses,metadata&requestSyncToken=true', headers: auth })
  out.push(others.body)
  out.push((await app.inject({ url: '/v1/otherContacts:search?query=bob&readMask=names', headers: auth })).body)
  const bob = body(others).otherContacts[0].resourceName as string
  out.push((await app.inject({ method: 'POST', url: `/v1/${bob}:copyOtherContactToMyContactsGroup`, headers: auth, payload: { copyMask: 'names,emailAddresses' } })).body)
  out.push((await app.inject({ url: `${LIST}?readMask=names,metadata&sources=${PROFILE}&sources=${CONTACT}&mergeSources=${MERGE}&requestSyncToken=true`, headers: auth })).body)
  out.push((await app.inject({ url: `${SEARCH}?query=gr&readMask=names&sources=${PROFILE}`, headers: auth })).body)
  return out
}

t.test('fixtures file: export → reset → import round-trips domains and other contacts; reset restores them', async t => {
  const app = await build(t, { fixtures: 'fixtures/example.json' })
  const exported = (await app.inject({ url: '/_emulator/export' })).body
  const doc = JSON.parse(exported)
  t.equal(doc.domains[0].domain, 'example.com')
  t.equal(doc.domains[0].profiles.length, 2)
  t.equal(doc.domains[0].contacts.length, 1)
  t.equal(doc.accounts[0].domain, 'example.com')
  t.equal(doc.accounts[0].otherContacts.length, 2)
  // Changes, then a whole reset: the fixtures come back as they were.
  await app.inject({ method: 'POST', url: '/_emulator/accounts/alice/otherContacts', payload: { names: [{ givenName: 'Extra' }] } })
  await app.inject({ method: 'POST', url: '/_emulator/domains/example.com/profiles', payload: { names: [{ givenName: 'Extra' }] } })
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { domains: [{ domain: 'new.example' }], accounts: [] } })
  t.not((await app.inject({ url: '/_emulator/export' })).body, exported)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })).statusCode, 200)
  t.equal((await app.inject({ url: '/_emulator/export' })).body, exported, 'reset restores them')
  // An export imported into an empty emulator gives the same export back.
  const second = await build(t)
  const imported = await second.inject({ method: 'POST', url: '/_emulator/import', payload: doc })
  t.same(body(imported), { domains: ['example.com'], accounts: ['alice', 'bob'] })
  t.equal((await second.inject({ url: '/_emulator/export' })).body, exported, 'byte-identical')
  const listed = async (a: FastifyInstance): Promise<string> => (await a.inject({ url: `${LIST}?readMask=names,metadata&sources=${PROFILE}&sources=${CONTACT}`, headers: bearer('alice-token') })).body
  t.equal(await listed(second), await listed(app), 'the same directory, names, etags and update times')
})

t.test('--clock fixed and --seed: the new methods give byte-identical responses, run after run and after reset', async t => {
  const config = { clock: 'fixed:2026-03-01T09:00:00Z', seed: 'suite-15', fixtures: 'fixtures/example.json' }
  const first = await session(await build(t, config))
  t.equal(first.length, 5)
  for (const text of first) t.notOk(JSON.parse(text).error, text.slice(0, 200))
  t.same(await session(await build(t, config)), first)
  const app = await build(t, config)
  await session(app)
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })
  t.same(await session(app), first, 'after reset')
})
