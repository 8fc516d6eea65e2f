/** people.createContact, get, getBatchGet and deleteContact. */
import t from 'tap'
import { bearer, body, build } from '../helpers/app.js'
import { apiError, createContact, getPerson } from '../helpers/people.js'
import { assertConforms } from '../helpers/schema.js'

const DOCS = 'https://developers.google.com/people/api/rest/v1/people/'

t.test('createContact: a new contact in myContacts, with the default photo and CONTACT metadata', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  t.match(ada.resourceName, /^people\/c\d+$/)
  const sourceId = ada.metadata.sources[0].id
  t.equal(ada.resourceName, 'people/c' + BigInt('0x' + sourceId).toString(10), 'the resource name is the decimal CONTACT source id')
  t.match(sourceId, /^[1-9a-f][0-9a-f]*$/)
  t.match(ada.etag, /^%[A-Za-z0-9+/]+=*$/)
  t.same(ada.metadata.objectType, 'PERSON')
  t.match(ada.metadata.sources, [{ type: 'CONTACT', id: sourceId, etag: /^#[A-Za-z0-9+/]{11}=$/, updateTime: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/ }])
  t.same(ada.memberships, [{ metadata: { primary: true, sourcePrimary: true, source: { type: 'CONTACT', id: sourceId } }, contactGroupMembership: { contactGroupId: 'myContacts', contactGroupResourceName: 'contactGroups/myContacts' } }])
  t.same(ada.photos, [{ metadata: { primary: true, sourcePrimary: true, source: { type: 'CONTACT', id: sourceId } }, url: `http://localhost:80/_emulator/photos/${sourceId}.png`, default: true }])
  const photo = await app.inject({ url: `/_emulator/photos/${sourceId}.png` })
  t.equal(photo.statusCode, 200)
  t.equal(photo.headers['content-type'], 'image/png')
  t.same([...photo.rawPayload.subarray(1, 4)].map(c => String.fromCharCode(c)).join(''), 'PNG')
})

t.test('createContact: personFields restricts the response; absent means every field', async t => {
  const app = await build(t)
  const some = await createContact(t, app, { names: [{ givenName: 'Ada' }], nicknames: [{ value: 'A' }] }, 'test-token', '?personFields=nicknames')
  t.same(Object.keys(some).sort(), ['etag', 'nicknames', 'resourceName'])
  const bad = await app.inject({ method: 'POST', url: '/v1/people:createContact?personFields=bogus', headers: bearer(), payload: {} })
  t.same(body(bad), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Invalid personFields mask path: "bogus". Valid paths are documented at ${DOCS}get.`))
})

t.test('createContact: singletons, groups and transcoding are checked; nothing is stored on a 400', async t => {
  const app = await build(t)
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ names: [{ givenName: 'A' }, { givenName: 'B' }] }, 'Cannot have more than one person.names per source.'],
    [{ genders: [{ value: 'a' }, { value: 'b' }] }, 'Cannot have more than one person.genders per source.'],
    [{ memberships: [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/nope' } }] }, 'Contact group "contactGroups/nope" was not found.'],
    [{ memberships: [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/family' } }] }, 'Cannot add a contact to the system contact group "contactGroups/family".'],
    [{ names: [{ givenName: ['x'] }] }, 'Invalid value at \'person.names[0].given_name\' (TYPE_STRING), ["x"]'],
    [{ nope: true }, 'Invalid JSON payload received. Unknown name "nope" at \'person\': Cannot find field.']
  ]
  for (const [person, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: person })
    t.equal(res.statusCode, 400, message)
    t.equal(body(res).error.message, message)
    t.equal(body(res).error.status, 'INVALID_ARGUMENT')
  }
  const exported = JSON.parse((await app.inject({ url: '/_emulator/export' })).body)
  t.same(exported.accounts, [], 'no contact was created, and no account either')
})

t.test('createContact: memberships asked for are added after myContacts; resourceName and etag in the body are ignored', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'a', tokens: [{ token: 'a' }], contactGroups: [{ resourceName: 'contactGroups/b00c', name: 'Club' }] }] } })
  const c = await createContact(t, app, {
    resourceName: 'people/c5',
    etag: '%abc',
    memberships: [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/starred' } }, { contactGroupMembership: { contactGroupResourceName: 'contactGroups/b00c' } }]
  }, 'a')
  t.not(c.resourceName, 'people/c5')
  t.same(c.memberships.map((m: any) => m.contactGroupMembership.contactGroupId), ['myContacts', 'starred', 'b00c'])
})

t.test('get: personFields is required, with the exact message', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const message = `personFields mask is required. Please specify one or more valid paths. Valid paths are documented at ${DOCS}get.`
  for (const url of [`/v1/${ada.resourceName}`, `/v1/${ada.resourceName}?personFields=`, '/v1/people/me']) {
    const res = await app.inject({ url, headers: bearer() })
    t.equal(res.statusCode, 400, url)
    t.same(body(res), apiError(400, 'INVALID_ARGUMENT', 'badRequest', message), url)
  }
  const unknown = await app.inject({ url: `/v1/${ada.resourceName}?personFields=names,nope`, headers: bearer() })
  t.same(body(unknown), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Invalid personFields mask path: "nope". Valid paths are documented at ${DOCS}get.`))
})

t.test('get: the deprecated requestMask.includeField works in place of personFields', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }], urls: [{ value: 'https://example.com' }] })
  const res = await app.inject({ url: `/v1/${ada.resourceName}?requestMask.includeField=person.names,person.urls`, headers: bearer() })
  t.equal(res.statusCode, 200)
  t.same(Object.keys(body(res)).sort(), ['etag', 'names', 'resourceName', 'urls'])
  const viaPersonFields = await getPerson(t, app, ada.resourceName, 'names,urls')
  t.equal(body(res).etag, viaPersonFields.etag)
  const bad = await app.inject({ url: `/v1/${ada.resourceName}?requestMask.includeField=names`, headers: bearer() })
  t.same(body(bad), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Invalid requestMask.includeField mask path: "names". Valid paths are documented at ${DOCS}get.`))
})

t.test('get: a contact shows only the fields of its mask, plus resourceName and etag', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }], emailAddresses: [{ value: 'a@example.com' }] })
  const person = await getPerson(t, app, ada.resourceName, 'emailAddresses,phoneNumbers')
  t.same(Object.keys(person).sort(), ['emailAddresses', 'etag', 'resourceName'], 'an empty masked field is left out')
})

t.test('get: people/me is the account\'s minimal profile', async t => {
  const app = await build(t)
  const me = await getPerson(t, app, 'people/me', 'names,metadata')
  t.match(me.resourceName, /^people\/1\d{20}$/)
  t.match(me.metadata, { sources: [{ type: 'PROFILE', id: me.resourceName.slice(7) }], objectType: 'PERSON' })
  t.same(await getPerson(t, app, me.resourceName, 'names,metadata'), me, 'the profile answers to its own resource name too')
  const other = await getPerson(t, app, 'people/me', 'metadata', 'someone-else')
  t.not(other.resourceName, me.resourceName, 'each account has its own profile')
  const notMine = await app.inject({ url: `/v1/${other.resourceName}?personFields=names`, headers: bearer() })
  t.equal(notMine.statusCode, 404)
  t.same(body(notMine), apiError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.'))
})

t.test('get: unknown, deleted and other accounts\' contacts are 404', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  for (const [name, token] of [['people/c1', 'test-token'], [ada.resourceName, 'other-account']]) {
    const res = await app.inject({ url: `/v1/${name}?personFields=names`, headers: bearer(token) })
    t.equal(res.statusCode, 404)
    t.same(body(res), apiError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.'))
  }
})

t.test('getBatchGet: one entry per name, a status for each missing one', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const names = [ada.resourceName, 'people/c1', 'people/me', 'people/nope']
  const res = await app.inject({ url: `/v1/people:batchGet?personFields=names&${names.map(n => `resourceNames=${n}`).join('&')}`, headers: bearer() })
  t.equal(res.statusCode, 200)
  const out = body(res)
  assertConforms(t, 'GetPeopleResponse', out)
  t.equal(out.responses.length, 4)
  t.same(out.responses.map((r: any) => r.requestedResourceName), names)
  t.equal(out.responses[0].person.names[0].givenName, 'Ada')
  t.same(out.responses[1], { requestedResourceName: 'people/c1', status: { code: 5, message: 'Requested entity was not found.' } })
  t.match(out.responses[2].person.resourceName, /^people\/1\d{20}$/)
  t.same(out.responses[3], { requestedResourceName: 'people/nope', status: { code: 3, message: 'Resource name "people/nope" is not a valid contact person resource.' } })
})

t.test('getBatchGet: 1 to 200 names, personFields required', async t => {
  const app = await build(t)
  const none = await app.inject({ url: '/v1/people:batchGet?personFields=names', headers: bearer() })
  t.same(body(none), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'resourceNames is required: specify at least one resource name.'))
  const many = Array.from({ length: 201 }, (_, i) => `resourceNames=people/c${i + 1}`).join('&')
  const tooMany = await app.inject({ url: `/v1/people:batchGet?personFields=names&${many}`, headers: bearer() })
  t.same(body(tooMany), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'resourceNames has 201 values; at most 200 may be requested at once.'))
  const ok = await app.inject({ url: `/v1/people:batchGet?personFields=names&${Array.from({ length: 200 }, (_, i) => `resourceNames=people/c${i + 1}`).join('&')}`, headers: bearer() })
  t.equal(body(ok).responses.length, 200)
  const noMask = await app.inject({ url: '/v1/people:batchGet?resourceNames=people/me', headers: bearer() })
  t.same(body(noMask), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `personFields mask is required. Please specify one or more valid paths. Valid paths are documented at ${DOCS}getBatchGet.`))
})

t.test('deleteContact: {} and then 404 everywhere', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const res = await app.inject({ method: 'DELETE', url: `/v1/${ada.resourceName}:deleteContact`, headers: bearer() })
  t.equal(res.statusCode, 200)
  t.same(body(res), {})
  const again = await app.inject({ method: 'DELETE', url: `/v1/${ada.resourceName}:deleteContact`, headers: bearer() })
  t.same(body(again), apiError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.'))
  t.equal((await app.inject({ url: `/v1/${ada.resourceName}?personFields=names`, headers: bearer() })).statusCode, 404)
  const me = await app.inject({ method: 'DELETE', url: '/v1/people/me:deleteContact', headers: bearer() })
  t.same(body(me), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Resource name "people/me" is not a valid contact person resource.'))
  const other = await createContact(t, app, { names: [{ givenName: 'Other' }] }, 'other')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/${other.resourceName}:deleteContact`, headers: bearer() })).statusCode, 404, 'another account\'s contact is not found')
  t.equal((await getPerson(t, app, other.resourceName, 'names', 'other')).names[0].givenName, 'Other')
})
