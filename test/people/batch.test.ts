/** people.batchCreateContacts, batchUpdateContacts and batchDeleteContacts. */
import t from 'tap'
import { bearer, body, build } from '../helpers/app.js'
import { apiError, createContact, getPerson } from '../helpers/people.js'
import { assertConforms } from '../helpers/schema.js'

const DOCS = 'https://developers.google.com/people/api/rest/v1/people/'

async function post (app: any, verb: string, payload: unknown): Promise<any> {
  return await app.inject({ method: 'POST', url: `/v1/people:${verb}`, headers: bearer(), payload })
}

async function exportedPeople (app: any): Promise<unknown[]> {
  return JSON.parse((await app.inject({ url: '/_emulator/export' })).body).accounts[0]?.people ?? []
}

t.test('batchCreateContacts: creates every contact, in order, with the read mask', async t => {
  const app = await build(t)
  const res = await post(app, 'batchCreateContacts', {
    contacts: [{ contactPerson: { names: [{ givenName: 'Ada' }] } }, { contactPerson: { names: [{ givenName: 'Bob' }], emailAddresses: [{ value: 'bob@example.com' }] } }],
    readMask: 'names'
  })
  t.equal(res.statusCode, 200)
  const out = body(res)
  assertConforms(t, 'BatchCreateContactsResponse', out)
  t.same(out.createdPeople.map((r: any) => r.person.names[0].givenName), ['Ada', 'Bob'])
  t.same(Object.keys(out.createdPeople[1].person).sort(), ['etag', 'names', 'resourceName'])
  const bob = await getPerson(t, app, out.createdPeople[1].person.resourceName, 'emailAddresses,memberships')
  t.equal(bob.emailAddresses[0].value, 'bob@example.com')
  t.equal(bob.memberships[0].contactGroupMembership.contactGroupId, 'myContacts')
})

t.test('batchCreateContacts: all or nothing, limits and a required read mask', async t => {
  const app = await build(t)
  const bad = await post(app, 'batchCreateContacts', {
    contacts: [{ contactPerson: { names: [{ givenName: 'Ada' }] } }, { contactPerson: { names: [{ givenName: 'A' }, { givenName: 'B' }] } }],
    readMask: 'names'
  })
  t.same(body(bad), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Cannot have more than one person.names per source.'))
  t.same(await exportedPeople(app), [], 'the valid first contact was not created either')
  const typed = await post(app, 'batchCreateContacts', { contacts: [{ contactPerson: { names: [{ givenName: 1 }] } }], readMask: 'names' })
  t.equal(body(typed).error.message, 'Invalid value at \'contacts[0].contact_person.names[0].given_name\' (TYPE_STRING), 1')
  t.same(body(await post(app, 'batchCreateContacts', { contacts: [{ contactPerson: {} }] })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `readMask mask is required. Please specify one or more valid paths. Valid paths are documented at ${DOCS}batchCreateContacts.`))
  t.same(body(await post(app, 'batchCreateContacts', { readMask: 'names' })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'contacts is required: specify at least one contact.'))
  const tooMany = await post(app, 'batchCreateContacts', { contacts: Array.from({ length: 201 }, () => ({ contactPerson: {} })), readMask: 'names' })
  t.same(body(tooMany), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'contacts has 201 values; at most 200 may be created at once.'))
  const ok = await post(app, 'batchCreateContacts', { contacts: Array.from({ length: 200 }, (_, i) => ({ contactPerson: { names: [{ givenName: `P${i}` }] } })), readMask: 'names' })
  t.equal(body(ok).createdPeople.length, 200)
})

t.test('batchUpdateContacts: every entry follows updateContact\'s rules', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const bob = await createContact(t, app, { names: [{ givenName: 'Bob' }], nicknames: [{ value: 'B' }] })
  const res = await post(app, 'batchUpdateContacts', {
    contacts: {
      [ada.resourceName]: { etag: ada.etag, names: [{ givenName: 'Augusta' }] },
      [bob.resourceName]: { metadata: { sources: [bob.metadata.sources[0]] }, names: [{ givenName: 'Robert' }] }
    },
    updateMask: 'names,nicknames',
    readMask: 'names,nicknames'
  })
  t.equal(res.statusCode, 200)
  const out = body(res)
  assertConforms(t, 'BatchUpdateContactsResponse', out)
  t.equal(out.updateResult[ada.resourceName].person.names[0].givenName, 'Augusta')
  t.equal(out.updateResult[bob.resourceName].person.names[0].givenName, 'Robert')
  t.notOk(out.updateResult[bob.resourceName].person.nicknames, 'a masked field absent from the entry is cleared')
})

t.test('batchUpdateContacts: all or nothing — one stale etag, one unknown contact, one bad name', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const bob = await createContact(t, app, { names: [{ givenName: 'Bob' }] })
  const cases: Array<[Record<string, unknown>, number, string]> = [
    [{ [ada.resourceName]: { etag: ada.etag, names: [{ givenName: 'X' }] }, [bob.resourceName]: { etag: '%stale', names: [{ givenName: 'Y' }] } }, 400, 'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.'],
    [{ [ada.resourceName]: { etag: ada.etag, names: [{ givenName: 'X' }] }, 'people/c1': { etag: ada.etag, names: [{ givenName: 'Y' }] } }, 404, 'Requested entity was not found.'],
    [{ [ada.resourceName]: { etag: ada.etag, names: [{ givenName: 'X' }] }, 'people/me': { etag: ada.etag } }, 400, 'Resource name "people/me" is not a valid contact person resource.'],
    [{ [ada.resourceName]: { names: [{ givenName: 'X' }] } }, 400, 'Request must set person.etag or person.metadata.sources.etag for the source that is being updated.']
  ]
  for (const [contacts, status, message] of cases) {
    const res = await post(app, 'batchUpdateContacts', { contacts, updateMask: 'names', readMask: 'names' })
    t.equal(res.statusCode, status, message)
    t.equal(body(res).error.message, message)
    t.equal((await getPerson(t, app, ada.resourceName, 'names')).names[0].givenName, 'Ada', 'the valid entry was not applied')
  }
  const typed = await post(app, 'batchUpdateContacts', { contacts: { [ada.resourceName]: { names: [{ givenName: 5 }] } }, updateMask: 'names', readMask: 'names' })
  t.equal(body(typed).error.message, `Invalid value at 'contacts[${ada.resourceName}].names[0].given_name' (TYPE_STRING), 5`)
})

t.test('batchUpdateContacts: masks required, at most 200 contacts', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const contacts = { [ada.resourceName]: { etag: ada.etag } }
  t.same(body(await post(app, 'batchUpdateContacts', { contacts, readMask: 'names' })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `updateMask mask is required. Please specify one or more valid paths. Valid paths are documented at ${DOCS}batchUpdateContacts.`))
  t.same(body(await post(app, 'batchUpdateContacts', { contacts, updateMask: 'photos', readMask: 'names' })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Invalid updateMask mask path: "photos". Valid paths are documented at ${DOCS}batchUpdateContacts.`))
  t.same(body(await post(app, 'batchUpdateContacts', { contacts, updateMask: 'names' })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `readMask mask is required. Please specify one or more valid paths. Valid paths are documented at ${DOCS}batchUpdateContacts.`))
  t.same(body(await post(app, 'batchUpdateContacts', { updateMask: 'names', readMask: 'names' })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'contacts is required: specify at least one contact.'))
  const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`people/c${i + 1}`, { etag: '%x' }]))
  t.same(body(await post(app, 'batchUpdateContacts', { contacts: many, updateMask: 'names', readMask: 'names' })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'contacts has 201 values; at most 200 may be updated at once.'))
})

t.test('batchDeleteContacts: deletes all, or nothing when one is not found; at most 500', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const bob = await createContact(t, app, { names: [{ givenName: 'Bob' }] })
  const missing = await post(app, 'batchDeleteContacts', { resourceNames: [ada.resourceName, 'people/c1'] })
  t.same(body(missing), apiError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.'))
  t.equal((await exportedPeople(app)).length, 2, 'nothing deleted')
  t.same(body(await post(app, 'batchDeleteContacts', { resourceNames: ['people/me'] })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Resource name "people/me" is not a valid contact person resource.'))
  const res = await post(app, 'batchDeleteContacts', { resourceNames: [ada.resourceName, bob.resourceName, ada.resourceName] })
  t.equal(res.statusCode, 200)
  t.same(body(res), {})
  t.same(await exportedPeople(app), [])
  t.same(body(await post(app, 'batchDeleteContacts', {})), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'resourceNames is required: specify at least one resource name.'))
  const tooMany = await post(app, 'batchDeleteContacts', { resourceNames: Array.from({ length: 501 }, (_, i) => `people/c${i + 1}`) })
  t.same(body(tooMany), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'resourceNames has 501 values; at most 500 may be deleted at once.'))
})
