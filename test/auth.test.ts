import t from 'tap'
import { bearer, body, build, CONTACTS, CONTACTS_READONLY, credentialsMissingBody } from './helpers/app.js'

const SEE = 'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'

t.test('no credentials: the 401 of §7, byte for byte', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'PATCH', url: '/v1/people/c1:updateContact?updatePersonFields=names' })
  t.equal(res.statusCode, 401)
  t.equal(res.headers['content-type'], 'application/json; charset=UTF-8')
  t.equal(res.body, JSON.stringify(credentialsMissingBody('google.people.v1.PeopleService.UpdateContact'), null, 2))
})

t.test('an API key alone is not a credential', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/v1/contactGroups?key=AIzaSy-test' })
  t.equal(res.statusCode, 401)
  t.same(body(res), credentialsMissingBody('google.people.v1.ContactGroupService.ListContactGroups'))
})

t.test('a 401 comes before parameter errors', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/v1/contactGroups?bogus=1&alt=proto' })
  t.equal(res.statusCode, 401)
})

t.test('token in the header, access_token or oauth_token: each reaches the method', async t => {
  const app = await build(t)
  for (const req of [
    { url: '/v1/contactGroups', headers: bearer('a') },
    { url: '/v1/contactGroups', headers: { authorization: 'bearer a' } },
    { url: '/v1/contactGroups?access_token=a' },
    { url: '/v1/contactGroups?oauth_token=a' }
  ]) {
    const res = await app.inject(req)
    t.equal(res.statusCode, 200, req.url)
    t.ok(body(res).contactGroups, 'the method answered')
  }
})

t.test('a malformed Authorization header is an invalid credential', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/v1/contactGroups', headers: { authorization: 'Basic dXNlcjpwYXNz' } })
  t.equal(res.statusCode, 401)
  t.same(body(res), {
    error: {
      code: 401,
      message: `Request had invalid authentication credentials. ${SEE}`,
      errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
      status: 'UNAUTHENTICATED',
      details: [{
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
        domain: 'googleapis.com',
        metadata: { service: 'people.googleapis.com', method: 'google.people.v1.ContactGroupService.ListContactGroups' }
      }]
    }
  })
})

const fixture = {
  accounts: [{
    id: 'alice',
    tokens: [{ token: 'alice-token' }, { token: 'alice-ro', scopes: [CONTACTS_READONLY] }]
  }]
}

t.test('strict accounts: only declared tokens', async t => {
  const app = await build(t, { strictAccounts: true })
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: fixture })).statusCode, 200)
  const unknown = await app.inject({ url: '/v1/contactGroups', headers: bearer('mallory') })
  t.equal(unknown.statusCode, 401)
  t.equal(body(unknown).error.message, `Request had invalid authentication credentials. ${SEE}`)
  t.equal(body(unknown).error.details[0].reason, 'ACCESS_TOKEN_TYPE_UNSUPPORTED')
  const known = await app.inject({ url: '/v1/contactGroups', headers: bearer('alice-token') })
  t.equal(known.statusCode, 200)
  const exported = body(await app.inject({ url: '/_emulator/export' }))
  t.same(exported.accounts.map((a: { id: string }) => a.id), ['alice'], 'no account was created for the unknown token')
})

t.test('a read-only token reads but gets the 403 of §7 on any mutation', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: fixture })
  const read = await app.inject({ url: '/v1/people/c1?personFields=names', headers: bearer('alice-ro') })
  t.equal(read.statusCode, 404, 'reads pass the scope check and reach the method')
  const mutations: Array<[string, string, string]> = [
    ['PATCH', '/v1/people/c1:updateContact?updatePersonFields=names', 'PeopleService.UpdateContact'],
    ['PUT', '/v1/contactGroups/abc', 'ContactGroupService.UpdateContactGroup'],
    ['POST', '/v1/people:createContact', 'PeopleService.CreateContact'],
    ['DELETE', '/v1/people/c1:deleteContact', 'PeopleService.DeleteContact'],
    ['POST', '/v1/contactGroups/abc/members:modify', 'ContactGroupService.ModifyContactGroupMembers']
  ]
  for (const [method, url, rpc] of mutations) {
    const res = await app.inject({ method: method as 'POST', url, headers: bearer('alice-ro'), payload: {} })
    t.equal(res.statusCode, 403, url)
    t.same(body(res), {
      error: {
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
        status: 'PERMISSION_DENIED',
        details: [{
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
          domain: 'googleapis.com',
          metadata: { service: 'people.googleapis.com', method: `google.people.v1.${rpc}` }
        }]
      }
    }, url)
  }
})

t.test('a declared token without scopes has the full contacts scope', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'bob', tokens: [{ token: 'b', scopes: [CONTACTS] }, { token: 'b2' }] }] } })
  for (const token of ['b', 'b2']) {
    const res = await app.inject({ method: 'PATCH', url: '/v1/people/c1:updateContact', headers: bearer(token), payload: {} })
    t.equal(res.statusCode, 400, token)
    t.match(body(res).error.message, /^updatePersonFields mask is required/, 'the mutation reached the method')
  }
})

t.test('undeclared tokens each name their own isolated account', async t => {
  const app = await build(t)
  const group = { method: 'POST' as const, url: '/v1/contactGroups', payload: { contactGroup: { name: 'Mine' } } }
  await app.inject({ ...group, headers: bearer('one') })
  await app.inject({ ...group, headers: bearer('two') })
  t.equal((await app.inject({ ...group, headers: bearer('one') })).statusCode, 409, 'one\'s own group, not two\'s')
  const exported = body(await app.inject({ url: '/_emulator/export' }))
  t.same(exported.accounts.map((a: any) => [a.id, a.tokens, a.contactGroups.map((g: any) => g.name)]), [['one', [{ token: 'one' }], ['Mine']], ['two', [{ token: 'two' }], ['Mine']]])
})

t.test('an undeclared token\'s account is stored on its first write: reads and refused requests store nothing', async t => {
  const app = await build(t)
  const reads = [
    '/v1/contactGroups', '/v1/contactGroups/myContacts?maxMembers=5', '/v1/contactGroups:batchGet?resourceNames=contactGroups/starred',
    '/v1/people/me?personFields=names', '/v1/people/me/connections?personFields=names&requestSyncToken=true',
    '/v1/people:searchContacts?query=a&readMask=names', '/v1/people/c1?personFields=names',
    '/v1/people/me?personFields=bogus', '/v1/contactGroups?unknown=1', '/v1/otherContacts?readMask=names'
  ]
  for (let i = 0; i < reads.length; i++) await app.inject({ url: reads[i]!, headers: bearer(`reader-${i}`) })
  const refused = [
    { method: 'POST' as const, url: '/v1/people:createContact', headers: { ...bearer('bad-body'), 'content-type': 'text/plain' }, payload: 'x' },
    { method: 'POST' as const, url: '/v1/people:createContact?personFields=bogus', headers: bearer('bad-mask'), payload: {} },
    { method: 'POST' as const, url: '/v1/people:createContact', headers: bearer('bad-field'), payload: { names: [{ givenName: 1 }] } },
    { method: 'PATCH' as const, url: '/v1/people/c1:updateContact?updatePersonFields=names', headers: bearer('not-found'), payload: { etag: '%EgQBAgMEIgwjQUFBQUFBQUFBQUE9', names: [] } },
    { method: 'POST' as const, url: '/v1/contactGroups', headers: bearer('no-name'), payload: { contactGroup: {} } }
  ]
  for (const request of refused) t.ok((await app.inject(request)).statusCode >= 400, request.url)
  t.same(body(await app.inject({ url: '/_emulator/export' })), { accounts: [] }, 'no account stored')
  // What a new account reads: the system groups, its profile, nothing else.
  const groups = body(await app.inject({ url: '/v1/contactGroups?groupFields=name,groupType,memberCount', headers: bearer('fresh') }))
  await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer('stored'), payload: {} })
  const stored = body(await app.inject({ url: '/v1/contactGroups?groupFields=name,groupType,memberCount', headers: bearer('stored') }))
  t.equal(groups.contactGroups.length, 8)
  t.same(groups.contactGroups, stored.contactGroups.map((g: any) => g.resourceName === 'contactGroups/myContacts' ? { ...g, memberCount: undefined } : g).map((g: any) => JSON.parse(JSON.stringify(g))), 'the system groups, as a stored account shows them')
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })
  t.same(body(await app.inject({ url: '/v1/contactGroups/myContacts', headers: bearer('fresh') })).resourceName, 'contactGroups/myContacts')
  t.equal((await app.inject({ url: '/v1/contactGroups/abc', headers: bearer('fresh') })).statusCode, 404)
  // The first write stores it, and a sync token taken before it still works afterwards.
  const before = body(await app.inject({ url: '/v1/people/me/connections?personFields=names&requestSyncToken=true', headers: bearer('fresh') }))
  t.same(Object.keys(before), ['nextSyncToken'])
  const created = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer('fresh'), payload: { names: [{ givenName: 'First' }] } })
  t.equal(created.statusCode, 200)
  t.same(body(await app.inject({ url: '/_emulator/export' })).accounts.map((a: any) => a.id), ['fresh'])
  const changes = body(await app.inject({ url: `/v1/people/me/connections?personFields=names&syncToken=${before.nextSyncToken as string}`, headers: bearer('fresh') }))
  t.same(changes.connections.map((p: any) => p.names[0].givenName), ['First'], 'the token from before the first write lists it')
})

t.test('a token that is the id of another account does not reach it', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: fixture })
  const res = await app.inject({ url: '/v1/contactGroups', headers: bearer('alice') })
  t.equal(res.statusCode, 401)
  t.equal(body(res).error.details[0].reason, 'ACCESS_TOKEN_TYPE_UNSUPPORTED')
})

t.test('the control plane needs no credentials', async t => {
  const app = await build(t, { strictAccounts: true })
  t.equal((await app.inject({ url: '/_emulator/health' })).statusCode, 200)
  t.equal((await app.inject({ url: '/_emulator/export' })).statusCode, 200)
})
