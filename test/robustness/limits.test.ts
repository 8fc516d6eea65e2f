/** Google's product limits (FIDELITY.md: limits): 1,024 characters per field value, 25,000 contacts. */
import t from 'tap'
import { bearer, body, build } from '../helpers/app.js'
import { apiError, createContact } from '../helpers/people.js'

t.test('a field value over 1,024 characters is 400, on create and on update, for contacts and groups', async t => {
  const app = await build(t)
  const long = 'x'.repeat(1025)
  const create = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: { names: [{ givenName: 'Ada', familyName: long }] } })
  t.same(body(create), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Invalid value at \'person.names[0].family_name\': a field value may hold at most 1024 characters.'))
  const ok = await createContact(t, app, { names: [{ givenName: 'y'.repeat(1024) }], biographies: [{ value: '😀'.repeat(1024) }] })
  t.equal(ok.names[0].givenName.length, 1024, '1,024 characters are fine (counted as characters, not UTF-16 units)')
  const update = await app.inject({ method: 'PATCH', url: `/v1/${ok.resourceName}:updateContact?updatePersonFields=urls`, headers: bearer(), payload: { etag: ok.etag, urls: [{ value: long }] } })
  t.same(body(update), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Invalid value at \'person.urls[0].value\': a field value may hold at most 1024 characters.'))
  const outside = await app.inject({ method: 'PATCH', url: `/v1/${ok.resourceName}:updateContact?updatePersonFields=urls`, headers: bearer(), payload: { etag: ok.etag, nicknames: [{ value: long }] } })
  t.equal(outside.statusCode, 200, 'a field outside the mask is ignored, long or not')
  const group = await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(), payload: { contactGroup: { name: long } } })
  t.same(body(group), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Invalid value at \'contact_group.name\': a field value may hold at most 1024 characters.'))
})

t.test('an account holds at most 25,000 contacts', async t => {
  const app = await build(t)
  const people = Array.from({ length: 24999 }, (_, i) => ({ names: [{ givenName: `P${i}` }] }))
  const imported = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'full', tokens: [{ token: 'full' }], people }] } })
  t.equal(imported.statusCode, 200)
  await createContact(t, app, { names: [{ givenName: 'The 25,000th' }] }, 'full')
  const over = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer('full'), payload: { names: [{ givenName: 'One too many' }] } })
  t.same(body(over), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'The account already holds 25000 contacts, the most an account may have.'))
  const batch = await app.inject({ method: 'POST', url: '/v1/people:batchCreateContacts', headers: bearer('full'), payload: { contacts: [{ contactPerson: {} }], readMask: 'names' } })
  t.equal(batch.statusCode, 400)
  const tooMany = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'x', people: Array.from({ length: 25001 }, () => ({})) }] } })
  t.same(body(tooMany).error.message, 'Invalid fixture document: accounts[0].people: an account holds at most 25000 contacts')
})
