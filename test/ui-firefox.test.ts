/**
 * The web UI in a second engine: Debian's Firefox ESR (Gecko), headless, driven over WebDriver
 * BiDi by puppeteer-core (playwright-core drives only its own patched Firefox). The same bundle
 * as test/ui.test.ts drives in Chromium: the token asked once, the accounts, an account's
 * contacts with a row's JSON, the journal showing a call of Google's Node client, a fault added
 * through the form failing the next call.
 */
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { auth, people } from '@googleapis/people'
import puppeteer, { type Page } from 'puppeteer-core'
import { buildUi } from '../scripts/build-ui.mjs'
import { startServer, stop } from './helpers/process.js'

const fixture = fileURLToPath(new URL('../fixtures/example.json', import.meta.url))
const CONTROL_TOKEN = 'firefox-secret'

/** The text of the first element matching `selector`, once it contains `pattern` (up to 10 s). */
async function textOnce (page: Page, selector: string, pattern: RegExp): Promise<string> {
  const end = Date.now() + 10_000
  for (;;) {
    const text = await page.$eval(selector, el => (el as any).innerText as string).catch(() => '')
    if (pattern.test(text)) return text
    if (Date.now() > end) throw new Error(`${selector} never showed ${String(pattern)}; last: ${text}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

t.test('the web UI in headless Firefox', async t => {
  await buildUi()
  const server = await startServer(['--fixtures', fixture, '--control-token', CONTROL_TOKEN])
  t.teardown(async () => { await stop(server) })
  const oauth2 = new auth.OAuth2()
  oauth2.setCredentials({ access_token: 'alice-token' })
  const alice = people({ version: 'v1', rootUrl: `${server.url}/`, auth: oauth2, retry: false } as any)

  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', headless: true })
  t.teardown(async () => { await browser.close() })
  t.match(await browser.version(), /^firefox\//)
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('pageerror', err => { errors.push(String(err)) })

  await page.goto(`${server.url}/_emulator/ui`)
  await page.waitForSelector('#control-token')
  await page.type('#control-token', CONTROL_TOKEN)
  await page.click('form.token button[type=submit]')
  t.match(await textOnce(page, 'main table', /alice/), /alice\s+example\.com\s+2\s+9\s+2/, 'the accounts, after the token')

  await page.goto(`${server.url}/_emulator/ui/accounts/alice`)
  t.match(await textOnce(page, 'table.contacts', /Charles Babbage/), /Ada Lovelace[\s\S]*Book club[\s\S]*Charles Babbage[\s\S]*\+44 20 7946 0958/, 'the contacts, the token not asked again')
  await page.click('table.contacts tbody tr:first-child button')
  t.match(await textOnce(page, 'pre.json', /resourceName/), /"resourceName": "people\/c1234567890"/, 'a row\'s JSON')

  await page.goto(`${server.url}/_emulator/ui/journal`)
  await page.waitForSelector('table.journal')
  await alice.people.connections.list({ resourceName: 'people/me', personFields: 'names' })
  t.match(await textOnce(page, 'table.journal tbody', /connections\.list/), /alice\s+people\.people\.connections\.list\s+GET \/v1\/people\/me\/connections\s+200/, 'the journal, live')

  await page.goto(`${server.url}/_emulator/ui/faults`)
  await page.waitForSelector('#f-method')
  await page.$eval('#f-method', el => { (el as any).value = '' })
  await page.type('#f-method', 'people.people.connections.list')
  await page.select('#f-error', 'INTERNAL')
  await page.click('form.grid button[type=submit]')
  await textOnce(page, 'main', /Added rule f\d+/)
  await t.rejects(alice.people.connections.list({ resourceName: 'people/me', personFields: 'names' }), { status: 500 } as any, 'the fault the form added')
  t.same(errors, [], 'no script error')
})
