// The web UI in Debian's Firefox ESR (headless), driven over WebDriver BiDi by puppeteer-core,
// with Google's Node client making the calls the UI must show. Run by test/ui-firefox.process.test.ts with
// plain node (the driver's module graph loads as it ships); prints what the pages showed as JSON.
//   node ui-flow.mjs <emulator url> <control token> <firefox>
import { auth, people } from '@googleapis/people'
import puppeteer from 'puppeteer-core'

const [url, controlToken, firefox] = process.argv.slice(2)
const oauth2 = new auth.OAuth2()
oauth2.setCredentials({ access_token: 'alice-token' })
const alice = people({ version: 'v1', rootUrl: `${url}/`, auth: oauth2, retry: false })

/** The innerText of the first element matching `selector`, once it matches `pattern` (up to 10 s). */
async function textOnce (page, selector, pattern) {
  const end = Date.now() + 10_000
  for (;;) {
    const text = await page.$eval(selector, el => el.innerText).catch(() => '')
    if (pattern.test(text)) return text
    if (Date.now() > end) throw new Error(`${selector} never showed ${pattern}; last: ${text}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

const report = { errors: [] }
const browser = await puppeteer.launch({ browser: 'firefox', executablePath: firefox, headless: true })
try {
  report.version = await browser.version()
  const page = await browser.newPage()
  page.on('pageerror', err => { report.errors.push(String(err)) })

  await page.goto(`${url}/_emulator/ui`)
  await page.waitForSelector('#control-token')
  await page.type('#control-token', controlToken)
  await page.click('form.token button[type=submit]')
  report.accounts = await textOnce(page, 'main table', /alice/)

  await page.goto(`${url}/_emulator/ui/accounts/alice`)
  report.contacts = await textOnce(page, 'table.contacts', /Charles Babbage/)
  await page.click('table.contacts tbody tr:first-child button')
  report.json = JSON.parse(await textOnce(page, 'pre.json', /resourceName/))

  await page.goto(`${url}/_emulator/ui/journal`)
  await page.waitForSelector('table.journal')
  await alice.people.connections.list({ resourceName: 'people/me', personFields: 'names' })
  report.journal = await textOnce(page, 'table.journal tbody', /connections\.list/)

  await page.goto(`${url}/_emulator/ui/faults`)
  await page.waitForSelector('#f-method')
  // Replaced by keyboard (select all, type): input events, as a user's.
  await page.focus('#f-method')
  await page.keyboard.down('Control')
  await page.keyboard.press('KeyA')
  await page.keyboard.up('Control')
  await page.keyboard.type('people.people.connections.list')
  await page.select('#f-error', 'INTERNAL')
  await page.click('form.grid button[type=submit]')
  report.added = (await textOnce(page, 'main', /Added rule f\d+/)).match(/Added rule f\d+/)[0]
  report.afterFault = await alice.people.connections.list({ resourceName: 'people/me', personFields: 'names' }).then(r => r.status, err => err.status)
} finally {
  await browser.close()
}
console.log(JSON.stringify(report))
