/**
 * The web UI in a second engine: Debian's Firefox ESR (Gecko), headless, driven over WebDriver
 * BiDi by puppeteer-core (playwright-core drives only its own patched Firefox). The same bundle
 * as test/ui.process.test.ts drives in Chromium. The browser is driven by test/clients/firefox/ui-flow.mjs
 * under plain node, as the other client programs are; the assertions are here: the token asked
 * once, the accounts, an account's contacts with a row's JSON, the journal showing a call of
 * Google's Node client, a fault added through the form failing the next call.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildUi } from '../scripts/build-ui.mjs'
import { startServer, stop } from './helpers/process.js'

const fixture = fileURLToPath(new URL('../fixtures/example.json', import.meta.url))
const program = fileURLToPath(new URL('./clients/firefox/ui-flow.mjs', import.meta.url))
const CONTROL_TOKEN = 'firefox-secret'

t.test('the web UI in headless Firefox', async t => {
  await buildUi()
  const server = await startServer(['--fixtures', fixture, '--control-token', CONTROL_TOKEN])
  t.teardown(async () => { await stop(server) })
  const r = await new Promise<any>((resolve, reject) => {
    execFile(process.execPath, [program, server.url, CONTROL_TOKEN, process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr'], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${program} failed: ${err.message}\n${stderr}`))
      else resolve(JSON.parse(stdout))
    })
  })
  t.match(r.version, /^firefox\//)
  t.match(r.accounts, /alice\s+example\.com\s+2\s+9\s+2/, 'the accounts, after the token')
  t.match(r.contacts, /Ada Lovelace[\s\S]*Book club[\s\S]*Charles Babbage[\s\S]*\+44 20 7946 0958/, 'the contacts, the token not asked again')
  t.equal(r.json.resourceName, 'people/c1234567890', 'a row\'s JSON')
  t.match(r.journal, /alice\s+people\.people\.connections\.list\s+GET \/v1\/people\/me\/connections\s+200/, 'the journal, live')
  t.match(r.added, /^Added rule f\d+$/)
  t.equal(r.afterFault, 500, 'the fault the form added fails the next call')
  t.same(r.errors, [], 'no script error')
})
