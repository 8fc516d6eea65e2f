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
  await app.inject({ url: '/v1/contactGroups', headers: bearer('one') })
  await app.inject({ url: '/v1/contactGroups', headers: bearer('two') })
  await app.inject({ url: '/v1/contactGroups', headers: bearer('one') })
  const exported = body(await app.inject({ url: '/_emulator/export' }))
  t.same(exported, { accounts: [{ id: 'one', tokens: [{ token: 'one' }] }, { id: 'two', tokens: [{ token: 'two' }] }] })
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
