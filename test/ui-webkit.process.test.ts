/**
 * The web UI in Safari's engine: WebKitGTK (Debian's MiniBrowser, the engine of Safari — WebCore
 * and JavaScriptCore) through its WebDriver (`WebKitWebDriver`, package webkit2gtk-driver), on
 * a virtual display (xvfb-run: WebKitGTK has no headless mode), driven by selenium-webdriver.
 * The same bundle and steps as in Firefox (test/ui-firefox.process.test.ts): the token asked once, the
 * accounts, an account's contacts with a row's JSON, the live journal, a fault from the form.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { auth, people } from '@googleapis/people'
import { Builder, By, Key, until, type WebDriver } from 'selenium-webdriver'
import { buildUi } from '../scripts/build-ui.mjs'
import { startServer, stop } from './helpers/process.js'

const fixture = fileURLToPath(new URL('../fixtures/example.json', import.meta.url))
const CONTROL_TOKEN = 'webkit-secret'
const MINIBROWSER = process.env.WEBKIT_MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

/** The text of the first element matching `css`, once it matches `pattern` (up to 10 s). */
async function textOnce (driver: WebDriver, css: string, pattern: RegExp): Promise<string> {
  const end = Date.now() + 10_000
  for (;;) {
    // innerText (tabs between cells), not WebDriver's text of the element (WebKit's joins cells).
    const text = String(await driver.executeScript('return document.querySelector(arguments[0])?.innerText ?? ""', css))
    if (pattern.test(text)) return text
    if (Date.now() > end) throw new Error(`${css} never showed ${String(pattern)}; last: ${text}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

t.test('the web UI in WebKitGTK', async t => {
  await buildUi()
  const server = await startServer(['--fixtures', fixture, '--control-token', CONTROL_TOKEN])
  t.teardown(async () => { await stop(server) })
  const oauth2 = new auth.OAuth2()
  oauth2.setCredentials({ access_token: 'alice-token' })
  const alice = people({ version: 'v1', rootUrl: `${server.url}/`, auth: oauth2, retry: false } as any)

  // The driver on a virtual display of its own, in a process group of its own (stopped whole).
  const port = await freePort()
  const driverProcess = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], { detached: true, stdio: 'ignore' })
  const exited = new Promise(resolve => driverProcess.once('exit', resolve))
  t.teardown(async () => {
    try { process.kill(-driverProcess.pid!, 'SIGTERM') } catch {}
    await exited
  })
  for (let i = 0; ; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/status`).then(r => r.ok, () => false)
    if (up) break
    if (i > 200) throw new Error('WebKitWebDriver did not start')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const driver = await new Builder()
    .usingServer(`http://127.0.0.1:${port}`)
    .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } })
    .build()
  t.teardown(async () => { await driver.quit() })
  t.match((await driver.getCapabilities()).get('browserVersion'), /^\d+\.\d+/, 'a WebKitGTK session')

  await driver.get(`${server.url}/_emulator/ui`)
  const token = await driver.wait(until.elementLocated(By.id('control-token')), 10_000)
  await token.sendKeys(CONTROL_TOKEN)
  await driver.findElement(By.css('form.token button[type=submit]')).click()
  t.match(await textOnce(driver, 'main table', /alice/), /alice\s+example\.com\s+2\s+9\s+2/, 'the accounts, after the token')

  await driver.get(`${server.url}/_emulator/ui/accounts/alice`)
  t.match(await textOnce(driver, 'table.contacts', /Charles Babbage/), /Ada Lovelace[\s\S]*Book club[\s\S]*Charles Babbage[\s\S]*\+44 20 7946 0958/, 'the contacts, the token not asked again')
  await driver.findElement(By.css('table.contacts tbody tr:first-child button')).click()
  t.match(await textOnce(driver, 'pre.json', /resourceName/), /"resourceName": "people\/c1234567890"/, 'a row\'s JSON')

  await driver.get(`${server.url}/_emulator/ui/journal`)
  await driver.wait(until.elementLocated(By.css('table.journal')), 10_000)
  await alice.people.connections.list({ resourceName: 'people/me', personFields: 'names' })
  t.match(await textOnce(driver, 'table.journal tbody', /connections\.list/), /alice\s+people\.people\.connections\.list\s+GET \/v1\/people\/me\/connections\s+200/, 'the journal, live')

  await driver.get(`${server.url}/_emulator/ui/faults`)
  const method = await driver.wait(until.elementLocated(By.id('f-method')), 10_000)
  // Replaced by keyboard (erase, type): input events, as a user's (WebDriver's clear() sends none,
  // so the page's state would keep the old value and a later render would bring it back).
  const old = await method.getAttribute('value')
  await method.sendKeys(Key.END, Key.BACK_SPACE.repeat((old ?? '').length), 'people.people.connections.list')
  // Chosen by typing, as a keyboard user does (WebKitGTK's driver cannot click an option: it
  // draws the list in a popup of its own).
  await driver.findElement(By.id('f-error')).sendKeys('UNAV')
  await driver.findElement(By.css('form.grid button[type=submit]')).click()
  await textOnce(driver, 'main', /Added rule f\d+/)
  await t.rejects(alice.people.connections.list({ resourceName: 'people/me', personFields: 'names' }), { status: 503 } as any, 'the fault the form added')
})
