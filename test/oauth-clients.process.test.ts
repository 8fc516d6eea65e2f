/**
 * Sign in with Google through Google's own auth libraries against the real server process
 * (docs/oauth.md): Node's google-auth-library OAuth2Client with `endpoints`,
 * its consent page driven in headless Chromium; Python's google-auth-oauthlib Flow and
 * google.oauth2 Credentials(token_uri=…); Go's golang.org/x/oauth2 Config{Endpoint}; and a
 * browser app on another origin doing the redirect flow with PKCE. Each signs a fixture user
 * in, calls the People API, survives an hour on the emulator clock by refreshing on its own,
 * and meets Google's errors. Python and Go come from Debian packages
 * (scripts/install-test-deps.sh), as for test/clients.process.test.ts.
 */
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import axe from 'axe-core'
import type { Page } from 'playwright-core'
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library'
import { people } from '@googleapis/people'
import { startServer, stop } from './helpers/process.js'
import { launchChromium } from './helpers/browser.js'

const programs = fileURLToPath(new URL('./clients/oauth/', import.meta.url))

async function run (file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<any> {
  return await new Promise((resolve, reject) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`${file} failed: ${err.message}\n${stderr}`)); return }
      resolve(JSON.parse(stdout))
    })
  })
}

/** A server of the pages the browser visits: the SPA page and the Node app's callback. */
async function pageServer (): Promise<{ server: Server, origin: string, codes: string[] }> {
  const spa = readFileSync(join(programs, 'spa.html'))
  const codes: string[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    res.setHeader('content-type', 'text/html; charset=utf-8')
    if (url.pathname === '/callback') {
      codes.push(url.searchParams.get('code') ?? `error=${url.searchParams.get('error') ?? ''}`)
      res.end('<!doctype html><title>Signed in</title><p>You may close this window.</p>')
      return
    }
    res.end(spa)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  // `localhost` against the emulator's `127.0.0.1`: another origin.
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}`, codes }
}

async function accessible (t: Test, page: Page, what = 'the consent page'): Promise<void> {
  if (await page.evaluate(() => (globalThis as any).axe === undefined)) await page.evaluate(axe.source)
  const result = await page.evaluate(async () => await (globalThis as any).axe.run((globalThis as any).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })) as axe.AxeResults
  t.same(result.violations.map(v => `${v.id}: ${v.help}`), [], `${what}: no WCAG 2.1 AA violation`)
}

t.test('Google\'s auth libraries sign a fixture user in', async t => {
  const pages = await pageServer()
  t.teardown(() => pages.server.close())
  const dir = mkdtempSync(join(tmpdir(), 'people-oauth-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const fixtures = join(dir, 'fixtures.json')
  writeFileSync(fixtures, JSON.stringify({
    clients: [
      { clientId: 'node-app.apps.googleusercontent.com', clientSecret: 'node-secret', name: 'Node app', redirectUris: [`${pages.origin}/callback`], type: 'web' },
      { clientId: 'desktop.apps.googleusercontent.com', clientSecret: 'desktop-secret', name: 'Desktop app', redirectUris: ['http://127.0.0.1/'], type: 'installed' },
      { clientId: 'go-app.apps.googleusercontent.com', clientSecret: 'go-secret', name: 'Go app', redirectUris: ['http://127.0.0.1:8765/'], type: 'web' },
      { clientId: 'spa.apps.googleusercontent.com', name: 'Browser app', redirectUris: [`${pages.origin}/spa.html`], type: 'web' }
    ],
    accounts: [
      { id: 'alice', profile: { names: [{ displayName: 'Alice Liddell', givenName: 'Alice', familyName: 'Liddell' }] } },
      { id: 'bob' }
    ]
  }))
  // One emulator per library: each moves its clock an hour.
  const start = async (t: Test): Promise<string> => {
    const server = await startServer(['--log-level', 'warn', '--fixtures', fixtures, '--oauth-auto-approve'])
    t.teardown(() => stop(server))
    return server.url
  }
  const browser = await launchChromium(t)

  t.test('Node: OAuth2Client with endpoints, the consent page in Chromium, @googleapis/people, refresh, revoke, verifyIdToken', async t => {
    const emulator = await start(t)
    const redirectUri = `${pages.origin}/callback`
    // snippet: begin node-sign-in
    const oauth2 = new OAuth2Client({
      clientId: 'node-app.apps.googleusercontent.com',
      clientSecret: 'node-secret',
      redirectUri,
      endpoints: {
        oauth2AuthBaseUrl: `${emulator}/o/oauth2/v2/auth`,
        oauth2TokenUrl: `${emulator}/token`,
        oauth2RevokeUrl: `${emulator}/revoke`,
        tokenInfoUrl: `${emulator}/tokeninfo`,
        oauth2FederatedSignonPemCertsUrl: `${emulator}/oauth2/v1/certs`,
        oauth2FederatedSignonJwkCertsUrl: `${emulator}/oauth2/v3/certs`
      },
      // The emulator's clock can jump an hour; the client's cannot: refresh on a 401 too.
      forceRefreshOnFailure: true
    })
    const { codeVerifier, codeChallenge } = await oauth2.generateCodeVerifierAsync()
    const authUrl = oauth2.generateAuthUrl({
      access_type: 'offline',
      scope: ['openid', 'email', 'profile', 'https://www.googleapis.com/auth/contacts'],
      state: 'node-state',
      code_challenge: codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256
    })
    // snippet: end node-sign-in
    const context = await browser.newContext()
    t.teardown(() => context.close())
    const page = await context.newPage()
    await page.goto(authUrl)
    t.equal(await page.title(), 'Sign in – Google Accounts')
    await accessible(t, page)
    await page.getByRole('radio', { name: /Alice Liddell/ }).check()
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL(url => url.pathname === '/callback')
    t.equal(new URL(page.url()).searchParams.get('state'), 'node-state')
    const code = pages.codes.pop()!

    // snippet: begin node-get-token
    const { tokens } = await oauth2.getToken({ code, codeVerifier })
    oauth2.setCredentials(tokens)
    const api = people({ version: 'v1', auth: oauth2, rootUrl: `${emulator}/` })
    const me = await api.people.get({ resourceName: 'people/me', personFields: 'names,emailAddresses' })
    // snippet: end node-get-token
    t.equal(me.data.names?.[0]?.displayName, 'Alice Liddell')
    t.equal(me.data.emailAddresses?.[0]?.value, 'alice@example.com')
    t.match(tokens.refresh_token, /^1\/\/0/)

    const ticket = await oauth2.verifyIdToken({ idToken: tokens.id_token!, audience: 'node-app.apps.googleusercontent.com' })
    t.match(ticket.getPayload(), { email: 'alice@example.com', email_verified: true, name: 'Alice Liddell', iss: 'https://accounts.google.com' })
    const info = await oauth2.getTokenInfo(tokens.access_token!)
    t.equal(info.email, 'alice@example.com')
    t.ok(info.scopes.includes('https://www.googleapis.com/auth/contacts'))

    await fetch(`${emulator}/_emulator/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance":"61m"}' })
    const groups = await api.contactGroups.list()
    t.equal(groups.status, 200, 'an hour later the call succeeds')
    t.not(oauth2.credentials.access_token, tokens.access_token, 'after the client refreshed on its own')
    t.equal(oauth2.credentials.refresh_token, tokens.refresh_token, 'keeping its refresh token')

    await oauth2.revokeToken(oauth2.credentials.access_token!)
    const after = new OAuth2Client({ clientId: 'node-app.apps.googleusercontent.com', clientSecret: 'node-secret', endpoints: { oauth2TokenUrl: `${emulator}/token` } })
    after.setCredentials({ refresh_token: tokens.refresh_token })
    const refused = await after.getAccessToken().then(() => null, (err: any) => err)
    t.equal(refused?.response?.status, 400)
    t.same(refused?.response?.data, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }, 'revoked: the app sees invalid_grant')
  })

  t.test('Node: Cancel on the consent page is access_denied back to the app', async t => {
    const emulator = await start(t)
    const oauth2 = new OAuth2Client({ clientId: 'node-app.apps.googleusercontent.com', redirectUri: `${pages.origin}/callback`, endpoints: { oauth2AuthBaseUrl: `${emulator}/o/oauth2/v2/auth` } })
    const page = await browser.newPage()
    t.teardown(() => page.close())
    await page.goto(oauth2.generateAuthUrl({ scope: ['email'], state: 's2' }))
    await page.keyboard.press('Tab')
    await page.getByRole('button', { name: 'Cancel' }).focus()
    await page.keyboard.press('Enter')
    await page.waitForURL(url => url.pathname === '/callback')
    t.equal(new URL(page.url()).search, '?error=access_denied&state=s2&iss=https%3A%2F%2Faccounts.google.com')
  })

  t.test('the web UI lists an account\'s grants and revokes one', async t => {
    const emulator = await start(t)
    const minted = await (await fetch(`${emulator}/_emulator/oauth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: 'alice', scopes: ['openid', 'email', 'https://www.googleapis.com/auth/contacts'], clientId: 'go-app.apps.googleusercontent.com' }) })).json() as { access_token: string }
    const page = await browser.newPage()
    t.teardown(() => page.close())
    await page.goto(`${emulator}/_emulator/ui/accounts/alice`)
    const section = page.getByRole('region', { name: 'Sign-in' })
    await section.getByRole('cell', { name: 'go-app.apps.googleusercontent.com', exact: true }).waitFor()
    t.match(await section.textContent(), /Signs in as alice@example\.com/)
    t.match(await section.textContent(), /openid, userinfo\.email, contacts/)
    await accessible(t, page, 'the account page with its grants')
    await section.getByRole('button', { name: 'Revoke the grant to go-app.apps.googleusercontent.com' }).click()
    await section.getByRole('status').waitFor()
    t.match(await section.getByRole('status').textContent(), 'Revoked the grant to go-app.apps.googleusercontent.com')
    await section.getByText('No app has been granted access.').waitFor()
    const api = await fetch(`${emulator}/v1/contactGroups`, { headers: { authorization: `Bearer ${minted.access_token}` } })
    t.equal(api.status, 401, 'the revoked token no longer works')
  })

  t.test('keyboard: an address typed under "Use another account" and Enter signs in', async t => {
    const emulator = await start(t)
    const page = await browser.newPage()
    t.teardown(() => page.close())
    const params = new URLSearchParams({ client_id: 'node-app.apps.googleusercontent.com', redirect_uri: `${pages.origin}/callback`, response_type: 'code', scope: 'openid email', state: 'kb' })
    await page.goto(`${emulator}/o/oauth2/v2/auth?${params.toString()}`)
    await page.getByRole('radio', { name: 'Use another account' }).check()
    await page.getByLabel('Email').fill('kim@example.net')
    await page.getByLabel('Name').fill('Kim Lee')
    await page.keyboard.press('Enter')
    await page.waitForURL(url => url.pathname === '/callback')
    const url = new URL(page.url())
    t.equal(url.searchParams.get('state'), 'kb')
    t.ok(url.searchParams.get('code'), 'Enter allows: a code, not access_denied')
  })

  t.test('Python: google-auth-oauthlib Flow, Credentials(token_uri=…) refreshing, a revoked grant', async t => {
    const emulator = await start(t)
    const r = await run('/usr/bin/python3', [join(programs, 'sign_in.py'), emulator, 'desktop.apps.googleusercontent.com', 'desktop-secret'])
    t.same(r.redirect, { state_kept: true, iss: 'https://accounts.google.com', has_code: true })
    t.equal(r.refresh_token, true)
    t.equal(r.me, 'alice@example.com')
    t.same(r.after_hour, { status: 200, refreshed: true }, 'an hour later: refreshed on the 401, and the call succeeded')
    t.same(r.id_token, { email: 'alice@example.com', email_verified: true, kids: 1 }, 'verify_token against the emulator\'s PEM certs')
    t.equal(r.revoked, 'invalid_grant: Token has been expired or revoked.')
  })

  t.test('Go: oauth2.Config{Endpoint}: exchange, automatic refresh, a revoked grant', async t => {
    const emulator = await start(t)
    const out = mkdtempSync(join(tmpdir(), 'people-oauth-go-'))
    t.teardown(() => rmSync(out, { recursive: true, force: true }))
    const binary = join(out, 'sign_in')
    const goEnv = { GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'people-api-emulator-gocache') }
    await new Promise<void>((resolve, reject) => {
      execFile('go', ['build', '-o', binary, join(programs, 'sign_in.go')], { env: { ...process.env, ...goEnv }, timeout: 300_000 },
        (err, _stdout, stderr) => { if (err) reject(new Error(`go build failed: ${stderr}`)); else resolve() })
    })
    const r = await run(binary, [emulator, 'go-app.apps.googleusercontent.com', 'go-secret'])
    t.equal(r.state, 'state-go')
    t.equal(r.refresh_token, true)
    t.equal(r.id_token, true)
    t.equal(r.first_call, 200)
    t.equal(r.stale_token, 401, 'the emulator refuses the hour-old token')
    t.equal(r.after_hour, 200, 'the token source refreshed it on its own')
    t.equal(r.refreshed, true)
    t.equal(r.kept_refresh_token, true)
    t.equal(r.revoked, 'oauth2: cannot fetch token: 400 Bad Request\nResponse: {\n  "error": "invalid_grant",\n  "error_description": "Token has been expired or revoked."\n}')
  })

  t.test('Browser: an app on another origin, the redirect flow with PKCE, /token and the API by fetch', async t => {
    const emulator = await start(t)
    const page = await browser.newPage()
    t.teardown(() => page.close())
    await page.goto(`${pages.origin}/spa.html?emulator=${encodeURIComponent(emulator)}&client=spa.apps.googleusercontent.com`)
    await page.waitForURL(url => url.pathname === '/o/oauth2/v2/auth')
    await page.getByRole('radio', { name: /Alice Liddell/ }).check()
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForFunction(() => (globalThis as any).signInReport !== undefined, null, { timeout: 30_000 })
    const r = await page.evaluate(() => (globalThis as any).signInReport)
    t.same(r, {
      stateKept: true,
      token: [200, 'Bearer', 'string', true],
      me: [200, 'Alice Liddell', 'alice@example.com'],
      write: [403, 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', true]
    }, 'signed in, read people/me, and a missing scope is readable as Google\'s 403')
  })
})
