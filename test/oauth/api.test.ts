import t from 'tap'
import { readFileSync } from 'node:fs'
import { CONTACTS, FIXTURES, oauthApp, oauthError, signIn, token, WEB } from './helpers.js'

const JSON_TYPE = { 'content-type': 'application/json' }
const REALM = 'Bearer realm="https://accounts.google.com/"'
const mint = async (app: Awaited<ReturnType<typeof oauthApp>>, payload: Record<string, unknown>): Promise<any> =>
  JSON.parse((await app.inject({ method: 'POST', url: '/_emulator/oauth/tokens', payload })).body)

t.test('a minted token is its account\'s, with its scopes: 403 with WWW-Authenticate for a missing scope', async t => {
  const app = await oauthApp(t)
  const pair = await mint(app, { account: 'alice', scopes: ['openid', 'email'], clientId: WEB.clientId })
  const me = await app.inject({ url: '/v1/people/me?personFields=names,emailAddresses', headers: { authorization: `Bearer ${pair.access_token}` } })
  t.equal(me.statusCode, 200)
  const list = await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: { authorization: `Bearer ${pair.access_token}` } })
  t.equal(list.statusCode, 403)
  const error = JSON.parse(list.body).error
  t.equal(error.status, 'PERMISSION_DENIED')
  t.equal(error.message, 'Request had insufficient authentication scopes.')
  t.equal(error.details[0].reason, 'ACCESS_TOKEN_SCOPE_INSUFFICIENT')
  t.equal(list.headers['www-authenticate'], `${REALM}, error="insufficient_scope", scope="https://www.googleapis.com/auth/contacts https://www.googleapis.com/auth/contacts.readonly"`)
  const write = await mint(app, { account: 'alice', scopes: [CONTACTS], clientId: WEB.clientId })
  const created = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { authorization: `Bearer ${write.access_token}` }, payload: { names: [{ givenName: 'Zed' }] } })
  t.equal(created.statusCode, 200)
  const viaFixture = await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: { authorization: 'Bearer alice-token' } })
  t.equal(JSON.parse(viaFixture.body).connections[0].names[0].givenName, 'Zed', 'the same account as alice\'s fixture token')
})

t.test('an expired token: 401 ACCESS_TOKEN_EXPIRED, WWW-Authenticate invalid_token; a forgotten minted token too', async t => {
  const app = await oauthApp(t)
  const signed = await signIn(app)
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance: '3599s' } })
  const res = await app.inject({ url: '/v1/contactGroups', headers: { authorization: `Bearer ${signed.access_token}` } })
  t.equal(res.statusCode, 401)
  t.equal(res.headers['www-authenticate'], `${REALM}, error="invalid_token"`)
  t.same(JSON.parse(res.body), {
    error: {
      code: 401,
      message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
      status: 'UNAUTHENTICATED',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_EXPIRED', domain: 'googleapis.com', metadata: { service: 'people.googleapis.com', method: 'google.people.v1.ContactGroupService.ListContactGroups' } }]
    }
  })
  const refreshed = JSON.parse((await token(app, { grant_type: 'refresh_token', refresh_token: signed.refresh_token!, client_id: WEB.clientId, client_secret: WEB.clientSecret })).body)
  t.equal((await app.inject({ url: '/v1/contactGroups', headers: { authorization: `Bearer ${refreshed.access_token}` } })).statusCode, 200, 'a refreshed token works')
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: JSON_TYPE })
  const forgotten = await app.inject({ url: '/v1/contactGroups', headers: { authorization: `Bearer ${refreshed.access_token}` } })
  t.equal(forgotten.statusCode, 401, 'after a reset the token is not taken for an undeclared one')
  t.equal(JSON.parse(forgotten.body).error.details[0].reason, 'ACCESS_TOKEN_EXPIRED')
  const none = await app.inject({ url: '/v1/contactGroups' })
  t.equal(none.headers['www-authenticate'], REALM, 'no credential: the realm alone')
})

t.test('people/me shows the identity the scopes allow; undeclared and fixture tokens as before', async t => {
  const app = await oauthApp(t)
  const get = async (tokenText: string): Promise<any> => JSON.parse((await app.inject({ url: '/v1/people/me?personFields=names,photos,emailAddresses', headers: { authorization: `Bearer ${tokenText}` } })).body)
  const profileOnly = await get((await mint(app, { account: 'alice', scopes: ['profile'] })).access_token)
  t.equal(profileOnly.names[0].displayName, 'Alice Liddell')
  t.equal(profileOnly.photos[0].url, 'https://example.com/alice.png')
  t.equal(profileOnly.emailAddresses, undefined)
  const emailOnly = await get((await mint(app, { account: 'bob', scopes: ['email'] })).access_token)
  t.same(emailOnly.emailAddresses, [{ metadata: { primary: true, verified: true, source: { type: 'ACCOUNT', id: emailOnly.resourceName.slice(7) } }, value: 'bob@corp.example' }])
  t.equal(emailOnly.names, undefined)
  const contactsOnly = await get((await mint(app, { account: 'alice', scopes: [CONTACTS] })).access_token)
  t.same(Object.keys(contactsOnly), ['resourceName', 'etag'])
  const undeclared = await get('someone-new')
  t.same(Object.keys(undeclared), ['resourceName', 'etag'], 'an undeclared token: the minimal profile')
  const fixture = await get('alice-token')
  t.equal(fixture.names[0].displayName, 'Alice Liddell', 'a fixture token of an account with a declared profile')
  t.equal(fixture.emailAddresses, undefined, 'and no address it did not declare')
  t.equal(fixture.resourceName, profileOnly.resourceName)
  t.not(fixture.etag, undeclared.etag)
})

t.test('the control plane: mint, list the grants, revoke; bad requests are 400 or 404', async t => {
  const app = await oauthApp(t)
  const pair = await mint(app, { account: 'alice', scopes: ['openid', 'email'], expiresIn: 60 })
  t.equal(pair.expires_in, 60)
  t.ok(pair.id_token)
  const grants = JSON.parse((await app.inject({ url: '/_emulator/oauth/grants?account=alice' })).body)
  t.match(grants, { account: 'alice', email: 'alice@example.com', grants: [{ clientId: WEB.clientId, scopes: ['openid', 'https://www.googleapis.com/auth/userinfo.email'], refreshTokens: 1, accessTokens: 1, expires: /^2026-03-01T00:01:00\.0+\d*Z$/ }] })
  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/oauth/grants?account=alice&clientId=${WEB.clientId}`, headers: JSON_TYPE })).statusCode, 200)
  t.equal((await app.inject({ url: '/v1/contactGroups', headers: { authorization: `Bearer ${pair.access_token}` } })).statusCode, 401)
  t.equal((await app.inject({ method: 'DELETE', url: `/_emulator/oauth/grants?account=alice&clientId=${WEB.clientId}`, headers: JSON_TYPE })).statusCode, 404)
  await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: { authorization: 'Bearer undeclared-secret' }, payload: { contactGroup: { name: 'G' } } })
  const undeclared = await app.inject({ method: 'POST', url: '/_emulator/oauth/tokens', payload: { account: 'undeclared-secret', scopes: ['email'] } })
  t.equal(undeclared.statusCode, 404, 'an undeclared account (its id is its token) does not sign in')
  for (const [payload, status] of [
    [{ scopes: ['email'] }, 400], [{ account: 'nobody', scopes: ['email'] }, 404], [{ account: 'alice', scopes: [] }, 400],
    [{ account: 'alice', scopes: ['user.birthday.read'] }, 400], [{ account: 'alice', scopes: ['email'], expiresIn: 0 }, 400],
    [{ account: 'alice', scopes: ['email'], clientId: 'undeclared' }, 400], [{ account: 'alice', scopes: ['email'], extra: 1 }, 400]
  ] as Array<[Record<string, unknown>, number]>) {
    const res = await app.inject({ method: 'POST', url: '/_emulator/oauth/tokens', payload })
    t.equal(res.statusCode, status, JSON.stringify(payload))
    t.match(JSON.parse(res.body).error.message, /\S/)
  }
})

t.test('export and import carry clients, identities, grants and refresh tokens; reset goes back to the fixtures; snapshots keep them', async t => {
  const app = await oauthApp(t)
  const signed = await signIn(app)
  const doc = JSON.parse((await app.inject({ url: '/_emulator/export' })).body)
  t.same(doc.clients, FIXTURES.clients.map(c => ({ ...c, type: c.type })))
  const alice = doc.accounts.find((a: { id: string }) => a.id === 'alice')
  t.equal(alice.grants.length, 1)
  t.same(Object.keys(alice.grants[0]), ['clientId', 'scopes', 'granted', 'refreshTokens'])
  t.match(alice.grants[0], { clientId: WEB.clientId, granted: /^2026-03-01T00:00:00\.\d+Z$/, refreshTokens: [{ token: signed.refresh_token, issued: /^2026-03-01T/ }] })
  t.same([...alice.grants[0].scopes].sort(), [CONTACTS, 'https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/userinfo.profile', 'openid'].sort())
  t.same(doc.accounts.find((a: { id: string }) => a.id === 'bob').email, 'bob@corp.example')
  const other = await oauthApp(t, {}, { accounts: [] })
  const imported = await other.inject({ method: 'POST', url: '/_emulator/import', payload: doc })
  t.equal(imported.statusCode, 200)
  const refreshed = await token(other, { grant_type: 'refresh_token', refresh_token: signed.refresh_token!, client_id: WEB.clientId, client_secret: WEB.clientSecret })
  t.equal(refreshed.statusCode, 200, 'the refresh token works in the other emulator')
  await app.inject({ method: 'POST', url: '/_emulator/snapshots', payload: { name: 'signed-in' } })
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: JSON_TYPE })
  const afterReset = await token(app, { grant_type: 'refresh_token', refresh_token: signed.refresh_token!, client_id: WEB.clientId, client_secret: WEB.clientSecret })
  t.equal(afterReset.statusCode, 400, 'a reset takes the grant away')
  await app.inject({ method: 'POST', url: '/_emulator/snapshots/signed-in:restore', headers: JSON_TYPE })
  const restored = await token(app, { grant_type: 'refresh_token', refresh_token: signed.refresh_token!, client_id: WEB.clientId, client_secret: WEB.clientSecret })
  t.equal(restored.statusCode, 200, 'a restore brings it back')
  const again = JSON.parse((await other.inject({ url: '/_emulator/export' })).body)
  t.same(again.accounts.find((a: { id: string }) => a.id === 'alice').grants, alice.grants, 'the times of a grant and its tokens survive a round trip')
})

t.test('fixtures: clients, email, profile and grants are checked with their paths', async t => {
  for (const [doc, message] of [
    [{ clients: [{ clientId: 'a', redirectUris: ['not a url'] }], accounts: [] }, 'clients[0].redirectUris[0]: "not a url" is not an absolute http or https URL without a fragment'],
    [{ clients: [{ clientId: 'a', type: 'tv' }], accounts: [] }, 'clients[0].type: expected one of "web", "installed"'],
    [{ accounts: [{ id: 'a', email: 'nope' }] }, 'accounts[0].email: "nope" is not an email address'],
    [{ accounts: [{ id: 'a' }, { id: 'b', email: 'a@example.com' }] }, 'accounts[1].email: "a@example.com" is the sign-in address of account "a" already'],
    [{ accounts: [{ id: 'a', profile: { names: [{ givenName: 1 }] } }] }, 'accounts[0].profile.names[0].givenName'],
    [{ accounts: [{ id: 'a', profile: { phoneNumbers: [] } }] }, 'accounts[0].profile.phoneNumbers: unknown field "phoneNumbers"'],
    [{ accounts: [{ id: 'a', grants: [{ clientId: 'c', scopes: ['bogus'] }] }] }, 'accounts[0].grants[0].scopes: "bogus" is not a scope'],
    [{ accounts: [{ id: 'a', grants: [{ clientId: 'c', scopes: ['email'], refreshTokens: [{ token: 'r' }, { token: 'r' }] }] }] }, 'accounts[0].grants[0].refreshTokens[1].token: refresh token "r" is declared twice']
  ] as Array<[unknown, string]>) {
    const app = await oauthApp(t, {}, { accounts: [] })
    const res = await app.inject({ method: 'POST', url: '/_emulator/import', payload: doc as object })
    t.equal(res.statusCode, 400, message)
    t.match(JSON.parse(res.body).error.message, message)
  }
})

t.test('the journal keeps the sign-in calls with their secrets redacted', async t => {
  const app = await oauthApp(t)
  const signed = await signIn(app)
  await app.inject({ url: `/tokeninfo?access_token=${signed.access_token}` })
  const journal = (await app.inject({ url: '/_emulator/requests' })).body
  t.notMatch(journal, signed.access_token)
  t.notMatch(journal, signed.refresh_token!)
  t.notMatch(journal, signed.id_token!)
  t.notMatch(journal, WEB.clientSecret)
  const entries = JSON.parse(journal).requests
  const tokenCall = entries.find((e: { path: string }) => e.path === '/token')
  t.match(tokenCall.requestBody, 'code=[Redacted]')
  t.match(tokenCall.requestBody, 'client_secret=[Redacted]')
  t.match(tokenCall.responseBody, { access_token: '[Redacted]', refresh_token: '[Redacted]', id_token: '[Redacted]', expires_in: 3599 })
})

t.test('CORS on /token, as a browser app on another origin needs it', async t => {
  const app = await oauthApp(t)
  const preflight = await app.inject({ method: 'OPTIONS', url: '/token', headers: { origin: 'http://app.example:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  t.equal(preflight.statusCode, 200)
  t.equal(preflight.headers['access-control-allow-origin'], 'http://app.example:3000')
  const res = await token(app, { grant_type: 'password' }, { origin: 'http://app.example:3000' })
  t.equal(res.headers['access-control-allow-origin'], 'http://app.example:3000')
})

t.test('docs/oauth.md: its fixture document and its curl line do what the page says', async t => {
  const doc = readFileSync(new URL('../../docs/oauth.md', import.meta.url), 'utf8')
  const fixture = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)![1]!)
  const app = await oauthApp(t, {}, fixture)
  const refreshed = await token(app, { grant_type: 'refresh_token', refresh_token: '1//0alice-refresh', client_id: 'web-app.apps.googleusercontent.com', client_secret: 'GOCSPX-secret' })
  t.equal(refreshed.statusCode, 200, 'the declared refresh token works')
  const claims = JSON.parse(Buffer.from(JSON.parse(refreshed.body).id_token.split('.')[1], 'base64url').toString())
  t.match(claims, { email: 'alice@example.com', aud: 'web-app.apps.googleusercontent.com' })
  const curl = /curl -s -X POST localhost:8090(\S+) -H 'content-type: application\/json' \\\n\s+-d '([^']+)'/.exec(doc)!
  const res = await app.inject({ method: 'POST', url: curl[1]!, headers: JSON_TYPE, payload: curl[2]! })
  t.equal(res.statusCode, 200)
  t.match(JSON.parse(res.body), { token_type: 'Bearer', expires_in: 3599, scope: /contacts/, id_token: /^ey/ })
  const exported = JSON.parse((await app.inject({ url: '/_emulator/export' })).body)
  t.same(exported.clients, fixture.clients, 'export writes the clients back')
})

t.test('--strict-accounts still refuses undeclared tokens, and takes minted ones', async t => {
  const app = await oauthApp(t, { strictAccounts: true })
  t.equal((await app.inject({ url: '/v1/contactGroups', headers: { authorization: 'Bearer someone-new' } })).statusCode, 401)
  const pair = await mint(app, { account: 'alice', scopes: [CONTACTS] })
  t.equal((await app.inject({ url: '/v1/contactGroups', headers: { authorization: `Bearer ${pair.access_token}` } })).statusCode, 200)
  t.equal((await app.inject({ url: '/v1/contactGroups', headers: { authorization: 'Bearer alice-token' } })).statusCode, 200)
})

t.test('a sign-in address and a refresh token belong to one account: an import or a reset that would share one is refused', async t => {
  const app = await oauthApp(t)
  const signed = await signIn(app)
  const importing = async (doc: unknown): Promise<{ status: number, message: string }> => {
    const res = await app.inject({ method: 'POST', url: '/_emulator/import', payload: doc as object })
    return { status: res.statusCode, message: res.statusCode === 200 ? '' : JSON.parse(res.body).error.message }
  }
  t.same(await importing({ accounts: [{ id: 'carol', email: 'BOB@corp.example' }] }), { status: 400, message: 'Invalid fixture document: accounts[0].email: the sign-in address "BOB@corp.example" already belongs to account "bob"' })
  t.same(await importing({ accounts: [{ id: 'carol', email: 'alice@example.com' }] }), { status: 400, message: 'Invalid fixture document: accounts[0].email: the sign-in address "alice@example.com" already belongs to account "alice"' }, 'a default address counts')
  t.same(await importing({ accounts: [{ id: 'carol', grants: [{ clientId: 'c', scopes: ['email'], refreshTokens: [{ token: signed.refresh_token }] }] }] }), { status: 400, message: `Invalid fixture document: accounts[0].grants[0].refreshTokens[0].token: the refresh token "${signed.refresh_token!}" already belongs to account "alice"` })
  t.same(await importing({ accounts: [{ id: 'bob', email: 'bob2@corp.example' }, { id: 'carol', email: 'bob@corp.example' }] }), { status: 200, message: '' }, 'an address of an account the import replaces is free')
  const reset = await app.inject({ method: 'POST', url: '/_emulator/reset?account=bob', headers: { 'content-type': 'application/json' } })
  t.equal(reset.statusCode, 409)
  t.match(JSON.parse(reset.body).error.message, 'Cannot reset account "bob": its fixture\'s sign-in address "bob@corp.example" now belongs to account "carol"')
})

t.test('revoking an expired access token answers invalid_token and keeps the grant; an offline consent after an online one gives a refresh token', async t => {
  const app = await oauthApp(t)
  const signed = await signIn(app)
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance: '2h' } })
  const res = await app.inject({ method: 'POST', url: `/revoke?token=${encodeURIComponent(signed.access_token)}` })
  t.equal(res.body, oauthError('invalid_token', 'Token expired or revoked'))
  t.equal((await token(app, { grant_type: 'refresh_token', refresh_token: signed.refresh_token!, client_id: WEB.clientId, client_secret: WEB.clientSecret })).statusCode, 200, 'the refresh token still works')
  const other = await oauthApp(t)
  const online = await signIn(other, { access_type: 'online' })
  t.equal(online.refresh_token, undefined)
  const offline = await signIn(other)
  t.ok(offline.refresh_token, 'the first offline consent gives one')
})
