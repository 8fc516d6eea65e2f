/** people.updateContact: every people.updateContact row of FIDELITY.md and every rule, in order. */
import t from 'tap'
import { bearer, body, build } from '../helpers/app.js'
import { apiError, createContact, getPerson, update } from '../helpers/people.js'
import { assertConforms } from '../helpers/schema.js'

const DOCS = 'https://developers.google.com/people/api/rest/v1/people/'
const STALE_PERSON = 'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.'
const STALE_SOURCE = 'Request person.metadata.sources.etag is different than the current person.metadata.sources.etag. Clear local cache and get the latest person.'
const NO_ETAG = 'Request must set person.etag or person.metadata.sources.etag for the source that is being updated.'

const ADA = {
  names: [{ givenName: 'Ada', familyName: 'Lovelace' }],
  emailAddresses: [{ value: 'ada@example.com', type: 'home' }, { value: 'ada@work.example', type: 'work' }],
  biographies: [{ value: 'Mathematician' }],
  phoneNumbers: [{ value: '+44 20 7946 0958' }]
}

t.test('updatePersonFields missing or empty: 400 with the exact message', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const message = `updatePersonFields mask is required. Please specify one or more valid paths. Valid paths are documented at ${DOCS}updateContact.`
  for (const query of ['', 'updatePersonFields=', 'updatePersonFields=,', 'personFields=names']) {
    const res = await update(app, ada.resourceName, { etag: ada.etag, names: [{ givenName: 'X' }] }, query)
    t.equal(res.statusCode, 400, query)
    t.same(body(res), apiError(400, 'INVALID_ARGUMENT', 'badRequest', message), query)
  }
})

t.test('an unknown or read-only updatePersonFields path: 400 naming it', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  for (const path of ['photos', 'coverPhotos', 'ageRanges', 'metadata', 'skills', 'foo', 'names.givenName', 'resourceName', 'etag']) {
    const res = await update(app, ada.resourceName, { etag: ada.etag }, `updatePersonFields=names,${path}`)
    t.equal(res.statusCode, 400, path)
    t.same(body(res), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Invalid updatePersonFields mask path: "${path}". Valid paths are documented at ${DOCS}updateContact.`), path)
  }
})

t.test('every one of the 24 writable paths is accepted, in JSON or proto form', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const paths = ['addresses', 'biographies', 'birthdays', 'calendarUrls', 'clientData', 'emailAddresses', 'events', 'externalIds', 'genders', 'imClients', 'interests', 'locales', 'locations', 'miscKeywords', 'names', 'nicknames', 'occupations', 'organizations', 'phoneNumbers', 'relations', 'sipAddresses', 'urls', 'userDefined']
  let etag = ada.etag
  for (const path of paths) {
    const res = await update(app, ada.resourceName, { etag }, `updatePersonFields=${path}`)
    t.equal(res.statusCode, 200, path)
    etag = body(res).etag
  }
  const withMemberships = await update(app, ada.resourceName, { etag, memberships: [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/myContacts' } }] }, 'updatePersonFields=memberships')
  t.equal(withMemberships.statusCode, 200, 'memberships')
  const proto = await update(app, ada.resourceName, { etag: body(withMemberships).etag }, 'updatePersonFields=email_addresses,phone_numbers')
  t.equal(proto.statusCode, 200, 'proto-form paths')
})

t.test('an unknown personFields path: 400 naming it, with the people.get page', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const res = await update(app, ada.resourceName, { etag: ada.etag }, 'updatePersonFields=names&personFields=names,foo')
  t.equal(res.statusCode, 400)
  t.same(body(res), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Invalid personFields mask path: "foo". Valid paths are documented at ${DOCS}get.`))
})

t.test('no etag at all: 400 INVALID_ARGUMENT', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const bodies = [
    { names: [{ givenName: 'X' }] },
    { etag: '', names: [{ givenName: 'X' }] },
    { metadata: { sources: [] }, names: [{ givenName: 'X' }] },
    { metadata: { sources: [{ type: 'PROFILE', etag: '#AAAAAAAAAAA=' }] }, names: [{ givenName: 'X' }] },
    { metadata: { sources: [{ type: 'CONTACT', id: ada.metadata.sources[0].id }] }, names: [{ givenName: 'X' }] }
  ]
  for (const person of bodies) {
    const res = await update(app, ada.resourceName, person, 'updatePersonFields=names')
    t.equal(res.statusCode, 400, JSON.stringify(person))
    t.same(body(res), apiError(400, 'INVALID_ARGUMENT', 'badRequest', NO_ETAG))
  }
  t.same((await getPerson(t, app, ada.resourceName, 'names')).names[0].givenName, 'Ada', 'nothing changed')
})

t.test('a stale top-level etag: 400 FAILED_PRECONDITION with reason failedPrecondition', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const first = await update(app, ada.resourceName, { etag: ada.etag, names: [{ givenName: 'Augusta' }] }, 'updatePersonFields=names')
  t.equal(first.statusCode, 200)
  const stale = await update(app, ada.resourceName, { etag: ada.etag, names: [{ givenName: 'Lost' }] }, 'updatePersonFields=names')
  t.equal(stale.statusCode, 400)
  t.same(body(stale), apiError(400, 'FAILED_PRECONDITION', 'failedPrecondition', STALE_PERSON))
  t.equal((await getPerson(t, app, ada.resourceName, 'names')).names[0].givenName, 'Augusta', 'no lost update')
})

t.test('a stale metadata.sources etag: the sources variant of the message', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const source = ada.metadata.sources[0]
  const ok = await update(app, ada.resourceName, { metadata: { sources: [source] }, names: [{ givenName: 'Augusta' }] }, 'updatePersonFields=names')
  t.equal(ok.statusCode, 200, 'the CONTACT source etag identifies the version')
  const stale = await update(app, ada.resourceName, { metadata: { sources: [source] }, names: [{ givenName: 'Lost' }] }, 'updatePersonFields=names')
  t.equal(stale.statusCode, 400)
  t.same(body(stale), apiError(400, 'FAILED_PRECONDITION', 'failedPrecondition', STALE_SOURCE))
})

t.test('an etag that does not decode is stale', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  for (const etag of ['%', '%AAAA', 'garbage', '#nottheone=', '%' + Buffer.from([0x22, 0x05, 1, 2]).toString('base64')]) {
    const res = await update(app, ada.resourceName, { etag, names: [{ givenName: 'X' }] }, 'updatePersonFields=names')
    t.equal(res.statusCode, 400, etag)
    t.same(body(res), apiError(400, 'FAILED_PRECONDITION', 'failedPrecondition', STALE_PERSON), etag)
  }
})

t.test('more than one value for a masked singleton: 400 naming the field', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const two: Record<string, unknown[]> = {
    names: [{ givenName: 'A' }, { givenName: 'B' }],
    biographies: [{ value: 'a' }, { value: 'b' }],
    birthdays: [{ text: 'a' }, { text: 'b' }],
    genders: [{ value: 'female' }, { value: 'male' }]
  }
  for (const [field, values] of Object.entries(two)) {
    const res = await update(app, ada.resourceName, { etag: ada.etag, [field]: values }, `updatePersonFields=${field}`)
    t.equal(res.statusCode, 400, field)
    t.same(body(res), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Cannot have more than one person.${field} per source.`), field)
  }
  const unmasked = await update(app, ada.resourceName, { etag: ada.etag, names: two.names, nicknames: [{ value: 'Countess' }] }, 'updatePersonFields=nicknames')
  t.equal(unmasked.statusCode, 200, 'a singleton outside the mask is ignored, not checked')
  t.equal(body(unmasked).names.length, 1)
})

t.test('memberships masked but none given: 400 (chosen message)', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const message = 'Contact must have at least one contact group membership.'
  for (const memberships of [undefined, [], [{ contactGroupMembership: {} }], [{ contactGroupMembership: { contactGroupId: 'myContacts' } }]]) {
    const res = await update(app, ada.resourceName, { etag: ada.etag, ...(memberships ? { memberships } : {}) }, 'updatePersonFields=memberships')
    t.equal(res.statusCode, 400, JSON.stringify(memberships))
    t.same(body(res), apiError(400, 'INVALID_ARGUMENT', 'badRequest', message))
  }
})

t.test('a resource name that is not a contact: 400', async t => {
  const app = await build(t)
  for (const name of ['people/me', 'people/123', 'people/abc', 'people/c12x']) {
    const res = await update(app, name, { etag: '%x', names: [{ givenName: 'X' }] }, 'updatePersonFields=names')
    t.equal(res.statusCode, 400, name)
    t.same(body(res), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Resource name "${name}" is not a valid contact person resource.`))
  }
})

t.test('an unknown, deleted or other account\'s contact: 404', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const gone = await createContact(t, app, { names: [{ givenName: 'Gone' }] })
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/${gone.resourceName}:deleteContact`, headers: bearer() })).statusCode, 200)
  const notFound = apiError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.')
  for (const [name, token, etag] of [['people/c1', 'test-token', '%x'], [gone.resourceName, 'test-token', gone.etag], [ada.resourceName, 'someone-else', ada.etag], ['people/c00012', 'test-token', '%x'], ['people/c99999999999999999999', 'test-token', '%x']]) {
    const res = await update(app, name, { etag, names: [{ givenName: 'X' }] }, 'updatePersonFields=names', token)
    t.equal(res.statusCode, 404, `${name} as ${token}`)
    t.same(body(res), notFound)
  }
  t.equal((await getPerson(t, app, ada.resourceName, 'names')).names[0].givenName, 'Ada', 'the other account changed nothing')
})

t.test('rule 1: fields outside the mask and non-contact data are ignored and unchanged', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const res = await update(app, ada.resourceName, {
    etag: ada.etag,
    resourceName: 'people/c42',
    names: [{ givenName: 'Augusta' }],
    emailAddresses: [],
    phoneNumbers: [{ value: '+1 650 253 0000' }],
    photos: [{ url: 'https://example.com/x.png' }],
    coverPhotos: [{ url: 'https://example.com/y.png' }],
    ageRanges: [{ ageRange: 'TWENTY_ONE_OR_OLDER' }],
    metadata: { objectType: 'PAGE', sources: [{ type: 'CONTACT', etag: 'ignored-because-top-level-wins' }] }
  }, 'updatePersonFields=names')
  t.equal(res.statusCode, 200)
  const after = body(res)
  assertConforms(t, 'Person', after)
  t.equal(after.resourceName, ada.resourceName)
  t.equal(after.names[0].givenName, 'Augusta')
  t.same(after.emailAddresses.map((e: any) => e.value), ['ada@example.com', 'ada@work.example'], 'emails untouched')
  t.same(after.phoneNumbers.map((p: any) => p.value), ['+44 20 7946 0958'], 'phones untouched')
  t.same(after.biographies, ada.biographies, 'biographies untouched')
  t.equal(after.photos[0].default, true, 'photos are not contact data')
  t.equal(after.metadata.objectType, 'PERSON')
  t.notOk(after.coverPhotos)
  t.notOk(after.ageRanges)
})

t.test('rule 2: masked fields are replaced, and cleared when absent or empty', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const res = await update(app, ada.resourceName, {
    etag: ada.etag,
    emailAddresses: [{ value: 'new@example.com' }],
    biographies: [],
    names: [{ givenName: 'Ada' }]
  }, 'updatePersonFields=emailAddresses,biographies,phoneNumbers,names')
  t.equal(res.statusCode, 200)
  const after = body(res)
  t.same(after.emailAddresses.map((e: any) => e.value), ['new@example.com'], 'replaced, not merged')
  t.notOk(after.biographies, 'empty list clears')
  t.notOk(after.phoneNumbers, 'absent clears')
  t.same(after.names[0].familyName, undefined, 'the whole name is replaced')
  const read = await getPerson(t, app, ada.resourceName, 'emailAddresses,biographies,phoneNumbers,names')
  t.same(Object.keys(read).sort(), ['emailAddresses', 'etag', 'names', 'resourceName'], 'the store agrees')
})

t.test('rule 3: either the person etag or the CONTACT source etag identifies the version', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const byPerson = await update(app, ada.resourceName, { etag: ada.etag, nicknames: [{ value: 'A' }] }, 'updatePersonFields=nicknames')
  t.equal(byPerson.statusCode, 200)
  const next = body(byPerson)
  const bySource = await update(app, ada.resourceName, { metadata: { sources: [{ type: 'CONTACT', id: next.metadata.sources[0].id, etag: next.metadata.sources[0].etag }] }, nicknames: [{ value: 'B' }] }, 'updatePersonFields=nicknames')
  t.equal(bySource.statusCode, 200)
  t.equal(body(bySource).nicknames[0].value, 'B')
})

t.test('rule 5: memberships name groups that exist; only user groups, myContacts and starred can be added', async t => {
  const app = await build(t)
  await app.inject({
    method: 'POST',
    url: '/_emulator/import',
    payload: {
      accounts: [{
        id: 'alice',
        tokens: [{ token: 'alice' }],
        contactGroups: [{ resourceName: 'contactGroups/abc123', name: 'Book club' }],
        people: [{ resourceName: 'people/c77', names: [{ givenName: 'Friend' }], memberships: [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/friends' } }] }]
      }]
    }
  })
  const ada = await createContact(t, app, ADA, 'alice')
  const member = (name: string): unknown => ({ contactGroupMembership: { contactGroupResourceName: name } })
  const unknown = await update(app, ada.resourceName, { etag: ada.etag, memberships: [member('contactGroups/nope')] }, 'updatePersonFields=memberships', 'alice')
  t.equal(unknown.statusCode, 400)
  t.same(body(unknown), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Contact group "contactGroups/nope" was not found.'))
  for (const system of ['friends', 'family', 'coworkers', 'chatBuddies', 'all', 'blocked']) {
    const res = await update(app, ada.resourceName, { etag: ada.etag, memberships: [member('contactGroups/myContacts'), member(`contactGroups/${system}`)] }, 'updatePersonFields=memberships', 'alice')
    t.equal(res.statusCode, 400, system)
    t.same(body(res), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Cannot add a contact to the system contact group "contactGroups/${system}".`))
  }
  const added = await update(app, ada.resourceName, { etag: ada.etag, memberships: [member('contactGroups/abc123'), member('contactGroups/starred')] }, 'updatePersonFields=memberships', 'alice')
  t.equal(added.statusCode, 200)
  t.same(body(added).memberships.map((m: any) => m.contactGroupMembership), [
    { contactGroupId: 'abc123', contactGroupResourceName: 'contactGroups/abc123' },
    { contactGroupId: 'starred', contactGroupResourceName: 'contactGroups/starred' }
  ], 'myContacts removed, the user group and starred added')
  // A member of a system group it could not be added to keeps it.
  const friend = await getPerson(t, app, 'people/c77', 'memberships', 'alice')
  const kept = await update(app, 'people/c77', { etag: friend.etag, memberships: [member('contactGroups/friends'), member('contactGroups/abc123')] }, 'updatePersonFields=memberships', 'alice')
  t.equal(kept.statusCode, 200)
  // Another account's group is not found.
  const bobs = await createContact(t, app, ADA, 'bob')
  const other = await update(app, bobs.resourceName, { etag: bobs.etag, memberships: [member('contactGroups/abc123')] }, 'updatePersonFields=memberships', 'bob')
  t.same(body(other), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Contact group "contactGroups/abc123" was not found.'))
})

t.test('rule 7: concurrent updates with one etag: exactly one wins, none is lost', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    update(app, ada.resourceName, { etag: ada.etag, nicknames: [{ value: `n${i}` }] }, 'updatePersonFields=nicknames')))
  const winners = results.filter(r => r.statusCode === 200)
  t.equal(winners.length, 1)
  for (const r of results.filter(r => r.statusCode !== 200)) t.same(body(r), apiError(400, 'FAILED_PRECONDITION', 'failedPrecondition', STALE_PERSON))
  const read = await getPerson(t, app, ada.resourceName, 'nicknames')
  t.same(read.nicknames[0].value, body(winners[0]!).nicknames[0].value)
})

t.test('rule 8: ten sequential updates, each with the previous response\'s etag', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  let etag = ada.etag
  const seen = new Set([etag])
  for (let i = 0; i < 10; i++) {
    const res = await update(app, ada.resourceName, { etag, names: [{ givenName: `Ada ${i}` }] }, 'updatePersonFields=names&personFields=names')
    t.equal(res.statusCode, 200, `update ${i}`)
    const person = body(res)
    assertConforms(t, 'Person', person)
    t.equal(person.names[0].givenName, `Ada ${i}`)
    t.notOk(seen.has(person.etag), 'every update gives a new etag')
    seen.add(person.etag)
    etag = person.etag
  }
})

t.test('two read masks give two etags, both valid until the contact changes', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const a = await getPerson(t, app, ada.resourceName, 'names')
  const b = await getPerson(t, app, ada.resourceName, 'names,emailAddresses')
  t.not(a.etag, b.etag)
  t.equal((await getPerson(t, app, ada.resourceName, 'emailAddresses,names')).etag, b.etag, 'the order of the mask does not matter')
  const withA = await update(app, ada.resourceName, { etag: a.etag, nicknames: [{ value: 'one' }] }, 'updatePersonFields=nicknames')
  t.equal(withA.statusCode, 200, 'the first etag is valid')
  const withB = await update(app, ada.resourceName, { etag: b.etag, nicknames: [{ value: 'two' }] }, 'updatePersonFields=nicknames')
  t.equal(withB.statusCode, 400, 'the second is stale once the contact changed')
  t.equal(body(withB).error.status, 'FAILED_PRECONDITION')
  const c = await getPerson(t, app, ada.resourceName, 'phoneNumbers')
  const d = await getPerson(t, app, ada.resourceName, 'urls,names')
  t.equal((await update(app, ada.resourceName, { etag: d.etag }, 'updatePersonFields=urls')).statusCode, 200, 'the other mask\'s etag works too, before a change')
  t.equal((await update(app, ada.resourceName, { etag: c.etag }, 'updatePersonFields=urls')).statusCode, 400)
})

t.test('personFields restricts the response; resourceName and etag always come', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const res = await update(app, ada.resourceName, { etag: ada.etag, names: [{ givenName: 'X' }] }, 'updatePersonFields=names&personFields=emailAddresses')
  const person = body(res)
  t.same(Object.keys(person).sort(), ['emailAddresses', 'etag', 'resourceName'])
})

t.test('unknown body fields and wrong types: Google\'s transcoding errors, nothing changes', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const unknown = await update(app, ada.resourceName, { etag: ada.etag, foo: 1 }, 'updatePersonFields=names')
  t.equal(unknown.statusCode, 400)
  const unknownMessage = 'Invalid JSON payload received. Unknown name "foo" at \'person\': Cannot find field.'
  t.same(body(unknown), { error: { code: 400, message: unknownMessage, errors: [{ message: unknownMessage, domain: 'global', reason: 'badRequest' }], status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'person', description: unknownMessage }] }] } })
  const nested = await update(app, ada.resourceName, { etag: ada.etag, names: [{ givenName: 'X', nick: 'y' }] }, 'updatePersonFields=names')
  t.equal(body(nested).error.message, 'Invalid JSON payload received. Unknown name "nick" at \'person.names[0]\': Cannot find field.')
  const wrong = await update(app, ada.resourceName, { etag: ada.etag, names: [{ givenName: 123 }] }, 'updatePersonFields=names')
  t.equal(wrong.statusCode, 400)
  const wrongMessage = 'Invalid value at \'person.names[0].given_name\' (TYPE_STRING), 123'
  t.same(body(wrong), { error: { code: 400, message: wrongMessage, errors: [{ message: wrongMessage, domain: 'global', reason: 'badRequest' }], status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'person.names[0].given_name', description: wrongMessage }] }] } })
  const notObject = await app.inject({ method: 'PATCH', url: `/v1/${ada.resourceName}:updateContact?updatePersonFields=names`, headers: { ...bearer(), 'content-type': 'application/json' }, payload: '[1,2]' })
  t.equal(body(notObject).error.message, 'Invalid value at \'person\' (type.googleapis.com/google.people.v1.Person), [1,2]')
  t.equal((await getPerson(t, app, ada.resourceName, 'names')).names[0].givenName, 'Ada')
})

t.test('output-only values sent by the client are ignored', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, ADA)
  const res = await update(app, ada.resourceName, {
    etag: ada.etag,
    names: [{ givenName: 'Ada', familyName: 'Byron', displayName: 'Someone Else', displayNameLastFirst: 'Else, Someone', metadata: { primary: false, verified: true } }],
    phoneNumbers: [{ value: '+1 650 253 0000', canonicalForm: '+10000000000', formattedType: 'Bogus' }]
  }, 'updatePersonFields=names,phoneNumbers')
  t.equal(res.statusCode, 200)
  const p = body(res)
  t.match(p.names[0], { displayName: 'Ada Byron', displayNameLastFirst: 'Byron, Ada', metadata: { primary: true } })
  t.notOk(p.names[0].metadata.verified)
  t.equal(p.phoneNumbers[0].canonicalForm, '+16502530000')
  t.notOk(p.phoneNumbers[0].formattedType)
})

t.test('a mutation by a read-only token never reaches the contact', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'a', tokens: [{ token: 'rw' }, { token: 'ro', scopes: ['https://www.googleapis.com/auth/contacts.readonly'] }] }] } })
  const ada = await createContact(t, app, ADA, 'rw')
  const res = await update(app, ada.resourceName, { etag: ada.etag, names: [{ givenName: 'X' }] }, 'updatePersonFields=names', 'ro')
  t.equal(res.statusCode, 403)
  t.equal((await getPerson(t, app, ada.resourceName, 'names', 'ro')).names[0].givenName, 'Ada')
})
