/**
 * The official client against a real port: what a user's code sees, for every method.
 */
import t from 'tap'
import { auth, people } from '@googleapis/people'
import type { FastifyInstance } from 'fastify'
import { build, credentialsMissingBody } from './helpers/app.js'
import { assertConforms } from './helpers/schema.js'

async function listen (t: { teardown: (fn: () => unknown) => void }): Promise<{ app: FastifyInstance, rootUrl: string }> {
  const app = await build(t)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, rootUrl: address + '/' }
}

function client (rootUrl: string, token?: string): ReturnType<typeof people> {
  const oauth2 = new auth.OAuth2()
  if (token !== undefined) oauth2.setCredentials({ access_token: token })
  // No retries: the client would retry a 5xx on GET/PUT, which only slows these tests.
  return people({ version: 'v1', rootUrl, retry: false, ...(token !== undefined ? { auth: oauth2 } : {}) })
}

/** The error the client throws, with the HTTP status and parsed body. */
async function failure (promise: Promise<unknown>): Promise<{ status: number, data: any }> {
  try {
    await promise
  } catch (err) {
    const e = err as { status?: number, code?: number, response?: { status: number, data: unknown } }
    return { status: e.response!.status, data: e.response!.data }
  }
  throw new Error('the call succeeded')
}

t.test('a call without credentials gets the 401 of §7', async t => {
  const { rootUrl } = await listen(t)
  const res = await failure(client(rootUrl).people.get({ resourceName: 'people/me', personFields: 'names' }))
  t.equal(res.status, 401)
  t.same(res.data, credentialsMissingBody('google.people.v1.PeopleService.GetPerson'))
})

t.test('other contacts through the client: list, search, copy into My Contacts', async t => {
  const { app, rootUrl } = await listen(t)
  await app.inject({
    method: 'POST',
    url: '/_emulator/import',
    payload: { accounts: [{ id: 'c', tokens: [{ token: 'conformance-token' }], otherContacts: [{ names: [{ givenName: 'Bob' }], emailAddresses: [{ value: 'bob@example.org' }] }] }] }
  })
  const api = client(rootUrl, 'conformance-token')
  const listed = await api.otherContacts.list({ readMask: 'names,emailAddresses', requestSyncToken: true })
  assertConforms(t, 'ListOtherContactsResponse', listed.data)
  t.equal(listed.data.otherContacts?.[0]?.names?.[0]?.givenName, 'Bob')
  t.equal(listed.data.totalSize, 1)
  t.ok(listed.data.nextSyncToken)
  const warmUp = await api.otherContacts.search({ query: '', readMask: 'names' })
  t.same(warmUp.data, {})
  const found = await api.otherContacts.search({ query: 'bo', readMask: 'names,emailAddresses' })
  assertConforms(t, 'SearchResponse', found.data)
  t.equal(found.data.results?.[0]?.person?.emailAddresses?.[0]?.value, 'bob@example.org')
  const copied = await api.otherContacts.copyOtherContactToMyContactsGroup({
    resourceName: listed.data.otherContacts![0]!.resourceName!,
    requestBody: { copyMask: 'names,emailAddresses' }
  })
  assertConforms(t, 'Person', copied.data)
  t.match(copied.data.resourceName, /^people\/c\d+$/)
  t.equal(copied.data.memberships?.[0]?.contactGroupMembership?.contactGroupResourceName, 'contactGroups/myContacts')
  const contacts = await api.people.connections.list({ resourceName: 'people/me', personFields: 'emailAddresses' })
  t.equal(contacts.data.connections?.[0]?.emailAddresses?.[0]?.value, 'bob@example.org', 'saved in My Contacts')
  const missing = await failure(api.otherContacts.copyOtherContactToMyContactsGroup({ resourceName: 'otherContacts/c1', requestBody: {} }))
  t.equal(missing.status, 400)
  t.equal(missing.data.error.message, 'copyMask is required. Please specify one or more valid paths.')
})

t.test('the directory through the client: list and search a fixture\'s domain; a consumer account gets FAILED_PRECONDITION', async t => {
  const { app, rootUrl } = await listen(t)
  await app.inject({
    method: 'POST',
    url: '/_emulator/import',
    payload: {
      domains: [{ domain: 'example.com', profiles: [{ names: [{ givenName: 'Grace', familyName: 'Hopper' }], emailAddresses: [{ value: 'grace@example.com' }] }], contacts: [{ names: [{ givenName: 'Front', familyName: 'Desk' }] }] }],
      accounts: [{ id: 'w', domain: 'example.com', tokens: [{ token: 'workspace-token' }] }, { id: 'g', tokens: [{ token: 'consumer-token' }] }]
    }
  })
  const api = client(rootUrl, 'workspace-token')
  const listed = await api.people.listDirectoryPeople({ readMask: 'names,emailAddresses', sources: ['DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE', 'DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT'], requestSyncToken: true })
  assertConforms(t, 'ListDirectoryPeopleResponse', listed.data)
  t.same(listed.data.people?.map(p => p.names?.[0]?.displayName), ['Grace Hopper', 'Front Desk'])
  t.ok(listed.data.nextSyncToken)
  const synced = await api.people.listDirectoryPeople({ readMask: 'names,emailAddresses', sources: ['DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE', 'DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT'], syncToken: listed.data.nextSyncToken! })
  t.same(synced.data.people, undefined, 'nothing changed since')
  const found = await api.people.searchDirectoryPeople({ query: 'hop', readMask: 'names', sources: ['DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE'] })
  assertConforms(t, 'SearchDirectoryPeopleResponse', found.data)
  t.equal(found.data.people?.[0]?.names?.[0]?.familyName, 'Hopper')
  t.equal(found.data.totalSize, 1)
  for (const call of [
    () => client(rootUrl, 'consumer-token').people.listDirectoryPeople({ readMask: 'names', sources: ['DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE'] }),
    () => client(rootUrl, 'consumer-token').people.searchDirectoryPeople({ query: 'a', readMask: 'names', sources: ['DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE'] })
  ]) {
    const res = await failure(call())
    t.equal(res.status, 400)
    t.same(res.data.error, { code: 400, message: 'Must be a G Suite domain user.', errors: [{ message: 'Must be a G Suite domain user.', domain: 'global', reason: 'failedPrecondition' }], status: 'FAILED_PRECONDITION' })
  }
})

t.test('GET /_emulator/fidelity lists 24 of 24 methods emulated', async t => {
  const { app } = await listen(t)
  const report = JSON.parse((await app.inject({ url: '/_emulator/fidelity' })).body)
  t.equal(report.methods.length, 24)
  t.equal(report.methods.filter((m: { emulated: boolean }) => m.emulated).length, 24)
})

t.test('a read-only token gets 403 on a mutation through the client', async t => {
  const { app, rootUrl } = await listen(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'ro', tokens: [{ token: 'ro', scopes: ['https://www.googleapis.com/auth/contacts.readonly'] }] }] } })
  const res = await failure(client(rootUrl, 'ro').people.deleteContact({ resourceName: 'people/c1' }))
  t.equal(res.status, 403)
  t.equal(res.data.error.details[0].metadata.method, 'google.people.v1.PeopleService.DeleteContact')
})

t.test('the contact lifecycle through the official client', async t => {
  const { rootUrl } = await listen(t)
  const api = client(rootUrl, 'lifecycle')
  const created = (await api.people.createContact({
    personFields: 'names,emailAddresses,metadata',
    requestBody: { names: [{ givenName: 'Ada', familyName: 'Lovelace' }], emailAddresses: [{ value: 'ada@example.com', type: 'home' }] }
  })).data
  assertConforms(t, 'Person', created)
  t.match(created.resourceName, /^people\/c\d+$/)
  t.equal(created.names![0]!.displayName, 'Ada Lovelace')

  // Two reads with different masks: two etags, either one good for the next update.
  const a = (await api.people.get({ resourceName: created.resourceName!, personFields: 'names' })).data
  const b = (await api.people.get({ resourceName: created.resourceName!, personFields: 'names,emailAddresses,metadata' })).data
  assertConforms(t, 'Person', a)
  assertConforms(t, 'Person', b)
  t.not(a.etag, b.etag)
  const viaA = (await api.people.updateContact({
    resourceName: created.resourceName!,
    updatePersonFields: 'names',
    personFields: 'names,metadata',
    requestBody: { etag: a.etag, names: [{ givenName: 'Augusta Ada', familyName: 'King' }] }
  })).data
  assertConforms(t, 'Person', viaA)
  t.equal(viaA.names![0]!.displayNameLastFirst, 'King, Augusta Ada')

  // The etag read before that change is now stale: 400 FAILED_PRECONDITION.
  const stale = await failure(api.people.updateContact({
    resourceName: created.resourceName!, updatePersonFields: 'names', requestBody: { etag: b.etag, names: [{ givenName: 'Lost' }] }
  }))
  t.equal(stale.status, 400)
  t.equal(stale.data.error.status, 'FAILED_PRECONDITION')
  t.equal(stale.data.error.errors[0].reason, 'failedPrecondition')

  // The CONTACT source etag identifies the version as well.
  const viaSource = (await api.people.updateContact({
    resourceName: created.resourceName!,
    updatePersonFields: 'nicknames',
    requestBody: { metadata: { sources: [viaA.metadata!.sources![0]!] }, nicknames: [{ value: 'Countess' }] }
  })).data
  assertConforms(t, 'Person', viaSource)

  // Ten sequential updates, each with the etag of the previous response.
  let etag = viaSource.etag
  for (let i = 0; i < 10; i++) {
    const next = (await api.people.updateContact({
      resourceName: created.resourceName!,
      updatePersonFields: 'biographies',
      personFields: 'biographies',
      requestBody: { etag, biographies: [{ value: `note ${i}` }] }
    })).data
    assertConforms(t, 'Person', next)
    t.equal(next.biographies![0]!.value, `note ${i}`)
    etag = next.etag
  }

  const batch = (await api.people.getBatchGet({ resourceNames: [created.resourceName!, 'people/c1'], personFields: 'names' })).data
  assertConforms(t, 'GetPeopleResponse', batch)
  t.equal(batch.responses![0]!.person!.names![0]!.givenName, 'Augusta Ada')
  t.same(batch.responses![1]!.status, { code: 5, message: 'Requested entity was not found.' })

  const me = (await api.people.get({ resourceName: 'people/me', personFields: 'metadata' })).data
  t.equal(me.metadata!.sources![0]!.type, 'PROFILE')

  t.same((await api.people.deleteContact({ resourceName: created.resourceName! })).data, {})
  const gone = await failure(api.people.get({ resourceName: created.resourceName!, personFields: 'names' }))
  t.equal(gone.status, 404)
  t.equal(gone.data.error.message, 'Requested entity was not found.')
})

t.test('updateContact errors through the official client', async t => {
  const { rootUrl } = await listen(t)
  const api = client(rootUrl, 'errors')
  const created = (await api.people.createContact({ requestBody: { names: [{ givenName: 'Ada' }] } })).data
  const noMask = await failure(api.people.updateContact({ resourceName: created.resourceName!, requestBody: { etag: created.etag } }))
  t.equal(noMask.status, 400)
  t.equal(noMask.data.error.message, 'updatePersonFields mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/updateContact.')
  const noEtag = await failure(api.people.updateContact({ resourceName: created.resourceName!, updatePersonFields: 'names', requestBody: { names: [{ givenName: 'X' }] } }))
  t.equal(noEtag.data.error.message, 'Request must set person.etag or person.metadata.sources.etag for the source that is being updated.')
  const me = await failure(api.people.updateContact({ resourceName: 'people/me', updatePersonFields: 'names', requestBody: { etag: created.etag } }))
  t.equal(me.data.error.message, 'Resource name "people/me" is not a valid contact person resource.')
  const missing = await failure(api.people.updateContact({ resourceName: 'people/c1', updatePersonFields: 'names', requestBody: { etag: created.etag } }))
  t.equal(missing.status, 404)
})

t.test('the contact-group lifecycle through the official client', async t => {
  const { rootUrl } = await listen(t)
  const api = client(rootUrl, 'groups')
  const club = (await api.contactGroups.create({ requestBody: { contactGroup: { name: 'Book club' }, readGroupFields: 'name,metadata,groupType' } })).data
  assertConforms(t, 'ContactGroup', club)
  const chess = (await api.contactGroups.create({ requestBody: { contactGroup: { name: 'Chess' } } })).data

  // A rename to a sibling's name is 409 and changes nothing.
  const conflict = await failure(api.contactGroups.update({ resourceName: club.resourceName!, requestBody: { contactGroup: { etag: club.etag, name: 'Chess' } } }))
  t.equal(conflict.status, 409)
  t.same(conflict.data.error, { code: 409, message: 'Contact group name already exists.', errors: [{ message: 'Contact group name already exists.', domain: 'global', reason: 'duplicate' }], status: 'ALREADY_EXISTS' })
  const renamed = (await api.contactGroups.update({
    resourceName: club.resourceName!,
    requestBody: { contactGroup: { etag: club.etag, name: 'Reading circle' }, updateGroupFields: 'name', readGroupFields: 'name,memberCount' }
  })).data
  assertConforms(t, 'ContactGroup', renamed)
  t.equal(renamed.formattedName, 'Reading circle')
  const stale = await failure(api.contactGroups.update({ resourceName: club.resourceName!, requestBody: { contactGroup: { etag: club.etag, name: 'Again' } } }))
  t.equal(stale.status, 400)
  t.equal(stale.data.error.status, 'FAILED_PRECONDITION')
  const system = await failure(api.contactGroups.update({ resourceName: 'contactGroups/starred', requestBody: { contactGroup: { name: 'Stars' } } }))
  t.equal(system.data.error.message, 'Cannot modify a system contact group.')

  // Membership through members.modify, seen on both sides.
  const ada = (await api.people.createContact({ requestBody: { names: [{ givenName: 'Ada' }] } })).data
  t.same((await api.contactGroups.members.modify({ resourceName: club.resourceName!, requestBody: { resourceNamesToAdd: [ada.resourceName!] } })).data, {})
  const withAda = (await api.contactGroups.get({ resourceName: club.resourceName!, maxMembers: 5 })).data
  assertConforms(t, 'ContactGroup', withAda)
  t.equal(withAda.memberCount, 1)
  t.same(withAda.memberResourceNames, [ada.resourceName])
  t.not(withAda.etag, renamed.etag)
  const adaNow = (await api.people.get({ resourceName: ada.resourceName!, personFields: 'memberships' })).data
  t.ok(adaNow.memberships!.some(m => m.contactGroupMembership!.contactGroupResourceName === club.resourceName))
  t.not(adaNow.etag, ada.etag)

  const listed = (await api.contactGroups.list({ groupFields: 'name,memberCount' })).data
  assertConforms(t, 'ListContactGroupsResponse', listed)
  t.equal(listed.totalItems, 10)
  t.ok(listed.nextSyncToken)
  const batch = (await api.contactGroups.batchGet({ resourceNames: [club.resourceName!, chess.resourceName!, 'contactGroups/myContacts'] })).data
  assertConforms(t, 'BatchGetContactGroupsResponse', batch)
  t.same(batch.responses!.map(r => r.contactGroup!.formattedName), ['Reading circle', 'Chess', 'My Contacts'])

  t.same((await api.contactGroups.delete({ resourceName: club.resourceName! })).data, {})
  const gone = await failure(api.contactGroups.get({ resourceName: club.resourceName! }))
  t.equal(gone.status, 404)
  const changes = (await api.contactGroups.list({ syncToken: listed.nextSyncToken! })).data
  t.same(changes.contactGroups, [{ resourceName: club.resourceName, metadata: { deleted: true } }])
})

t.test('a sync loop through the official client: full sync, changes, deletes, expiry', async t => {
  const { app, rootUrl } = await listen(t)
  const api = client(rootUrl, 'sync-loop')
  const created = (await api.people.batchCreateContacts({
    requestBody: { contacts: ['Ada', 'Bob', 'Cy'].map(givenName => ({ contactPerson: { names: [{ givenName }] } })), readMask: 'names' }
  })).data
  assertConforms(t, 'BatchCreateContactsResponse', created)
  const [ada, bob, cy] = created.createdPeople!.map(r => r.person!)

  // Full sync, two per page.
  const local = new Map<string, string>()
  let pageToken: string | undefined
  let syncToken: string | undefined
  do {
    const page = (await api.people.connections.list({ resourceName: 'people/me', personFields: 'names', pageSize: 2, requestSyncToken: true, pageToken })).data
    assertConforms(t, 'ListConnectionsResponse', page)
    for (const p of page.connections ?? []) local.set(p.resourceName!, p.names![0]!.givenName!)
    pageToken = page.nextPageToken ?? undefined
    syncToken = page.nextSyncToken ?? syncToken
  } while (pageToken)
  t.same([...local.values()].sort(), ['Ada', 'Bob', 'Cy'])
  t.ok(syncToken)

  // Changes: an update (batch), a delete, a search to find who to change.
  const found = (await api.people.searchContacts({ query: 'bo', readMask: 'names,metadata' })).data
  assertConforms(t, 'SearchResponse', found)
  t.equal(found.results![0]!.person!.resourceName, bob!.resourceName)
  const updated = (await api.people.batchUpdateContacts({
    requestBody: { contacts: { [bob!.resourceName!]: { etag: bob!.etag, names: [{ givenName: 'Robert' }] } }, updateMask: 'names', readMask: 'names' }
  })).data
  assertConforms(t, 'BatchUpdateContactsResponse', updated)
  await api.people.batchDeleteContacts({ requestBody: { resourceNames: [cy!.resourceName!] } })

  const changes = (await api.people.connections.list({ resourceName: 'people/me', personFields: 'names', syncToken })).data
  assertConforms(t, 'ListConnectionsResponse', changes)
  for (const p of changes.connections ?? []) {
    if (p.metadata?.deleted) local.delete(p.resourceName!)
    else local.set(p.resourceName!, p.names![0]!.givenName!)
  }
  t.same([...local.values()].sort(), ['Ada', 'Robert'])
  t.notOk(changes.connections!.some(p => p.resourceName === ada!.resourceName), 'only what changed')

  // A week later the token has expired: 400 FAILED_PRECONDITION, EXPIRED_SYNC_TOKEN.
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance: '8d' } })
  const expired = await failure(api.people.connections.list({ resourceName: 'people/me', personFields: 'names', syncToken: changes.nextSyncToken! }))
  t.equal(expired.status, 400)
  t.equal(expired.data.error.status, 'FAILED_PRECONDITION')
  t.equal(expired.data.error.message, 'Sync token is expired. Clear local cache and retry call without the sync token.')
  t.equal(expired.data.error.details[0].reason, 'EXPIRED_SYNC_TOKEN')
})

t.test('contact photos through the official client', async t => {
  const { rootUrl } = await listen(t)
  const api = client(rootUrl, 'photos')
  const ada = (await api.people.createContact({ requestBody: { names: [{ givenName: 'Ada' }] } })).data
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
  const up = (await api.people.updateContactPhoto({ resourceName: ada.resourceName!, requestBody: { photoBytes: png, personFields: 'photos' } })).data
  assertConforms(t, 'UpdateContactPhotoResponse', up)
  const photo = await fetch(up.person!.photos![0]!.url!)
  t.equal(photo.headers.get('content-type'), 'image/png')
  const down = (await api.people.deleteContactPhoto({ resourceName: ada.resourceName!, personFields: 'photos' })).data
  t.equal(down.person!.photos![0]!.default, true)
})
