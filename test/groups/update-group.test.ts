/** contactGroups.update: every rule of FIDELITY.md's contactGroups.update rows. */
import t from 'tap'
import { body, build, printable } from '../helpers/app.js'
import { createGroup, getGroup, updateGroup } from '../helpers/groups.js'
import { apiError } from '../helpers/people.js'
import { assertConforms } from '../helpers/schema.js'

const DOCS = 'https://developers.google.com/people/api/rest/v1/contactGroups/'
const STALE = 'Request contactGroup.etag is different than the current contactGroup.etag. Clear local cache and get the latest contact group.'

t.test('renames a group: the default mask is name, the default read mask metadata,groupType,name', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club', 'test-token', { clientData: [{ key: 'k', value: 'v' }] })
  const res = await updateGroup(app, club.resourceName, { contactGroup: { etag: club.etag, name: 'Reading circle', clientData: [] } })
  t.equal(res.statusCode, 200)
  const group = body(res)
  assertConforms(t, 'ContactGroup', group)
  t.same(Object.keys(group).sort(), ['etag', 'formattedName', 'groupType', 'metadata', 'name', 'resourceName'])
  t.match(group, { resourceName: club.resourceName, name: 'Reading circle', formattedName: 'Reading circle', groupType: 'USER_CONTACT_GROUP' })
  t.not(group.etag, club.etag, 'a new etag')
  t.ok(group.metadata.updateTime > club.metadata.updateTime, 'a later update time')
  const read = await getGroup(t, app, club.resourceName, '?groupFields=clientData,name')
  t.same(read.clientData, [{ key: 'k', value: 'v' }], 'clientData was outside the default mask: untouched')
})

t.test('masked fields are replaced or cleared', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club', 'test-token', { clientData: [{ key: 'k', value: 'v' }] })
  const res = await updateGroup(app, club.resourceName, { contactGroup: { name: 'ignored' }, updateGroupFields: 'clientData', readGroupFields: 'name,clientData' })
  t.equal(res.statusCode, 200)
  t.same(body(res), { resourceName: club.resourceName, etag: body(res).etag, name: 'Book club', formattedName: 'Book club' }, 'clientData cleared, name untouched')
  const both = await updateGroup(app, club.resourceName, { contactGroup: { name: 'Club', clientData: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] }, updateGroupFields: 'name,clientData', readGroupFields: 'clientData,name' })
  t.same(body(both).clientData, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }])
  t.equal(body(both).name, 'Club')
})

t.test('update and read masks: valid paths only, in JSON or proto form', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const badUpdate = await updateGroup(app, club.resourceName, { contactGroup: { name: 'x' }, updateGroupFields: 'name,memberCount' })
  t.same(body(badUpdate), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Invalid updateGroupFields mask path: "memberCount". Valid paths are documented at ${DOCS}update.`))
  const badRead = await updateGroup(app, club.resourceName, { contactGroup: { name: 'x' }, readGroupFields: 'name,etag' })
  t.same(body(badRead), apiError(400, 'INVALID_ARGUMENT', 'badRequest', `Invalid readGroupFields mask path: "etag". Valid paths are documented at ${DOCS}update.`))
  const proto = await updateGroup(app, club.resourceName, { contact_group: { name: 'Club', client_data: [{ key: 'k', value: 'v' }] }, update_group_fields: 'name,client_data', read_group_fields: 'client_data,member_count' })
  t.equal(proto.statusCode, 200)
  t.same(body(proto).clientData, [{ key: 'k', value: 'v' }])
})

t.test('the response carries exactly the read mask plus resourceName and etag; memberCount only when not zero', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const res = await updateGroup(app, club.resourceName, { contactGroup: { name: 'Club' }, readGroupFields: 'memberCount,groupType' })
  t.same(Object.keys(body(res)).sort(), ['etag', 'groupType', 'resourceName'], 'no memberCount at zero, no name')
  await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { authorization: 'Bearer test-token' }, payload: { memberships: [{ contactGroupMembership: { contactGroupResourceName: club.resourceName } }] } })
  const after = await getGroup(t, app, club.resourceName, '?groupFields=memberCount')
  const withCount = await updateGroup(app, club.resourceName, { contactGroup: { name: 'Club 2', etag: after.etag }, readGroupFields: 'memberCount' })
  t.same(body(withCount), { resourceName: club.resourceName, etag: body(withCount).etag, memberCount: 1 })
})

t.test('an empty name is 400', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  for (const contactGroup of [{ name: '' }, { name: '   ' }, {}]) {
    const res = await updateGroup(app, club.resourceName, { contactGroup })
    t.same(body(res), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Contact group name must not be empty.'), JSON.stringify(contactGroup))
  }
  t.same(body(await updateGroup(app, club.resourceName, {})), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Contact group name must not be empty.'), 'no contactGroup at all')
})

t.test('a name another group of the account has is 409 ALREADY_EXISTS, and nothing changes', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const chess = await createGroup(t, app, 'Chess')
  for (const name of ['Chess', ' Chess ', 'Chess\t', '\u3000Chess\u00a0', 'Chess\u2028', 'myContacts', 'starred']) {
    const res = await updateGroup(app, club.resourceName, { contactGroup: { etag: club.etag, name } })
    t.equal(res.statusCode, 409, printable(name))
    t.same(body(res), apiError(409, 'ALREADY_EXISTS', 'duplicate', 'Contact group name already exists.'))
  }
  const still = await getGroup(t, app, club.resourceName, '?groupFields=name')
  t.equal(still.name, 'Book club')
  t.equal(still.etag, club.etag, 'the etag did not change either')
  t.equal((await getGroup(t, app, chess.resourceName, '?groupFields=name')).name, 'Chess')
  t.equal((await updateGroup(app, club.resourceName, { contactGroup: { name: 'chess' } })).statusCode, 200, 'the comparison is exact: case counts')
})

t.test('renaming a group to its own name is no conflict; another account\'s names do not count', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  t.equal((await updateGroup(app, club.resourceName, { contactGroup: { name: 'Book club' } })).statusCode, 200)
  t.equal((await updateGroup(app, club.resourceName, { contactGroup: { name: ' Book club' } })).statusCode, 200)
  await createGroup(t, app, 'Chess', 'other-account')
  t.equal((await updateGroup(app, club.resourceName, { contactGroup: { name: 'Chess' } })).statusCode, 200)
})

t.test('a stale etag is 400 FAILED_PRECONDITION; no etag is accepted', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const first = await updateGroup(app, club.resourceName, { contactGroup: { etag: club.etag, name: 'One' } })
  t.equal(first.statusCode, 200)
  const stale = await updateGroup(app, club.resourceName, { contactGroup: { etag: club.etag, name: 'Two' } })
  t.equal(stale.statusCode, 400)
  t.same(body(stale), apiError(400, 'FAILED_PRECONDITION', 'failedPrecondition', STALE))
  const none = await updateGroup(app, club.resourceName, { contactGroup: { name: 'Three' } })
  t.equal(none.statusCode, 200)
  const chained = await updateGroup(app, club.resourceName, { contactGroup: { etag: body(none).etag, name: 'Four' } })
  t.equal(chained.statusCode, 200, 'the returned etag is good for the next update')
})

t.test('an unknown group or another account\'s is 404; a malformed name is 400', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  for (const [name, token] of [['contactGroups/abc123', 'test-token'], [club.resourceName, 'other-account']]) {
    const res = await updateGroup(app, name!, { contactGroup: { name: 'x' } }, token)
    t.equal(res.statusCode, 404)
    t.same(body(res), apiError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.'))
  }
  t.equal((await getGroup(t, app, club.resourceName, '?groupFields=name')).name, 'Book club')
  const malformed = await updateGroup(app, 'contactGroups/a-b', { contactGroup: { name: 'x' } })
  t.same(body(malformed), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Resource name "contactGroups/a-b" is not a valid contact group resource.'))
})

t.test('system groups cannot be renamed: 400 FAILED_PRECONDITION', async t => {
  const app = await build(t)
  for (const id of ['myContacts', 'starred', 'friends', 'family', 'coworkers', 'chatBuddies', 'all', 'blocked']) {
    const res = await updateGroup(app, `contactGroups/${id}`, { contactGroup: { name: 'Mine' } })
    t.equal(res.statusCode, 400, id)
    t.same(body(res), apiError(400, 'FAILED_PRECONDITION', 'failedPrecondition', 'Cannot modify a system contact group.'))
  }
})

t.test('unknown body fields and wrong types: Google\'s transcoding errors', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  t.equal(body(await updateGroup(app, club.resourceName, { contactGroup: { name: 'x' }, foo: 1 })).error.message, 'Invalid JSON payload received. Unknown name "foo": Cannot find field.')
  t.equal(body(await updateGroup(app, club.resourceName, { contactGroup: { name: 'x', color: 'red' } })).error.message, 'Invalid JSON payload received. Unknown name "color" at \'contact_group\': Cannot find field.')
  t.equal(body(await updateGroup(app, club.resourceName, { contactGroup: { name: 7 } })).error.message, 'Invalid value at \'contact_group.name\' (TYPE_STRING), 7')
})

t.test('output-only fields sent by the client are ignored', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const res = await updateGroup(app, club.resourceName, {
    contactGroup: { name: 'Club', resourceName: 'contactGroups/elsewhere', groupType: 'SYSTEM_CONTACT_GROUP', formattedName: 'Bogus', memberCount: 99, metadata: { deleted: true } },
    readGroupFields: 'name,groupType,memberCount,metadata'
  })
  t.equal(res.statusCode, 200)
  t.match(body(res), { resourceName: club.resourceName, name: 'Club', formattedName: 'Club', groupType: 'USER_CONTACT_GROUP' })
  t.notOk(body(res).memberCount)
  t.notOk(body(res).metadata.deleted)
})

t.test('concurrent renames carrying one etag: exactly one wins', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => updateGroup(app, club.resourceName, { contactGroup: { etag: club.etag, name: `Name ${i}` } })))
  t.equal(results.filter(r => r.statusCode === 200).length, 1)
  for (const r of results.filter(r => r.statusCode !== 200)) t.same(body(r), apiError(400, 'FAILED_PRECONDITION', 'failedPrecondition', STALE))
})

t.test('the answer of an update is what a read of the group gives right after, every field and the member count', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club', 'test-token', { clientData: [{ key: 'k', value: 'v' }] })
  // Two members, so that the count the answer carries is not just a default.
  for (const givenName of ['Ada', 'Grace']) {
    const person = body(await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { authorization: 'Bearer test-token' }, payload: { names: [{ givenName }], memberships: [{ contactGroupMembership: { contactGroupResourceName: club.resourceName } }] } }))
    t.ok(person.resourceName)
  }
  const fresh = await getGroup(t, app, club.resourceName, '?groupFields=clientData,groupType,memberCount,metadata,name')
  const res = await updateGroup(app, club.resourceName, { contactGroup: { etag: fresh.etag, name: '  Reading circle ', clientData: [{ key: 'a', value: '1' }, { key: 'b' }] }, updateGroupFields: 'name,clientData', readGroupFields: 'clientData,groupType,memberCount,metadata,name' })
  t.equal(res.statusCode, 200)
  const read = await getGroup(t, app, club.resourceName, '?groupFields=clientData,groupType,memberCount,metadata,name')
  t.same(body(res), read)
  t.equal(read.memberCount, 2)
})
