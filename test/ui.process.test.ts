/**
 * The web UI (routes/ui.ts, ui/) in headless Chromium (Debian's, driven by playwright-core; no
 * browser download), against the real server process with the example fixture and a control
 * token: the token asked for once, the pages showing the fixture's data at their deep links,
 * the journal showing calls made by Google's Node client, a fault added through the form
 * failing the next call, a snapshot restored through the page changing what the API answers.
 *
 * With UI_SCREENSHOTS=<dir>, each page's screenshot is written there (README's are made so:
 * `UI_SCREENSHOTS=docs/ui npx tap test/ui.process.test.ts`).
 */
import t, { type Test } from 'tap'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { auth, people } from '@googleapis/people'
import axe from 'axe-core'
import type { Page } from 'playwright-core'
import { buildUi } from '../scripts/build-ui.mjs'
import { startServer, stop } from './helpers/process.js'
import { launchChromium } from './helpers/browser.js'

const fixture = fileURLToPath(new URL('../fixtures/example.json', import.meta.url))
const CONTROL_TOKEN = 'ui-test-secret'
const shots = process.env.UI_SCREENSHOTS

async function screenshot (page: Page, name: string): Promise<void> {
  if (shots === undefined || shots === '') return
  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
}

/**
 * axe-core's WCAG 2.1 A and AA rules (labels, names, contrast, ARIA, landmarks) on the page as it
 * is: no violation. (Evaluated through the DevTools protocol, which the page's CSP does not cover.)
 */
async function accessible (t: Test, page: Page): Promise<void> {
  if (await page.evaluate(() => (globalThis as any).axe === undefined)) await page.evaluate(axe.source)
  const result = await page.evaluate(async () => await (globalThis as any).axe.run((globalThis as any).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })) as axe.AxeResults
  t.same(result.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join('; ')})`), [], `axe: no WCAG 2.1 AA violation on ${new URL(page.url()).pathname}`)
}

/** Waits until `check` holds (polled every 50 ms, up to 10 s). */
async function until (check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting for the page')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** Google's Node client for an account's token. */
function client (rootUrl: string, token: string): ReturnType<typeof people> {
  const oauth2 = new auth.OAuth2()
  oauth2.setCredentials({ access_token: token })
  return people({ version: 'v1', rootUrl, auth: oauth2, retry: false } as any)
}

t.test('the web UI in headless Chromium', async t => {
  // The UI of these sources (dist/ui, where the server reads it).
  await buildUi()
  const server = await startServer(['--fixtures', fixture, '--control-token', CONTROL_TOKEN])
  t.teardown(async () => { await stop(server) })
  const ui = `${server.url}/_emulator/ui`
  const alice = client(`${server.url}/`, 'alice-token')

  t.test('pages need no token, their data does; the pages forbid framing and foreign scripts', async t => {
    const page = await fetch(`${ui}/accounts/alice`)
    t.equal(page.status, 200)
    t.match(page.headers.get('content-type'), /^text\/html/)
    t.match(page.headers.get('content-security-policy'), /script-src 'self'.*frame-ancestors 'none'/)
    t.equal(page.headers.get('x-frame-options'), 'DENY')
    t.notMatch(await page.text(), /Lovelace/, 'the page itself holds no data')
    t.equal((await fetch(`${ui}/assets/app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8')
    t.equal((await fetch(`${ui}/assets/nothing.js`)).status, 404)
    t.equal((await fetch(`${ui}/elsewhere`)).status, 404)
    t.equal((await fetch(`${server.url}/_emulator/accounts`)).status, 401, 'the data needs the control token')
    const listed = await fetch(`${server.url}/_emulator/accounts`, { headers: { authorization: `Bearer ${CONTROL_TOKEN}` } })
    t.equal(listed.status, 200)
    const body = await listed.json() as any
    t.same(body.accounts.map((a: any) => [a.id, a.contacts, a.contactGroups, a.otherContacts]), [['alice', 2, 9, 2], ['bob', 0, 8, 0]])
    t.same(body.domains, [{ domain: 'example.com', createdTime: body.domains[0].createdTime, people: 3 }])
    const other = await fetch(`${server.url}/_emulator/accounts`, { headers: { authorization: `Bearer ${CONTROL_TOKEN}`, origin: 'http://evil.example' } })
    t.equal(other.status, 403, 'no cross-origin read')
  })

  const browser = await launchChromium(t)
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const errors: string[] = []
  const watch = (page: Page): Page => {
    page.on('pageerror', err => errors.push(err.message))
    page.on('console', m => { if (m.type() === 'error' && !m.text().includes('status of 4')) errors.push(m.text()) })
    return page
  }

  await t.test('the accounts page asks for the control token once, then shows every account', async t => {
    const page = watch(await context.newPage())
    await page.goto(ui)
    const token = page.getByLabel('Control token')
    await token.waitFor()
    t.equal(await page.locator('table').count(), 0, 'no data before the token')
    await token.fill('wrong')
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.getByLabel('Control token').waitFor()
    t.pass('a wrong token is asked for again')
    await page.getByLabel('Control token').fill(CONTROL_TOKEN)
    await page.getByRole('button', { name: 'Continue' }).click()
    const row = page.getByRole('row', { name: /alice/ })
    await row.waitFor()
    t.match(await row.innerText(), /alice\s+example\.com\s+2\s+9\s+2\s+alice-token, alice-ro/)
    t.match(await page.getByRole('row', { name: /bob/ }).innerText(), /bob\s+—\s+0\s+8\s+0/)
    t.match(await page.getByRole('table').nth(1).innerText(), /example\.com\s+3/, 'the domain and its directory')
    await accessible(t, page)
    await screenshot(page, 'accounts')
    await page.getByRole('link', { name: 'alice' }).click()
    await page.getByRole('heading', { name: 'Account alice' }).waitFor()
    t.equal(new URL(page.url()).pathname, '/_emulator/ui/accounts/alice', 'a link, and the address follows')
    await page.close()
  })

  await t.test('an account\'s deep link shows its contacts, groups, other contacts and directory; a filter narrows', async t => {
    const page = watch(await context.newPage())
    await page.goto(`${ui}/accounts/alice`)
    const contacts = page.locator('table.contacts tbody')
    await page.getByRole('button', { name: 'JSON of Ada Lovelace (people/c1234567890)' }).waitFor()
    t.equal(await page.getByLabel('Control token').count(), 0, 'the token is not asked again')
    const text = await contacts.innerText()
    t.match(text, /Ada Lovelace[\s\S]*ada@example\.com[\s\S]*Book club/, 'name, email and group of the first contact')
    t.match(text, /Charles Babbage[\s\S]*\+44 20 7946 0958/, 'and the second with its phone')
    t.match(await page.locator('section', { has: page.getByRole('heading', { name: 'Contact groups' }) }).innerText(), /Book club[\s\S]*user\s+1/, 'a group with its member count')
    t.match(await page.locator('section', { has: page.getByRole('heading', { name: 'Other contacts' }) }).innerText(), /Bob[\s\S]*newsletter@example\.net/)
    t.match(await page.locator('section', { has: page.getByRole('heading', { name: 'Directory of example.com' }) }).innerText(), /Grace Hopper[\s\S]*DOMAIN_PROFILE[\s\S]*Front Desk[\s\S]*DOMAIN_CONTACT/)

    await page.getByRole('button', { name: 'JSON of Ada Lovelace (people/c1234567890)' }).click()
    const json = JSON.parse(await page.getByLabel('JSON of Ada Lovelace (people/c1234567890)').innerText())
    const api = await alice.people.get({ resourceName: 'people/c1234567890', personFields: 'addresses,ageRanges,biographies,birthdays,calendarUrls,clientData,coverPhotos,emailAddresses,events,externalIds,genders,imClients,interests,locales,locations,memberships,metadata,miscKeywords,names,nicknames,occupations,organizations,phoneNumbers,photos,relations,sipAddresses,skills,urls,userDefined' })
    t.same(json, api.data, 'the JSON shown is the API\'s rendering with every field')
    await accessible(t, page)
    await screenshot(page, 'account')

    // The keyboard alone: a row's JSON opens and closes with Enter.
    await page.getByRole('button', { name: /^JSON of Charles Babbage/ }).focus()
    await page.keyboard.press('Enter')
    t.match(await page.getByLabel(/^JSON of Charles Babbage/).innerText(), /"canonicalForm": "\+442079460958"/, 'Enter opens it')
    await page.keyboard.press('Enter')
    t.equal(await page.getByLabel(/^JSON of Charles Babbage/).count(), 0, 'and closes it')

    await page.getByLabel('Filter contacts').fill('7946')
    await page.waitForURL(/filter=7946/)
    await until(async () => !(await contacts.innerText()).includes('Ada Lovelace'))
    t.match(await contacts.innerText(), /Charles Babbage/, 'the filter keeps the matching contact')
    t.match(await page.getByRole('status').first().innerText(), /1 of 2 match/)
    const linked = watch(await context.newPage())
    await linked.goto(page.url())
    await linked.getByRole('button', { name: /JSON of Charles Babbage/ }).waitFor()
    t.notMatch(await linked.locator('table.contacts tbody').innerText(), /Ada Lovelace/, 'the filtered deep link shows the same')
    t.equal(await linked.getByLabel('Filter contacts').inputValue(), '7946')
    await linked.keyboard.press('Tab')
    t.equal(await linked.evaluate(() => (globalThis as any).document.activeElement?.textContent), 'Skip to content', 'Tab reaches the skip link first')
    await linked.close()
    await page.close()
  })

  await t.test('the journal shows the official client\'s calls live, failures with their reason, bodies on click', async t => {
    const page = watch(await context.newPage())
    await page.goto(`${ui}/journal`)
    await page.getByRole('table').waitFor()
    const listed = await alice.people.connections.list({ resourceName: 'people/me', personFields: 'names' })
    t.equal(listed.data.connections?.length, 2)
    await t.rejects(alice.people.get({ resourceName: 'people/c999', personFields: 'names' }), { status: 404 } as any)
    const ok = page.getByRole('row', { name: /people\.people\.connections\.list/ })
    await ok.waitFor({ timeout: 10_000 })
    t.match(await ok.innerText(), /alice\s+people\.people\.connections\.list\s+GET \/v1\/people\/me\/connections\s+200/)
    const failed = page.locator('table.journal tbody tr.failed')
    await failed.waitFor()
    t.match(await failed.innerText(), /people\.people\.get\s+GET \/v1\/people\/c999\s+404\s+notFound Requested entity was not found\./, 'the error\'s reason and message')
    t.match(await page.locator('table.journal tbody tr').first().innerText(), /people\.people\.get/, 'newest first')

    await page.getByLabel('Status').selectOption('errors')
    const statuses = await page.locator('table.journal tbody tr td:nth-child(6)').allInnerTexts()
    t.same(statuses, ['404'], 'only the failure (the pages ask for no favicon: nothing else in the journal)')
    t.equal(await page.getByRole('row', { name: /people\.people\.connections\.list/ }).count(), 0)
    await page.getByLabel('Status').selectOption('')
    await page.getByLabel('Method').selectOption('people.people.connections.list')
    t.equal(await page.locator('table.journal tbody tr').count(), 1, 'filtered by method')
    await until(async () => new URL(page.url()).searchParams.get('method') === 'people.people.connections.list')
    t.pass('the filter is in the address')
    const linked = watch(await context.newPage())
    await linked.goto(`${ui}/journal?account=alice&status=404`)
    await linked.locator('table.journal tbody tr').first().waitFor()
    t.same(await linked.locator('table.journal tbody tr td:nth-child(6)').allInnerTexts(), ['404'], 'a linked filter applies')
    t.equal(await linked.getByLabel('Status').inputValue(), '404')
    await linked.close()
    await page.getByRole('button', { name: /^Bodies of request/ }).click()
    const response = JSON.parse(await page.getByLabel('response body').innerText())
    t.equal(response.connections.length, 2, 'the response body on click')
    await page.getByLabel('Method').selectOption('')
    await accessible(t, page)
    await screenshot(page, 'journal')
    await page.close()
  })

  await t.test('a fault added through the form fails the next call; its hits show', async t => {
    const page = watch(await context.newPage())
    await page.goto(`${ui}/faults`)
    await page.getByText('No fault rules.').waitFor()
    await page.getByLabel('Method').fill('people.people.connections.list')
    await page.getByLabel('Account (empty: any)').fill('alice')
    await page.getByLabel('Error').selectOption('UNAVAILABLE')
    await page.getByRole('button', { name: 'Add rule' }).click()
    await page.getByText(/Added rule f\d+/).waitFor()
    const rule = page.getByRole('row', { name: /people\.people\.connections\.list/ })
    t.match(await rule.innerText(), /alice\s+1\s+0\s+1\s+before\s+UNAVAILABLE\s+0\s+0\s+0/)
    await t.rejects(alice.people.connections.list({ resourceName: 'people/me', personFields: 'names' }), { status: 503 } as any, 'the next call fails as the rule says')
    t.equal((await alice.people.connections.list({ resourceName: 'people/me', personFields: 'names' })).status, 200, 'once')
    await page.getByRole('button', { name: 'Refresh hits' }).click()
    await until(async () => /UNAVAILABLE\s+0\s+1\s+1/.test(await rule.innerText()))
    t.match(await rule.innerText(), /UNAVAILABLE\s+0\s+1\s+1/, 'one hit')
    t.match(await page.locator('section', { has: page.getByRole('heading', { name: 'Quotas' }) }).innerText(), /Quotas are off/)
    await accessible(t, page)
    await screenshot(page, 'faults')
    await page.getByRole('button', { name: /Remove rule/ }).click()
    await page.getByText('No fault rules.').waitFor()
    await page.close()
  })

  await t.test('a snapshot restored through the page changes what the API answers; the clock advances', async t => {
    const page = watch(await context.newPage())
    await page.goto(`${ui}/state`)
    const now = page.locator('#clock-now')
    await now.waitFor()
    const before = Date.parse(await now.innerText())
    await page.getByRole('button', { name: '+ 1 day' }).click()
    await page.getByText('Clock advanced by 1 day.').waitFor()
    await until(async () => Date.parse(await now.innerText()) - before >= 86_400_000)
    t.pass('the clock moved a day on')

    await page.getByLabel('Snapshot name').fill('before-rename')
    await page.getByRole('button', { name: 'Save snapshot' }).click()
    await page.getByRole('row', { name: /before-rename/ }).waitFor()
    t.match(await page.getByRole('row', { name: /before-rename/ }).innerText(), /before-rename\s+\S+ \S+\s+2/)

    const read = async (): Promise<any> => (await alice.people.get({ resourceName: 'people/c1234567890', personFields: 'names' })).data
    const current = await read()
    await alice.people.updateContact({ resourceName: 'people/c1234567890', updatePersonFields: 'names', requestBody: { etag: current.etag, names: [{ givenName: 'Augusta Ada', familyName: 'King' }] } })
    t.equal((await read()).names[0].displayName, 'Augusta Ada King', 'renamed through the API')
    await page.getByRole('button', { name: 'Restore before-rename' }).click()
    await page.getByText('Restored snapshot "before-rename".').waitFor()
    t.equal((await read()).names[0].displayName, 'Ada Lovelace', 'the API answers the snapshot\'s contact')
    await accessible(t, page)
    await screenshot(page, 'state')
    await page.getByRole('button', { name: 'Delete before-rename' }).click()
    await page.getByText('No snapshots.').waitFor()
    await page.close()
  })

  await t.test('export downloads the state, import adds an account, reset goes back to the fixture', async t => {
    const page = watch(await context.newPage())
    await page.goto(`${ui}/state`)
    await page.locator('#clock-now').waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export (download JSON)' }).click()])
    t.equal(download.suggestedFilename(), 'people-emulator-export.json')
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'))
    t.same(exported.accounts.map((a: any) => a.id), ['alice', 'bob'], 'the export document')
    const accounts = async (): Promise<string[]> => (await (await fetch(`${server.url}/_emulator/accounts`, { headers: { authorization: `Bearer ${CONTROL_TOKEN}` } })).json() as any).accounts.map((a: any) => a.id)

    await page.getByLabel('Fixture document to import').setInputFiles({ name: 'carol.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ accounts: [{ id: 'carol', tokens: [{ token: 'carol-token' }], people: [{ names: [{ givenName: 'Carol' }] }] }] })) })
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await page.getByText('Imported the document.').waitFor()
    t.same(await accounts(), ['alice', 'bob', 'carol'], 'imported')
    await page.getByLabel('Fixture document to import').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"accounts": [{"tokens": 1}]}') })
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    t.match(await page.getByRole('alert').innerText(), /400 INVALID_ARGUMENT: Invalid fixture document/, 'a refused document says why')

    page.once('dialog', dialog => { dialog.accept().catch(() => {}) })
    await page.getByRole('button', { name: 'Reset everything' }).click()
    await page.getByText('Reset to the start-up fixtures.').waitFor()
    t.same(await accounts(), ['alice', 'bob'], 'reset')
    await page.close()
  })

  await t.test('with quotas on, the faults page shows what an account has spent', async t => {
    // A fixed clock: no minute's window ends between the call and the page.
    const quoted = await startServer(['--fixtures', fixture, '--quotas', 'on', '--clock', 'fixed:2026-01-01T00:00:30Z'])
    t.teardown(async () => { await stop(quoted) })
    const bob = client(`${quoted.url}/`, 'bob-token')
    await bob.people.connections.list({ resourceName: 'people/me', personFields: 'names' })
    const page = watch(await context.newPage())
    await page.goto(`${quoted.url}/_emulator/ui/faults`)
    await page.getByLabel('Account', { exact: true }).selectOption('bob')
    const row = page.getByRole('row', { name: /Critical read requests/ })
    await row.waitFor()
    t.match(await row.innerText(), /minute\s+90\s+1\s+89/, 'one critical read spent of 90 a minute')
    await page.getByLabel('Account', { exact: true }).selectOption('alice')
    await until(async () => /minute\s+90\s+0\s+90/.test(await row.innerText()))
    t.pass('another account\'s quotas: nothing spent')
    await page.close()
  })

  await t.test('"Forget the token" asks for it again', async t => {
    const page = watch(await context.newPage())
    await page.goto(ui)
    await page.getByRole('row', { name: /alice/ }).waitFor()
    await page.getByRole('button', { name: 'Forget the token' }).click()
    await page.getByLabel('Control token').waitFor()
    t.equal(await page.evaluate(() => (globalThis as any).localStorage.length), 0)
    await page.close()
  })
  t.same(errors, [], 'no script error in any page')
})
