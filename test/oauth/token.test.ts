import t from 'tap'
import { createHash, createPublicKey, verify } from 'node:crypto'
import { authParams, consent, CONTACTS, oauthApp, oauthError, REDIRECT, signIn, token, WEB } from './helpers.js'
import { unavailable } from '../../src/errors.js'

const NO_STORE = { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache', expires: 'Mon, 01 Jan 1990 00:00:00 GMT' }

t.test('a code exchanged: Google\'s answer, pretty-printed, not to be stored', async t => {
  const app = await oauthApp(t)
  const url = await consent(app, authParams())
  const res = await token(app, { grant_type: 'authorization_code', code: url.searchParams.get('code')!, client_id: WEB.clientId, client_secret: WEB.clientSecret, redirect_uri: REDIRECT })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.match(res.headers, NO_STORE)
  const answer = JSON.parse(res.body)
  t.same(Object.keys(answer), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type', 'id_token'])
  t.match(answer.access_token, /^ya29\.a0/)
  t.equal(answer.expires_in, 3599)
  t.match(answer.refresh_token, /^1\/\/0[A-Za-z0-9_-]{99}$/)
  t.equal(answer.scope, `${CONTACTS} https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile openid`)
  t.equal(answer.token_type, 'Bearer')
  t.equal(res.body, JSON.stringify(answer, null, 2))
})

t.test('the token endpoint\'s errors, exactly', async t => {
  const app = await oauthApp(t)
  const verifier = 'x'.repeat(50)
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const code = (await consent(app, authParams({ code_challenge: challenge, code_challenge_method: 'S256' }))).searchParams.get('code')!
  const base = { grant_type: 'authorization_code', code, client_id: WEB.clientId, client_secret: WEB.clientSecret, redirect_uri: REDIRECT }
  const cases: Array<[Record<string, string>, number, string, string]> = [
    [{ ...base, code_verifier: verifier, grant_type: 'password' }, 400, 'unsupported_grant_type', 'Invalid grant_type: password'],
    [{ ...base, code_verifier: verifier, grant_type: '' }, 400, 'unsupported_grant_type', 'Invalid grant_type: '],
    [{ ...base, code_verifier: verifier, client_id: '' }, 400, 'invalid_request', 'Could not determine client ID from request.'],
    [{ ...base, code_verifier: verifier, client_id: 'nobody.apps.googleusercontent.com' }, 401, 'invalid_client', 'The OAuth client was not found.'],
    [{ ...base, code_verifier: verifier, client_secret: 'wrong' }, 401, 'invalid_client', 'Unauthorized'],
    [{ ...base, code_verifier: verifier, client_secret: '' }, 400, 'invalid_request', 'client_secret is missing.'],
    [{ ...base, code_verifier: verifier, code: '' }, 400, 'invalid_request', 'Missing required parameter: code'],
    [{ ...base, code_verifier: verifier, code: encodeURIComponent(code) }, 400, 'invalid_grant', 'Malformed auth code.'],
    [{ ...base, code_verifier: verifier, redirect_uri: 'http://127.0.0.1:5555/elsewhere' }, 400, 'redirect_uri_mismatch', 'Bad Request'],
    [base, 400, 'invalid_grant', 'Missing code verifier.'],
    [{ ...base, code_verifier: 'y'.repeat(50) }, 400, 'invalid_grant', 'Invalid code verifier.']
  ]
  for (const [values, status, error, description] of cases) {
    const res = await token(app, values)
    t.equal(res.statusCode, status, description)
    t.equal(res.body, oauthError(error, description))
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  }
  t.equal((await token(app, { ...base, code_verifier: verifier })).statusCode, 200, 'the code still works after failed attempts')
  const reused = await token(app, { ...base, code_verifier: verifier })
  t.equal(reused.statusCode, 400)
  t.equal(reused.body, oauthError('invalid_grant', 'Bad Request'), 'a code is used once')
})

t.test('client credentials by HTTP Basic, as Go sends them', async t => {
  const app = await oauthApp(t)
  const code = (await consent(app, authParams())).searchParams.get('code')!
  const basic = 'Basic ' + Buffer.from(`${encodeURIComponent(WEB.clientId)}:${encodeURIComponent(WEB.clientSecret)}`).toString('base64')
  const res = await token(app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, { authorization: basic })
  t.equal(res.statusCode, 200)
})

t.test('PKCE plain, and a code that expires after ten minutes on the emulator clock', async t => {
  const app = await oauthApp(t)
  const verifier = 'p'.repeat(43)
  let code = (await consent(app, authParams({ code_challenge: verifier }))).searchParams.get('code')!
  const values = { grant_type: 'authorization_code', client_id: WEB.clientId, client_secret: WEB.clientSecret, redirect_uri: REDIRECT, code_verifier: verifier }
  t.equal((await token(app, { ...values, code })).statusCode, 200)
  code = (await consent(app, authParams({ code_challenge: verifier }))).searchParams.get('code')!
  await app.inject({ method: 'POST', url: '/_emulator/clock', payload: { advance: '601s' } })
  t.equal((await token(app, { ...values, code })).body, oauthError('invalid_grant', 'Bad Request'))
})

t.test('refresh tokens: offline only, at first consent or with prompt=consent; refreshing keeps none', async t => {
  const app = await oauthApp(t)
  const first = await signIn(app)
  t.ok(first.refresh_token, 'first consent, offline: a refresh token')
  const again = await signIn(app)
  t.equal(again.refresh_token, undefined, 'consented before: none')
  const forced = await signIn(app, { prompt: 'consent' })
  t.ok(forced.refresh_token, 'prompt=consent: a new one')
  const online = await signIn(app, { access_type: 'online', prompt: 'consent' })
  t.equal(online.refresh_token, undefined, 'online: none')
  const res = await token(app, { grant_type: 'refresh_token', refresh_token: first.refresh_token!, client_id: WEB.clientId, client_secret: WEB.clientSecret })
  t.equal(res.statusCode, 200)
  const refreshed = JSON.parse(res.body)
  t.same(Object.keys(refreshed), ['access_token', 'expires_in', 'scope', 'token_type', 'id_token'])
  t.not(refreshed.access_token, first.access_token)
  const narrower = JSON.parse((await token(app, { grant_type: 'refresh_token', refresh_token: first.refresh_token!, client_id: WEB.clientId, client_secret: WEB.clientSecret, scope: CONTACTS })).body)
  t.equal(narrower.scope, CONTACTS, 'a narrower scope on refresh')
  const wider = await token(app, { grant_type: 'refresh_token', refresh_token: first.refresh_token!, client_id: WEB.clientId, client_secret: WEB.clientSecret, scope: 'https://www.googleapis.com/auth/directory.readonly' })
  t.equal(wider.statusCode, 400)
  t.equal(JSON.parse(wider.body).error, 'invalid_scope')
  t.equal((await token(app, { grant_type: 'refresh_token', client_id: WEB.clientId, client_secret: WEB.clientSecret })).body, oauthError('invalid_request', 'Missing required parameter: refresh_token'))
  t.equal((await token(app, { grant_type: 'refresh_token', refresh_token: '1//0unknown', client_id: WEB.clientId, client_secret: WEB.clientSecret })).body, oauthError('invalid_grant', 'Token has been expired or revoked.'))
})

t.test('revoke: the whole grant goes; the refresh token is then invalid_grant, the access token 401', async t => {
  const app = await oauthApp(t)
  const signed = await signIn(app)
  const before = await app.inject({ url: '/v1/people/me?personFields=names', headers: { authorization: `Bearer ${signed.access_token}` } })
  t.equal(before.statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: `/revoke?token=${signed.access_token}` })).statusCode, 404, 'GET /revoke is a 404 page')
  const res = await app.inject({ method: 'POST', url: `/revoke?token=${encodeURIComponent(signed.access_token)}` })
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{}')
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  const refresh = await token(app, { grant_type: 'refresh_token', refresh_token: signed.refresh_token!, client_id: WEB.clientId, client_secret: WEB.clientSecret })
  t.equal(refresh.body, oauthError('invalid_grant', 'Token has been expired or revoked.'))
  const api = await app.inject({ url: '/v1/people/me?personFields=names', headers: { authorization: `Bearer ${signed.access_token}` } })
  t.equal(api.statusCode, 401)
  t.equal(JSON.parse(api.body).error.details[0].reason, 'ACCESS_TOKEN_EXPIRED')
  const again = await app.inject({ method: 'POST', url: '/revoke', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${encodeURIComponent(signed.refresh_token!)}` })
  t.equal(again.body, oauthError('invalid_token', 'Token expired or revoked'))
})

t.test('100 refresh tokens per account and client: the oldest goes without warning', async t => {
  const app = await oauthApp(t)
  const tokens: string[] = []
  for (let i = 0; i < 101; i++) {
    const res = await app.inject({ method: 'POST', url: '/_emulator/oauth/tokens', payload: { account: 'alice', scopes: ['email'], clientId: 'desktop.apps.googleusercontent.com' } })
    tokens.push(JSON.parse(res.body).refresh_token)
  }
  const refresh = async (rt: string): Promise<number> => (await token(app, { grant_type: 'refresh_token', refresh_token: rt, client_id: 'desktop.apps.googleusercontent.com' })).statusCode
  t.equal(await refresh(tokens[0]!), 400, 'the first is gone')
  t.equal(await refresh(tokens[1]!), 200)
  t.equal(await refresh(tokens[100]!), 200)
})

t.test('the ID token: RS256, a kid of the JWKS, Google\'s claims', async t => {
  const app = await oauthApp(t)
  const signed = await signIn(app, { nonce: 'n-0S6_WzA2Mj' })
  const [h, p, s] = signed.id_token!.split('.')
  const header = JSON.parse(Buffer.from(h!, 'base64url').toString())
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString())
  const jwks = JSON.parse((await app.inject({ url: '/oauth2/v3/certs' })).body)
  t.same(header, { alg: 'RS256', kid: jwks.keys[0].kid, typ: 'JWT' })
  t.match(jwks.keys[0], { alg: 'RS256', kty: 'RSA', use: 'sig', e: 'AQAB' })
  t.match(jwks.keys[0].kid, /^[0-9a-f]{40}$/)
  t.ok(verify('sha256', Buffer.from(`${h!}.${p!}`), createPublicKey({ key: jwks.keys[0], format: 'jwk' }), Buffer.from(s!, 'base64url')), 'the signature verifies')
  t.same(Object.keys(claims), ['iss', 'azp', 'aud', 'sub', 'email', 'email_verified', 'at_hash', 'nonce', 'name', 'picture', 'given_name', 'family_name', 'iat', 'exp'])
  t.match(claims, { iss: 'https://accounts.google.com', azp: WEB.clientId, aud: WEB.clientId, email: 'alice@example.com', email_verified: true, nonce: 'n-0S6_WzA2Mj', name: 'Alice Liddell', picture: 'https://example.com/alice.png', given_name: 'Alice', family_name: 'Liddell' })
  t.match(claims.sub, /^\d{21}$/)
  t.equal(claims.exp - claims.iat, 3600)
  t.equal(claims.iat, Date.parse('2026-03-01T00:00:00Z') / 1000)
  t.equal(claims.at_hash, createHash('sha256').update(signed.access_token).digest().subarray(0, 16).toString('base64url'))
  const pem = JSON.parse((await app.inject({ url: '/oauth2/v1/certs' })).body)
  t.match(pem[header.kid], /^-----BEGIN CERTIFICATE-----/)
  t.ok(verify('sha256', Buffer.from(`${h!}.${p!}`), createPublicKey(pem[header.kid]), Buffer.from(s!, 'base64url')), 'the certificate verifies it too')
  const bob = await oauthApp(t)
  const code = (await consent(bob, authParams(), 'bob')).searchParams.get('code')!
  const answer = JSON.parse((await token(bob, { grant_type: 'authorization_code', code, client_id: WEB.clientId, client_secret: WEB.clientSecret, redirect_uri: REDIRECT })).body)
  const bobClaims = JSON.parse(Buffer.from(answer.id_token.split('.')[1], 'base64url').toString())
  t.equal(bobClaims.hd, 'corp.example', 'hd for a Workspace account')
  t.equal(bobClaims.email, 'bob@corp.example')
})

t.test('a seeded emulator signs with the same key every run; --oauth-issuer sets iss', async t => {
  const a = await oauthApp(t)
  const b = await oauthApp(t, { oauthIssuer: 'http://127.0.0.1:8090' })
  t.equal((await a.inject({ url: '/oauth2/v3/certs' })).body, (await b.inject({ url: '/oauth2/v3/certs' })).body)
  const doc = JSON.parse((await b.inject({ url: '/.well-known/openid-configuration', headers: { host: '127.0.0.1:8090' } })).body)
  t.match(doc, { issuer: 'http://127.0.0.1:8090', authorization_endpoint: 'http://127.0.0.1:8090/o/oauth2/v2/auth', token_endpoint: 'http://127.0.0.1:8090/token', userinfo_endpoint: 'http://127.0.0.1:8090/v1/userinfo', revocation_endpoint: 'http://127.0.0.1:8090/revoke', jwks_uri: 'http://127.0.0.1:8090/oauth2/v3/certs', code_challenge_methods_supported: ['plain', 'S256'], id_token_signing_alg_values_supported: ['RS256'] })
  const signed = await signIn(b)
  t.equal(JSON.parse(Buffer.from(signed.id_token!.split('.')[1]!, 'base64url').toString()).iss, 'http://127.0.0.1:8090')
})

t.test('tokeninfo: strings for every value; by query, form or Bearer; ID tokens too; Invalid Value', async t => {
  const app = await oauthApp(t)
  const signed = await signIn(app)
  const expected = { azp: WEB.clientId, aud: WEB.clientId, scope: `${CONTACTS} https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile openid`, exp: String(Date.parse('2026-03-01T00:00:00Z') / 1000 + 3599), expires_in: '3599', email: 'alice@example.com', email_verified: 'true', access_type: 'offline' }
  for (const req of [
    { url: `/tokeninfo?access_token=${signed.access_token}` },
    { url: '/tokeninfo', method: 'POST' as const, headers: { authorization: `Bearer ${signed.access_token}`, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' } },
    { url: '/oauth2/v3/tokeninfo', method: 'POST' as const, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `access_token=${signed.access_token}` }
  ]) {
    const res = await app.inject(req)
    t.equal(res.statusCode, 200)
    t.match(JSON.parse(res.body), expected)
  }
  const id = JSON.parse((await app.inject({ url: `/tokeninfo?id_token=${signed.id_token!}` })).body)
  t.match(id, { iss: 'https://accounts.google.com', email_verified: 'true', alg: 'RS256', typ: 'JWT' })
  t.equal(typeof id.iat, 'string')
  for (const url of ['/tokeninfo?access_token=nope', `/tokeninfo?id_token=${signed.id_token!.slice(0, -4)}AAAA`, '/tokeninfo']) {
    const res = await app.inject({ url })
    t.equal(res.statusCode, 400)
    t.equal(res.body, oauthError('invalid_token', 'Invalid Value'))
  }
})

t.test('userinfo: the claims the scopes allow; Invalid Credentials without a token', async t => {
  const app = await oauthApp(t)
  const signed = await signIn(app)
  const claims = JSON.parse((await app.inject({ url: '/v1/userinfo', headers: { authorization: `Bearer ${signed.access_token}` } })).body)
  t.same(claims, { sub: claims.sub, name: 'Alice Liddell', given_name: 'Alice', family_name: 'Liddell', picture: 'https://example.com/alice.png', email: 'alice@example.com', email_verified: true })
  t.same(JSON.parse((await app.inject({ url: `/oauth2/v3/userinfo?access_token=${signed.access_token}` })).body), claims)
  const legacy = JSON.parse((await app.inject({ url: '/oauth2/v2/userinfo', headers: { authorization: `Bearer ${signed.access_token}` } })).body)
  t.match(legacy, { id: claims.sub, email: 'alice@example.com', verified_email: true, name: 'Alice Liddell' })
  const minted = JSON.parse((await app.inject({ method: 'POST', url: '/_emulator/oauth/tokens', payload: { account: 'alice', scopes: ['openid', 'email'] } })).body)
  t.same(Object.keys(JSON.parse((await app.inject({ url: '/v1/userinfo', headers: { authorization: `Bearer ${minted.access_token}` } })).body)), ['sub', 'picture', 'email', 'email_verified'])
  const bad = await app.inject({ url: '/v1/userinfo', headers: { authorization: 'Bearer nope' } })
  t.equal(bad.statusCode, 401)
  t.equal(bad.body, oauthError('invalid_request', 'Invalid Credentials'))
})

t.test('hostile input: JSON bodies redacted in the journal, bodies of another type or malformed answered as the endpoint does, too many scopes, odd verifiers', async t => {
  const app = await oauthApp(t)
  const code = (await consent(app, authParams())).searchParams.get('code')!
  const json = await app.inject({ method: 'POST', url: '/token', headers: { 'content-type': 'application/json' }, payload: { grant_type: 'authorization_code', code, client_id: WEB.clientId, client_secret: WEB.clientSecret, redirect_uri: REDIRECT } })
  t.equal(json.statusCode, 200, 'a JSON body is a body too')
  await app.inject({ method: 'POST', url: '/revoke', headers: { 'content-type': 'application/json' }, payload: { token: JSON.parse(json.body).refresh_token } })
  const journal = (await app.inject({ url: '/_emulator/requests' })).body
  t.notMatch(journal, code.slice(5))
  t.notMatch(journal, WEB.clientSecret)
  t.notMatch(journal, JSON.parse(json.body).refresh_token.slice(5))
  for (const [type, payload, description] of [
    ['text/plain', 'grant_type=authorization_code', 'Invalid Content-Type "text/plain": send application/x-www-form-urlencoded.'],
    // (The app reads multipart/mixed bodies for /batch: never for these.)
    ['multipart/mixed; boundary=B', '--B\r\n\r\ngrant_type=authorization_code\r\n--B--', 'Invalid Content-Type "multipart/mixed; boundary=B": send application/x-www-form-urlencoded.'],
    ['application/json', '{"grant_type":', 'Invalid JSON payload received.']
  ]) {
    for (const url of ['/token', '/revoke', '/tokeninfo']) {
      const res = await app.inject({ method: 'POST', url, headers: { 'content-type': type! }, payload: payload! })
      t.equal(res.statusCode, 400, url)
      t.equal(res.body, oauthError('invalid_request', description!), `${url}: Google's shape`)
    }
  }
  for (const headers of [{ 'content-type': '' }, {}]) {
    const res = await app.inject({ method: 'POST', url: '/token', headers, payload: 'grant_type=authorization_code' })
    t.equal(res.body, oauthError('invalid_request', 'Missing Content-Type: send application/x-www-form-urlencoded.'))
  }
  const huge = await app.inject({ method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=' + 'x'.repeat(11 * 1024 * 1024) })
  t.equal(huge.statusCode, 413)
  t.equal(huge.body, oauthError('invalid_request', 'Request payload size exceeds the limit.'))
  const short = await app.inject({ method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '500' }, payload: 'grant_type=x' })
  t.equal(short.statusCode, 400, 'a form shorter than its Content-Length')
  t.equal(short.body, oauthError('invalid_request', 'Bad Request'))
  // A system parameter the emulator refuses is the endpoint's 400, in its shape (never a 500).
  const pretty = await app.inject({ method: 'POST', url: '/token?prettyPrint=maybe', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=authorization_code' })
  t.equal(pretty.statusCode, 400)
  t.same(JSON.parse(pretty.body), { error: 'invalid_request', error_description: 'Invalid value at \'pretty_print\' (TYPE_BOOL), "maybe"' })
  const page = await app.inject({ method: 'POST', url: '/o/oauth2/v2/auth', headers: { 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(page.statusCode, 400)
  t.match(page.headers['content-type'], 'text/html')
  const many = Array.from({ length: 101 }, (_, i) => `https://www.googleapis.com/auth/x${i}`).join(' ')
  const tooMany = await app.inject({ url: '/o/oauth2/v2/auth?' + new URLSearchParams(authParams({ scope: many })).toString() })
  t.equal(tooMany.statusCode, 400)
  t.match(tooMany.body, 'Too many scopes were requested: at most 100.')
  const long = await app.inject({ method: 'POST', url: '/o/oauth2/v2/auth', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...authParams({ state: 'x'.repeat(5000) }), account: 'alice', decision: 'allow' }).toString() })
  t.equal(long.statusCode, 400)
  t.match(long.body, 'Parameter state is too long: at most 4096 characters.')
  const idTokenOnly = await app.inject({ url: '/o/oauth2/v2/auth?' + new URLSearchParams(authParams({ response_type: 'id_token', scope: 'email', nonce: 'n' })).toString() })
  t.equal(idTokenOnly.statusCode, 400)
  t.match(idTokenOnly.body, 'needs the openid scope')
  const verifier = 'a'.repeat(43)
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const pkce = (await consent(app, authParams({ code_challenge: challenge, code_challenge_method: 'S256' }))).searchParams.get('code')!
  const alias = await token(app, { grant_type: 'authorization_code', code: pkce, client_id: WEB.clientId, client_secret: WEB.clientSecret, redirect_uri: REDIRECT, code_verifier: '\u0161'.repeat(43) })
  t.equal(alias.body, oauthError('invalid_grant', 'Invalid code verifier.'), 'a verifier of other characters is not the verifier')
})

t.test('a revoked grant takes its codes not yet exchanged; a seeded emulator never hands a token out twice across resets', async t => {
  const app = await oauthApp(t)
  const code = (await consent(app, authParams())).searchParams.get('code')!
  await app.inject({ method: 'DELETE', url: `/_emulator/oauth/grants?account=alice&clientId=${WEB.clientId}`, headers: { 'content-type': 'application/json' } })
  const res = await token(app, { grant_type: 'authorization_code', code, client_id: WEB.clientId, client_secret: WEB.clientSecret, redirect_uri: REDIRECT })
  t.equal(res.body, oauthError('invalid_grant', 'Bad Request'))
  const mint = async (account: string): Promise<string> => JSON.parse((await app.inject({ method: 'POST', url: '/_emulator/oauth/tokens', payload: { account, scopes: [CONTACTS] } })).body).access_token
  const alices = await mint('alice')
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })
  const bobs = await mint('bob')
  t.not(bobs, alices, 'the rewound stream does not give alice\'s token to bob')
  t.equal((await app.inject({ url: '/v1/contactGroups', headers: { authorization: `Bearer ${alices}` } })).statusCode, 401)
  await app.inject({ method: 'POST', url: '/_emulator/snapshots', payload: { name: 's' } })
  const before = await mint('alice')
  await app.inject({ method: 'POST', url: '/_emulator/snapshots/s:restore', headers: { 'content-type': 'application/json' } })
  t.not(await mint('bob'), before, 'nor does a restored one')
  const first = async (): Promise<string> => JSON.parse((await (await oauthApp(t)).inject({ method: 'POST', url: '/_emulator/oauth/tokens', payload: { account: 'alice', scopes: [CONTACTS] } })).body).access_token
  t.equal(await first(), await first(), 'the same seed, the same tokens: runs repeat')
})

t.test('past the storage budget a sign-in is refused in the endpoint\'s shape, and nothing is written', async t => {
  const app = await oauthApp(t)
  const code = (await consent(app, authParams())).searchParams.get('code')!
  // The budget as full as a long run would make it (the store answers full()).
  app.storageBudget.full = () => true
  const res = await token(app, { grant_type: 'authorization_code', code, client_id: WEB.clientId, client_secret: WEB.clientSecret, redirect_uri: REDIRECT })
  t.equal(res.statusCode, 429)
  t.equal(JSON.parse(res.body).error, 'temporarily_unavailable')
  const page = await app.inject({ method: 'POST', url: '/o/oauth2/v2/auth', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...authParams(), account: 'alice', decision: 'allow' }).toString() })
  t.equal(page.statusCode, 429)
  t.match(page.body, 'Error 429: temporarily_unavailable')
})

t.test('the shutdown\'s 503 (a request arriving while the emulator closes) is the endpoint\'s, in its shape', async t => {
  const app = await oauthApp(t)
  // What the closing hook of src/app.ts answers a request arriving once the close has begun.
  app.addHook('onRequest', (_request, _reply, done) => { done(unavailable('The emulator is shutting down.')) })
  const res = await app.inject({ method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=authorization_code' })
  t.equal(res.statusCode, 503)
  t.equal(res.body, oauthError('temporarily_unavailable', 'The emulator is shutting down.'))
  const page = await app.inject({ url: '/o/oauth2/v2/auth?' + new URLSearchParams(authParams()).toString() })
  t.equal(page.statusCode, 503)
  t.match(page.headers['content-type'], 'text/html')
  t.match(page.body, 'The emulator is shutting down.')
})
