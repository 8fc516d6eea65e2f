/** The contact-group surface: system groups, create, get, batchGet, list, delete, members.modify. */
import t from 'tap'
import { bearer, body, build } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { createGroup, getGroup, member, modify, updateGroup } from '../helpers/groups.js'
import { apiError, createContact, getPerson, update } from '../helpers/people.js'
import { assertConforms } from '../helpers/schema.js'

const SYSTEM = [['myContacts', 'My Contacts'], ['starred', 'Starred'], ['friends', 'Friends'], ['family', 'Family'], ['coworkers', 'Coworkers'], ['chatBuddies', 'Chat contacts'], ['all', 'All Contacts'], ['blocked', 'Blocked']]

async function list (app: any, query = '', token = 'test-token'): Promise<any> {
  const res = await app.inject({ url: `/v1/contactGroups${query}`, headers: bearer(token) })
  if (res.statusCode === 200) assertConforms({ same: (a: unknown, b: unknown) => { if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(JSON.stringify(a)) } }, 'ListContactGroupsResponse', body(res))
  return { status: res.statusCode, body: body(res) }
}

t.test('every account has the system groups from its first request: no etag, no metadata, English names', async t => {
  const app = await build(t)
  const { status, body: page } = await list(app)
  t.equal(status, 200)
  t.same(page.contactGroups, SYSTEM.map(([id, formattedName]) => ({ resourceName: `contactGroups/${id}`, groupType: 'SYSTEM_CONTACT_GROUP', name: id, formattedName })))
  t.equal(page.totalItems, 8)
  t.ok(page.nextSyncToken)
  const my = await getGroup(t, app, 'contactGroups/myContacts')
  t.same(my, { resourceName: 'contactGroups/myContacts', groupType: 'SYSTEM_CONTACT_GROUP', name: 'myContacts', formattedName: 'My Contacts' })
})

t.test('create: a user group with an etag and metadata; names unique (409); empty name 400', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club', 'test-token', { clientData: [{ key: 'k', value: 'v' }] })
  t.match(club.resourceName, /^contactGroups\/[0-9a-f]{15}$/)
  t.match(club.etag, /^[A-Za-z0-9+/]{11}=$/)
  t.same(Object.keys(club).sort(), ['etag', 'formattedName', 'groupType', 'metadata', 'name', 'resourceName'], 'default read mask: metadata, groupType, name')
  t.match(club.metadata.updateTime, /\.\d{6}Z$/)
  for (const name of ['Book club', ' Book club', 'myContacts']) {
    const res = await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(), payload: { contactGroup: { name } } })
    t.equal(res.statusCode, 409, name)
    t.same(body(res), apiError(409, 'ALREADY_EXISTS', 'duplicate', 'Contact group name already exists.'))
  }
  const empty = await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(), payload: { contactGroup: { name: ' ' } } })
  t.same(body(empty), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Contact group name must not be empty.'))
  const withMask = await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(), payload: { contactGroup: { name: 'Chess' }, readGroupFields: 'clientData,name' } })
  t.same(Object.keys(body(withMask)).sort(), ['etag', 'formattedName', 'name', 'resourceName'])
  const badMask = await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(), payload: { contactGroup: { name: 'Go' }, readGroupFields: 'memberCount' } })
  t.same(body(badMask), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Invalid readGroupFields mask path: "memberCount". Valid paths are documented at https://developers.google.com/people/api/rest/v1/contactGroups/create.'))
  t.equal((await createGroup(t, app, 'Book club', 'other-account')).name, 'Book club', 'another account may use the name')
})

t.test('get: groupFields, maxMembers and 404', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const people = []
  for (const name of ['A', 'B', 'C']) people.push(await createContact(t, app, { names: [{ givenName: name }], memberships: [member(club.resourceName)] }))
  const full = await getGroup(t, app, club.resourceName)
  t.same(Object.keys(full).sort(), ['etag', 'formattedName', 'groupType', 'memberCount', 'metadata', 'name', 'resourceName'])
  t.equal(full.memberCount, 3)
  t.notOk(full.memberResourceNames, 'no members without maxMembers')
  const two = await getGroup(t, app, club.resourceName, '?maxMembers=2&groupFields=name')
  t.same(two.memberResourceNames, people.slice(0, 2).map(p => p.resourceName))
  const all = await getGroup(t, app, club.resourceName, '?maxMembers=100&groupFields=clientData')
  t.same(all.memberResourceNames, people.map(p => p.resourceName))
  t.same(Object.keys(all).sort(), ['etag', 'memberResourceNames', 'resourceName'])
  const my = await getGroup(t, app, 'contactGroups/myContacts', '?maxMembers=10&groupFields=memberCount')
  t.equal(my.memberCount, 3)
  const missing = await app.inject({ url: '/v1/contactGroups/abc', headers: bearer() })
  t.same(body(missing), apiError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.'))
  const other = await app.inject({ url: `/v1/${club.resourceName}`, headers: bearer('other-account') })
  t.equal(other.statusCode, 404)
  const negative = await app.inject({ url: `/v1/${club.resourceName}?maxMembers=-1`, headers: bearer() })
  t.same(body(negative), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'maxMembers must not be negative.'))
})

t.test('batchGet: one entry per name, at most 200', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const res = await app.inject({ url: `/v1/contactGroups:batchGet?resourceNames=${club.resourceName}&resourceNames=contactGroups/starred&resourceNames=contactGroups/nope&resourceNames=bogus`, headers: bearer() })
  t.equal(res.statusCode, 200)
  const out = body(res)
  assertConforms(t, 'BatchGetContactGroupsResponse', out)
  t.equal(out.responses[0].contactGroup.name, 'Book club')
  t.equal(out.responses[1].contactGroup.formattedName, 'Starred')
  t.same(out.responses[2], { requestedResourceName: 'contactGroups/nope', status: { code: 5, message: 'Requested entity was not found.' } })
  t.same(out.responses[3], { requestedResourceName: 'bogus', status: { code: 3, message: 'Resource name "bogus" is not a valid contact group resource.' } })
  const none = await app.inject({ url: '/v1/contactGroups:batchGet', headers: bearer() })
  t.same(body(none), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'resourceNames is required: specify at least one resource name.'))
  const many = await app.inject({ url: `/v1/contactGroups:batchGet?${Array.from({ length: 201 }, (_, i) => `resourceNames=contactGroups/g${i}`).join('&')}`, headers: bearer() })
  t.same(body(many), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'resourceNames has 201 values; at most 200 may be requested at once.'))
})

t.test('list: pages of pageSize (default 30, 1 to 1000), page tokens bound to the parameters', async t => {
  const app = await build(t)
  for (let i = 0; i < 35; i++) await createGroup(t, app, `Group ${String(i).padStart(2, '0')}`)
  const first = await list(app)
  t.equal(first.body.contactGroups.length, 30)
  t.equal(first.body.totalItems, 43)
  t.ok(first.body.nextPageToken)
  t.notOk(first.body.nextSyncToken, 'the sync token comes with the last page')
  const second = await list(app, `?pageToken=${first.body.nextPageToken}`)
  t.equal(second.body.contactGroups.length, 13)
  t.notOk(second.body.nextPageToken)
  t.ok(second.body.nextSyncToken)
  const names = [...first.body.contactGroups, ...second.body.contactGroups].map((g: any) => g.resourceName)
  t.equal(new Set(names).size, 43, 'every group once')
  const small = await list(app, '?pageSize=1')
  t.equal(small.body.contactGroups.length, 1)
  for (const size of ['-1', '1001']) {
    const res = await list(app, `?pageSize=${size}`)
    t.same(res.body, apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'pageSize must be between 1 and 1000.'), size)
  }
  const mismatched = await list(app, `?pageToken=${first.body.nextPageToken}&groupFields=name`)
  t.same(mismatched.body, apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Page token is invalid or was issued for a request with different parameters.'))
  t.equal((await list(app, '?pageToken=garbage')).status, 400)
  const named = await list(app, '?groupFields=name&pageSize=1')
  t.same(Object.keys(named.body.contactGroups[0]).sort(), ['etag', 'formattedName', 'name', 'resourceName'])
})

t.test('list with a sync token: only groups changed since, deleted ones flagged', async t => {
  const app = await build(t)
  const keep = await createGroup(t, app, 'Keep')
  const rename = await createGroup(t, app, 'Rename')
  const drop = await createGroup(t, app, 'Drop')
  const full = await list(app)
  const token = full.body.nextSyncToken
  const nothing = await list(app, `?syncToken=${token}`)
  t.same(nothing.body, { nextSyncToken: nothing.body.nextSyncToken }, 'no changes: nothing listed')
  await updateGroup(app, rename.resourceName, { contactGroup: { name: 'Renamed' } })
  await app.inject({ method: 'DELETE', url: `/v1/${drop.resourceName}`, headers: bearer() })
  const added = await createGroup(t, app, 'Added')
  const changes = await list(app, `?syncToken=${token}`)
  t.equal(changes.status, 200)
  t.same(changes.body.contactGroups.map((g: any) => g.resourceName), [rename.resourceName, drop.resourceName, added.resourceName])
  t.equal(changes.body.contactGroups[0].name, 'Renamed')
  t.same(changes.body.contactGroups[1], { resourceName: drop.resourceName, metadata: { deleted: true } })
  t.equal(changes.body.totalItems, 3)
  t.notOk(changes.body.contactGroups.find((g: any) => g.resourceName === keep.resourceName))
  const after = await list(app, `?syncToken=${changes.body.nextSyncToken}`)
  t.notOk(after.body.contactGroups, 'the new token starts after those changes')
  t.same((await list(app, '?syncToken=not-a-token')).body, apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Sync token is invalid.'))
})

t.test('a sync token expires after 7 days of emulator time', async t => {
  const clock = manualClock()
  const app = await build(t, {}, { clock })
  const token = (await list(app)).body.nextSyncToken
  clock.advanceMs(7 * 24 * 3600 * 1000 - 1000)
  t.equal((await list(app, `?syncToken=${token}`)).status, 200, 'still good just before 7 days')
  clock.advanceMs(2000)
  const expired = await list(app, `?syncToken=${token}`)
  t.equal(expired.status, 400)
  t.same(expired.body, {
    error: {
      code: 400,
      message: 'Sync token is expired. Clear local cache and retry call without the sync token.',
      errors: [{ message: 'Sync token is expired. Clear local cache and retry call without the sync token.', domain: 'global', reason: 'failedPrecondition' }],
      status: 'FAILED_PRECONDITION',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'EXPIRED_SYNC_TOKEN', domain: 'people.googleapis.com' }]
    }
  })
})

t.test('delete: members lose the membership; a contact left with none falls back to myContacts', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const chess = await createGroup(t, app, 'Chess')
  const both = await createContact(t, app, { names: [{ givenName: 'Both' }], memberships: [member(club.resourceName), member(chess.resourceName)] })
  const onlyClub = await getPerson(t, app, both.resourceName, 'memberships')
  const lone = await createContact(t, app, { names: [{ givenName: 'Lone' }], memberships: [member(club.resourceName)] })
  const loneOnly = await update(app, lone.resourceName, { etag: lone.etag, memberships: [member(club.resourceName)] }, 'updatePersonFields=memberships&personFields=memberships')
  t.same(body(loneOnly).memberships.map((m: any) => m.contactGroupMembership.contactGroupId), [club.resourceName.slice(14)])
  const chessBefore = await getGroup(t, app, chess.resourceName, '?groupFields=memberCount')
  const res = await app.inject({ method: 'DELETE', url: `/v1/${club.resourceName}`, headers: bearer() })
  t.equal(res.statusCode, 200)
  t.same(body(res), {})
  t.equal((await app.inject({ url: `/v1/${club.resourceName}`, headers: bearer() })).statusCode, 404)
  const bothAfter = await getPerson(t, app, both.resourceName, 'memberships')
  t.same(bothAfter.memberships.map((m: any) => m.contactGroupMembership.contactGroupId), ['myContacts', chess.resourceName.slice(14)])
  t.not(bothAfter.etag, onlyClub.etag, 'the member\'s etag changed')
  const loneAfter = await getPerson(t, app, lone.resourceName, 'memberships')
  t.same(loneAfter.memberships.map((m: any) => m.contactGroupMembership.contactGroupId), ['myContacts'], 'fell back to myContacts')
  t.equal((await getGroup(t, app, chess.resourceName, '?groupFields=memberCount')).etag, chessBefore.etag, 'an unrelated group keeps its etag')
})

t.test('delete with deleteContacts=true deletes the members too', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const chess = await createGroup(t, app, 'Chess')
  const a = await createContact(t, app, { memberships: [member(club.resourceName), member(chess.resourceName)] })
  const b = await createContact(t, app, { names: [{ givenName: 'Outsider' }] })
  const chessBefore = await getGroup(t, app, chess.resourceName)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/${club.resourceName}?deleteContacts=true`, headers: bearer() })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/${a.resourceName}?personFields=names`, headers: bearer() })).statusCode, 404)
  t.equal((await app.inject({ url: `/v1/${b.resourceName}?personFields=names`, headers: bearer() })).statusCode, 200)
  const chessAfter = await getGroup(t, app, chess.resourceName)
  t.notOk(chessAfter.memberCount, 'the deleted member left the other group')
  t.not(chessAfter.etag, chessBefore.etag)
})

t.test('delete: system groups are 400 FAILED_PRECONDITION; unknown ones 404', async t => {
  const app = await build(t)
  for (const id of ['myContacts', 'starred', 'all']) {
    const res = await app.inject({ method: 'DELETE', url: `/v1/contactGroups/${id}`, headers: bearer() })
    t.same(body(res), apiError(400, 'FAILED_PRECONDITION', 'failedPrecondition', 'Cannot modify a system contact group.'))
  }
  const res = await app.inject({ method: 'DELETE', url: '/v1/contactGroups/abc', headers: bearer() })
  t.same(body(res), apiError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.'))
})

t.test('members.modify: add and remove, visible in memberCount, memberResourceNames and the contact, every etag changed', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const add = await modify(app, club.resourceName, { resourceNamesToAdd: [ada.resourceName] })
  t.equal(add.statusCode, 200)
  t.same(body(add), {})
  const withAda = await getGroup(t, app, club.resourceName, '?maxMembers=10')
  t.equal(withAda.memberCount, 1)
  t.same(withAda.memberResourceNames, [ada.resourceName])
  t.not(withAda.etag, club.etag, 'the group etag changed')
  const adaIn = await getPerson(t, app, ada.resourceName, 'memberships,metadata')
  t.same(adaIn.memberships.map((m: any) => m.contactGroupMembership), [
    { contactGroupId: 'myContacts', contactGroupResourceName: 'contactGroups/myContacts' },
    { contactGroupId: club.resourceName.slice(14), contactGroupResourceName: club.resourceName }
  ])
  t.not(adaIn.metadata.sources[0].etag, ada.metadata.sources[0].etag, 'the contact etag changed')
  const stale = await update(app, ada.resourceName, { etag: ada.etag, nicknames: [{ value: 'x' }] }, 'updatePersonFields=nicknames')
  t.equal(body(stale).error.status, 'FAILED_PRECONDITION', 'the contact\'s old etag is stale')

  const remove = await modify(app, club.resourceName, { resourceNamesToRemove: [ada.resourceName] })
  t.same(body(remove), {})
  const without = await getGroup(t, app, club.resourceName, '?maxMembers=10')
  t.notOk(without.memberCount)
  t.notOk(without.memberResourceNames)
  t.not(without.etag, withAda.etag)
  const adaOut = await getPerson(t, app, ada.resourceName, 'memberships,metadata')
  t.same(adaOut.memberships.map((m: any) => m.contactGroupMembership.contactGroupId), ['myContacts'])
  t.not(adaOut.metadata.sources[0].etag, adaIn.metadata.sources[0].etag)
})

t.test('members.modify: unknown names, last memberships, repeats and limits', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  await modify(app, club.resourceName, { resourceNamesToAdd: [ada.resourceName] })
  await update(app, ada.resourceName, { etag: (await getPerson(t, app, ada.resourceName, 'names')).etag, memberships: [member(club.resourceName)] }, 'updatePersonFields=memberships')
  const other = await createContact(t, app, { names: [{ givenName: 'Other' }] }, 'other-account')
  const res = await modify(app, club.resourceName, {
    resourceNamesToAdd: ['people/c1', other.resourceName, 'people/me', ada.resourceName],
    resourceNamesToRemove: [ada.resourceName, 'people/c2']
  })
  t.equal(res.statusCode, 200)
  const out = body(res)
  assertConforms(t, 'ModifyContactGroupMembersResponse', out)
  t.same(out, {
    notFoundResourceNames: ['people/c1', other.resourceName, 'people/me', 'people/c2'],
    canNotRemoveLastContactGroupResourceNames: [ada.resourceName]
  })
  t.equal((await getGroup(t, app, club.resourceName)).memberCount, 1, 'the last membership stays')
  const tooMany = await modify(app, club.resourceName, { resourceNamesToAdd: Array.from({ length: 600 }, (_, i) => `people/c${i + 1}`), resourceNamesToRemove: Array.from({ length: 401 }, (_, i) => `people/c${i + 1}`) })
  t.same(body(tooMany), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'resourceNamesToAdd and resourceNamesToRemove hold 1001 names together; at most 1000 are allowed.'))
  const thousand = await modify(app, club.resourceName, { resourceNamesToAdd: Array.from({ length: 1000 }, (_, i) => `people/c${i + 1}`) })
  t.equal(thousand.statusCode, 200)
  t.equal(body(thousand).notFoundResourceNames.length, 1000)
})

t.test('members.modify: only user groups, myContacts and starred take new members', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  for (const id of ['friends', 'family', 'coworkers', 'chatBuddies', 'all', 'blocked']) {
    const res = await modify(app, `contactGroups/${id}`, { resourceNamesToAdd: [ada.resourceName] })
    t.same(body(res), apiError(400, 'FAILED_PRECONDITION', 'failedPrecondition', `Cannot add contacts to the system contact group "contactGroups/${id}".`), id)
  }
  t.same(body(await modify(app, 'contactGroups/starred', { resourceNamesToAdd: [ada.resourceName] })), {})
  t.equal((await getGroup(t, app, 'contactGroups/starred')).memberCount, 1)
  t.equal((await modify(app, 'contactGroups/abc', { resourceNamesToAdd: [ada.resourceName] })).statusCode, 404)
  t.equal((await modify(app, 'contactGroups/friends', { resourceNamesToRemove: [ada.resourceName] })).statusCode, 200, 'removing from any group is allowed')
})

t.test('a contact update of memberships changes the group etag and memberCount', async t => {
  const app = await build(t)
  const club = await createGroup(t, app, 'Book club')
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const res = await update(app, ada.resourceName, { etag: ada.etag, memberships: [member('contactGroups/myContacts'), member(club.resourceName)] }, 'updatePersonFields=memberships')
  t.equal(res.statusCode, 200)
  const after = await getGroup(t, app, club.resourceName, '?maxMembers=5')
  t.equal(after.memberCount, 1)
  t.same(after.memberResourceNames, [ada.resourceName])
  t.not(after.etag, club.etag)
  const stale = await updateGroup(app, club.resourceName, { contactGroup: { etag: club.etag, name: 'x' } })
  t.equal(body(stale).error.status, 'FAILED_PRECONDITION', 'a rename with the old group etag is stale')
  await app.inject({ method: 'DELETE', url: `/v1/${ada.resourceName}:deleteContact`, headers: bearer() })
  const emptied = await getGroup(t, app, club.resourceName)
  t.notOk(emptied.memberCount, 'deleting the contact empties the group')
  t.not(emptied.etag, after.etag)
})
