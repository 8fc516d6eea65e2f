import t from 'tap'
import { authParams, consent, FORM, form, oauthApp, REDIRECT, signIn, WEB } from './helpers.js'

const query = (params: Record<string, string>): string => '/o/oauth2/v2/auth?' + new URLSearchParams(params).toString()

t.test('the consent page: the app\'s name, the accounts, the scopes in words, Allow and Cancel', async t => {
  const app = await oauthApp(t)
  const res = await app.inject({ url: query(authParams({ login_hint: 'bob@corp.example' })) })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  t.match(res.headers['content-security-policy'], /default-src 'none'; style-src 'self'/)
  t.match(res.body, 'to continue to <strong>Contacts Helper</strong>')
  t.match(res.body, 'Alice Liddell')
  t.match(res.body, 'bob@corp.example')
  t.match(res.body, /id="account-1" value="bob" checked/, 'login_hint selects its account')
  t.match(res.body, 'See, edit, download, and permanently delete your contacts')
  t.match(res.body, 'See your primary Google Account email address')
  t.match(res.body, '<legend>Choose an account</legend>')
  t.match(res.body, 'value="allow"')
  t.match(res.body, 'value="cancel"')
  const css = await app.inject({ url: '/o/oauth2/consent.css' })
  t.equal(css.statusCode, 200)
  t.equal(css.headers['content-type'], 'text/css; charset=utf-8')
})

t.test('Go\'s default path /o/oauth2/auth is the same page', async t => {
  const app = await oauthApp(t)
  const res = await app.inject({ url: query(authParams()).replace('/v2', '') })
  t.equal(res.statusCode, 200)
  t.match(res.body, 'action="/o/oauth2/auth"')
})

t.test('Allow: the code comes back with state, iss, scope (short and expanded), authuser and prompt', async t => {
  const app = await oauthApp(t)
  const url = await consent(app, authParams())
  t.equal(url.origin + url.pathname, REDIRECT)
  t.same([...url.searchParams.keys()], ['state', 'iss', 'code', 'scope', 'authuser', 'prompt'])
  t.equal(url.searchParams.get('state'), 'st-1')
  t.equal(url.searchParams.get('iss'), 'https://accounts.google.com')
  t.match(url.searchParams.get('code'), /^4\/0A[A-Za-z0-9_-]{69}$/)
  t.equal(url.searchParams.get('scope'), 'email profile https://www.googleapis.com/auth/contacts https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile openid')
  t.equal(url.searchParams.get('authuser'), '0')
  t.equal(url.searchParams.get('prompt'), 'consent')
  const workspace = await consent(app, authParams(), 'bob')
  t.equal(workspace.searchParams.get('hd'), 'corp.example', 'hd for a Workspace account')
})

t.test('Cancel: error=access_denied back to the app, with the state', async t => {
  const app = await oauthApp(t)
  const url = await consent(app, authParams(), 'alice', 'cancel')
  t.equal(url.search, '?error=access_denied&state=st-1&iss=https%3A%2F%2Faccounts.google.com')
})

t.test('errors never sent back to the app: Google\'s HTML page', async t => {
  const app = await oauthApp(t)
  const cases: Array<[Record<string, string>, number, string, string]> = [
    [authParams({ redirect_uri: 'http://127.0.0.1:5555/other' }), 400, 'Error 400: redirect_uri_mismatch', 'Request details: redirect_uri=http://127.0.0.1:5555/other'],
    [authParams({ client_id: 'unknown.apps.googleusercontent.com' }), 401, 'Error 401: invalid_client', 'The OAuth client was not found.'],
    [authParams({ scope: 'openid user.birthday.read' }), 400, 'Error 400: invalid_scope', 'Some requested scopes were invalid. {valid=[openid], invalid=[user.birthday.read]}'],
    [authParams({ response_type: '' }), 400, 'Error 400: invalid_request', 'Required parameter is missing: response_type'],
    [authParams({ client_id: '' }), 400, 'Error 400: invalid_request', 'Required parameter is missing: client_id'],
    [authParams({ prompt: 'none consent' }), 400, 'Error 400: invalid_request', 'None must not be specified with other values'],
    [authParams({ code_challenge: 'short', code_challenge_method: 'S256' }), 400, 'Error 400: invalid_request', 'Invalid code_challenge.']
  ]
  for (const [params, status, title, line] of cases) {
    const res = await app.inject({ url: query(params) })
    t.equal(res.statusCode, status, title)
    t.equal(res.headers.location, undefined, 'never redirected')
    t.match(res.body, `<title>${title}</title>`)
    t.match(res.body, line.replace(/&/g, '&#38;'))
  }
})

t.test('with no clients declared, any client id and any http(s) redirect is accepted; other schemes are not', async t => {
  const app = await oauthApp(t, {}, { accounts: [{ id: 'carol' }] })
  const ok = await app.inject({ url: query(authParams({ client_id: 'any-client', redirect_uri: 'https://app.example/cb' })) })
  t.equal(ok.statusCode, 200)
  t.match(ok.body, 'carol@example.com')
  const bad = await app.inject({ url: query(authParams({ client_id: 'any-client', redirect_uri: 'urn:ietf:wg:oauth:2.0:oob' })) })
  t.equal(bad.statusCode, 400)
  t.match(bad.body, 'redirect_uri_mismatch')
})

t.test('a desktop client may redirect to loopback on any port', async t => {
  const app = await oauthApp(t)
  const res = await app.inject({ url: query({ ...authParams(), client_id: 'desktop.apps.googleusercontent.com', redirect_uri: 'http://127.0.0.1:61234/' }) })
  t.equal(res.statusCode, 200)
})

t.test('prompt=none: interaction_required without a grant, a code with prompt=none once granted', async t => {
  const app = await oauthApp(t)
  const none = authParams({ prompt: 'none', login_hint: 'alice@example.com' })
  let res = await app.inject({ url: query(none) })
  t.equal(res.statusCode, 302)
  t.equal(new URL(res.headers.location as string).search, '?error=interaction_required&error_subtype=access_denied&state=st-1&iss=https%3A%2F%2Faccounts.google.com')
  await consent(app, authParams())
  res = await app.inject({ url: query(none) })
  const url = new URL(res.headers.location as string)
  t.ok(url.searchParams.get('code'))
  t.equal(url.searchParams.get('prompt'), 'none')
  res = await app.inject({ url: query(authParams({ prompt: 'none' })) })
  t.equal(new URL(res.headers.location as string).searchParams.get('error'), 'interaction_required', 'no login_hint: no account to answer for')
})

t.test('--oauth-auto-approve: a login_hint naming an account is granted without the page', async t => {
  const app = await oauthApp(t, { oauthAutoApprove: true })
  const res = await app.inject({ url: query(authParams({ login_hint: 'alice@example.com' })) })
  t.equal(res.statusCode, 302)
  t.equal(new URL(res.headers.location as string).searchParams.get('prompt'), 'consent')
  const page = await app.inject({ url: query(authParams()) })
  t.equal(page.statusCode, 200, 'without login_hint the page is shown')
  const off = await oauthApp(t)
  t.equal((await off.inject({ url: query(authParams({ login_hint: 'alice@example.com' })) })).statusCode, 200, 'off by default')
})

t.test('use another account: a new account with its address and name, then signed in', async t => {
  const app = await oauthApp(t)
  const params = authParams()
  let res = await app.inject({ method: 'POST', url: '/o/oauth2/v2/auth', headers: FORM, payload: form({ ...params, account: '', new_email: 'not-an-address', decision: 'allow' }) })
  t.equal(res.statusCode, 400)
  t.match(res.body, 'role="alert"')
  t.match(res.body, 'Enter an email address')
  res = await app.inject({ method: 'POST', url: '/o/oauth2/v2/auth', headers: FORM, payload: form({ ...params, account: '', new_email: 'dan@example.org', new_name: 'Dan Brown', decision: 'allow' }) })
  t.equal(res.statusCode, 302)
  const accounts = JSON.parse((await app.inject({ url: '/_emulator/export' })).body)
  const dan = accounts.accounts.find((a: { id: string }) => a.id === 'dan@example.org')
  t.same(dan.email, 'dan@example.org')
  t.same(dan.profile, { names: [{ displayName: 'Dan Brown', givenName: 'Dan', familyName: 'Brown' }] })
  t.same(dan.grants[0].clientId, WEB.clientId)
})

t.test('the implicit flow answers in the fragment', async t => {
  const app = await oauthApp(t)
  const url = await consent(app, authParams({ response_type: 'token', access_type: 'online' }))
  t.equal(url.search, '')
  const fragment = new URLSearchParams(url.hash.slice(1))
  t.match(fragment.get('access_token'), /^ya29\.a0/)
  t.equal(fragment.get('token_type'), 'Bearer')
  t.equal(fragment.get('expires_in'), '3599')
  t.equal(fragment.get('state'), 'st-1')
  const denied = await consent(app, authParams({ response_type: 'token' }), 'alice', 'cancel')
  t.equal(denied.hash, '#error=access_denied&state=st-1&iss=https%3A%2F%2Faccounts.google.com')
})

t.test('include_granted_scopes adds what was granted before; hd offers only that domain\'s accounts', async t => {
  const app = await oauthApp(t)
  await consent(app, authParams({ scope: 'email' }))
  const narrow = await consent(app, authParams({ scope: 'profile' }))
  t.equal(narrow.searchParams.get('scope'), 'profile https://www.googleapis.com/auth/userinfo.profile', 'without it: only the scopes asked')
  const wide = await consent(app, authParams({ scope: 'profile', include_granted_scopes: 'true' }))
  t.equal(wide.searchParams.get('scope'), 'profile https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile', 'with it: the earlier grant too')
  const page = await app.inject({ url: query(authParams({ hd: 'corp.example' })) })
  t.match(page.body, 'bob@corp.example')
  t.notMatch(page.body, 'alice@example.com', 'a consumer account is not offered for hd=corp.example')
  const refused = await app.inject({ method: 'POST', url: '/o/oauth2/v2/auth', headers: FORM, payload: form({ ...authParams({ hd: 'corp.example' }), account: 'alice', decision: 'allow' }) })
  t.equal(refused.statusCode, 400, 'nor accepted when posted')
  t.match(refused.body, 'Choose one of the accounts listed.')
})

t.test('prompt=select_account shows the chooser even when auto-approving; a login_hint naming nobody starts "use another account"', async t => {
  const app = await oauthApp(t, { oauthAutoApprove: true })
  const page = await app.inject({ url: query(authParams({ login_hint: 'alice@example.com', prompt: 'select_account' })) })
  t.equal(page.statusCode, 200)
  const fresh = await app.inject({ url: query(authParams({ login_hint: 'zoe@example.org' })) })
  t.equal(fresh.statusCode, 200)
  t.match(fresh.body, /id="account-new" value="" checked/)
  t.match(fresh.body, 'name="new_email" autocomplete="email" value="zoe@example.org"')
})

t.test('the journal files sign-in calls under their account, and keeps no address, name or page', async t => {
  const app = await oauthApp(t)
  await app.inject({ url: query(authParams({ login_hint: 'alice@example.com' })) })
  const signed = await signIn(app)
  await app.inject({ url: '/v1/userinfo', headers: { authorization: `Bearer ${signed.access_token}` } })
  await app.inject({ method: 'POST', url: '/o/oauth2/v2/auth', headers: FORM, payload: form({ ...authParams(), account: '', new_email: 'nia@example.org', new_name: 'Nia Secret', decision: 'allow' }) })
  const all = (await app.inject({ url: '/_emulator/requests' })).body
  const unattributed = JSON.stringify(JSON.parse(all).requests.filter((e: { account: string | null }) => e.account === null))
  for (const text of ['alice@example.com', 'Alice Liddell', 'nia@example.org', 'Nia Secret', 'bob@corp.example']) t.notMatch(unattributed, text, `${text} is in no entry but its account's`)
  t.notMatch(all, 'Nia Secret', 'a name typed in is kept by nobody')
  const alice = JSON.parse((await app.inject({ url: '/_emulator/requests?account=alice' })).body).requests.map((e: { path: string, httpMethod: string }) => `${e.httpMethod} ${e.path}`)
  t.same(alice, ['POST /o/oauth2/v2/auth', 'POST /token', 'GET /v1/userinfo'], 'the consent, the token call and userinfo are alice\'s')
  const nia = JSON.parse((await app.inject({ url: '/_emulator/requests?account=nia%40example.org' })).body).requests
  t.equal(nia.length, 1, 'the consent that added an account is that account\'s')
  const page = JSON.parse(all).requests.find((e: { path: string, httpMethod: string }) => e.path === '/o/oauth2/v2/auth' && e.httpMethod === 'GET')
  t.equal(page.responseBody, 'Sign in – Google Accounts', 'the consent page is kept by its title')
})

t.test('the sign-in pages are not readable from another origin, and a consent posted by another site grants nothing', async t => {
  const app = await oauthApp(t)
  const page = await app.inject({ url: query(authParams()), headers: { origin: 'http://evil.example' } })
  t.equal(page.statusCode, 200)
  t.equal(page.headers['access-control-allow-origin'], undefined, 'no CORS on the consent page')
  const tokenCall = await app.inject({ method: 'POST', url: '/token', headers: { ...FORM, origin: 'http://app.example' }, payload: 'grant_type=x' })
  t.equal(tokenCall.headers['access-control-allow-origin'], 'http://app.example', 'while /token answers CORS, as Google\'s does')
  for (const origin of ['http://evil.example', 'null']) {
    const posted = await app.inject({ method: 'POST', url: '/o/oauth2/v2/auth', headers: { ...FORM, origin }, payload: form({ ...authParams(), account: 'alice', decision: 'allow' }) })
    t.equal(posted.statusCode, 403, origin)
    t.equal(posted.headers.location, undefined, 'no code')
    t.match(posted.body, 'Error 403: access_denied')
    t.match(posted.body, 'The consent form was sent from another site: open the sign-in link again.')
  }
  const grants = JSON.parse((await app.inject({ url: '/_emulator/oauth/grants?account=alice' })).body)
  t.same(grants.grants, [], 'nothing was granted')
  const same = await app.inject({ method: 'POST', url: '/o/oauth2/v2/auth', headers: { ...FORM, origin: 'http://localhost:80' }, payload: form({ ...authParams(), account: 'alice', decision: 'allow' }) })
  t.equal(same.statusCode, 302, 'the consent page\'s own origin')
})
