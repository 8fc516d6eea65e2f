/**
 * Google's own clients in four languages against the real server process, each driving the
 * same contact-sync flow (test/clients/): Python's google-api-python-client built from the
 * served discovery document (with a BatchHttpRequest), Go's google.golang.org/api/people/v1
 * with option.WithEndpoint, Node's googleapis and @googleapis/people (rootUrl and
 * discoverAPI), and a page in headless Chromium calling the emulator from another origin
 * with fetch. Each program prints what its client surfaced; the assertions are here.
 *
 * Python and Go come from Debian packages (scripts/install-test-deps.sh installs them, and
 * Chromium): the Python modules load only in /usr/bin/python3, and Go builds offline in GOPATH
 * mode against /usr/share/gocode.
 */
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServer, stop } from './helpers/process.js'
import { launchChromium } from './helpers/browser.js'

const clients = fileURLToPath(new URL('./clients/', import.meta.url))

/** Runs a program; resolves with its stdout parsed as JSON, rejects with its stderr. */
async function report (file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<any> {
  return await new Promise((resolve, reject) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}`)); return }
      resolve(JSON.parse(stdout))
    })
  })
}

const STALE_ETAG = 'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.'
const DUPLICATE = 'Contact group name already exists.'
const NOT_FOUND = 'Requested entity was not found.'

/**
 * The flow's report, the same in every language: a contact created, listed, updated with its
 * etag, refused with a stale one, a group renamed, a duplicate name refused with 409, a
 * member added, the update and a tombstone in the incremental sync, search, delete.
 */
function checkFlow (t: Test, r: any, errorType: string, statusKey: 'status' | 'code', searched: boolean): void {
  t.match(r.created, /^people\/c\d+$/, 'created a contact')
  t.equal(r.listed, 2, 'the full sync lists both contacts')
  t.equal(r.gotSyncToken, true, 'the last page carries a sync token')
  t.equal(r.updatedName, 'Augusta Ada Lovelace', 'updated with the etag read')
  t.equal(r.etagChanged, true, 'the update changed the etag')
  t.same(r.staleEtag, { type: errorType, [statusKey]: 400, message: STALE_ETAG, reason: 'failedPrecondition' }, 'a stale etag is 400 FAILED_PRECONDITION')
  t.equal(r.renamed, 'Readers', 'renamed the group')
  t.same(r.duplicateName, { type: errorType, [statusKey]: 409, message: DUPLICATE, reason: 'duplicate' }, 'a duplicate group name is 409')
  t.equal(r.memberCount, 1, 'members.modify added the contact')
  t.same(r.members, [r.created])
  t.same(r.syncChanged, [r.created], 'the incremental sync lists the changed contact')
  t.equal(r.syncDeleted.length, 1, 'and the deleted one as a tombstone')
  t.not(r.syncDeleted[0], r.created)
  if (searched) t.same(r.searchFound, [r.created], 'search finds the contact by a prefix')
  t.same(r.afterDelete, { type: errorType, [statusKey]: 404, message: NOT_FOUND, reason: 'notFound' }, 'a deleted contact is 404')
}

t.test('Google\'s clients against the real server process', async t => {
  const server = await startServer(['--log-level', 'warn'])
  t.teardown(() => stop(server))
  const rootUrl = server.url + '/'

  t.test('Python: google-api-python-client from the served discovery document, with a batch', async t => {
    const r = await report('/usr/bin/python3', [join(clients, 'python', 'sync_flow.py'), rootUrl, 'python-token'])
    checkFlow(t, r, 'HttpError', 'status', true)
    t.same(r.batch, {
      get: { ok: r.created },
      group: { ok: r.batch.group.ok },
      update: { ok: r.created },
      stale: { status: 400, message: STALE_ETAG },
      missing: { status: 404, message: NOT_FOUND }
    }, 'every call of the batch got its own callback with its own result')
    t.match(r.batch.group.ok, /^contactGroups\/[0-9a-f]+$/)
    t.equal(r.afterBatch, 'Ada King', 'the update made in the batch is stored')
    // The journal of the server process holds what the Python client sent (docs/journal-and-snapshots.md).
    const journal = await fetch(`${server.url}/_emulator/requests?account=python-token&method=people.people.updateContact`)
    const text = await journal.text()
    t.notOk(text.includes('python-token'), 'the token is nowhere in the journal')
    const updates = (JSON.parse(text) as { requests: Array<{ status: number, error: { status: string } | null, path: string }> }).requests
    t.same(updates.map(u => u.status).sort(), [200, 200, 400, 400], 'two updates and two stale ones, the batch\'s calls among them')
    t.same(updates.filter(u => u.status === 400).map(u => u.error?.status), ['FAILED_PRECONDITION', 'FAILED_PRECONDITION'])
    t.ok(updates.every(u => u.path === `/v1/${r.created as string}:updateContact`))
  })

  t.test('Python: a pytest suite reads the journal, page after page (Debian\'s pytest)', async t => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile('/usr/bin/python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', join(clients, 'python', 'test_journal.py')], {
        env: { ...process.env, EMULATOR: server.url, PYTHONDONTWRITEBYTECODE: '1' }, timeout: 120_000
      }, (err, stdout, stderr) => { if (err) reject(new Error(`pytest failed: ${err.message}\n${stdout}\n${stderr}`)); else resolve(stdout) })
    })
    t.match(out, /2 passed/)
  })

  t.test('Go: google.golang.org/api/people/v1 with option.WithEndpoint', async t => {
    const dir = mkdtempSync(join(tmpdir(), 'people-go-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const binary = join(dir, 'sync_flow')
    const goEnv = { GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'people-api-emulator-gocache') }
    await new Promise<void>((resolve, reject) => {
      execFile('go', ['build', '-o', binary, join(clients, 'go', 'sync_flow.go')], { env: { ...process.env, ...goEnv }, timeout: 300_000 },
        (err, _stdout, stderr) => { if (err) reject(new Error(`go build failed: ${stderr}`)); else resolve() })
    })
    checkFlow(t, await report(binary, [rootUrl, 'go-token']), '*googleapi.Error', 'code', true)
  })

  t.test('Node: googleapis and @googleapis/people with rootUrl, and discoverAPI', async t => {
    const r = await report(process.execPath, [join(clients, 'node', 'sync-flow.mjs'), rootUrl, 'node'])
    t.same(Object.keys(r), ['googleapis', '@googleapis/people', 'discoverAPI'])
    for (const [name, flow] of Object.entries(r)) t.test(name, async t => { checkFlow(t, flow, 'GaxiosError', 'status', true) })
  })

  t.test('Browser: a page on another origin calls the emulator with fetch in headless Chromium', async t => {
    const html = readFileSync(join(clients, 'browser', 'sync-flow.html'))
    const pages = createServer((_req, res) => { res.setHeader('content-type', 'text/html; charset=utf-8'); res.end(html) })
    await new Promise<void>(resolve => pages.listen(0, '127.0.0.1', resolve))
    t.teardown(() => pages.close())
    // `localhost` against the emulator's `127.0.0.1`: another origin, so every call is cross-origin.
    const pageUrl = `http://localhost:${(pages.address() as AddressInfo).port}/sync-flow.html`
    const browser = await launchChromium(t)
    const page = await browser.newPage()
    const console: string[] = []
    page.on('console', message => console.push(message.text()))
    await page.goto(`${pageUrl}?root=${encodeURIComponent(rootUrl)}&token=browser-token`)
    await page.waitForFunction(() => (globalThis as any).syncReport !== undefined, null, { timeout: 30_000 })
    const r = await page.evaluate(() => (globalThis as any).syncReport)
    t.equal(r.error, undefined, 'no call was blocked')
    t.equal(r.created[0], 200)
    t.match(r.created[1], /^people\/c\d+$/)
    t.same(r.listed, [200, 1, 'string'], 'listed with a sync token')
    t.same(r.updated, [200, 'Augusta Ada Lovelace'], 'updated with the etag read')
    t.same(r.staleEtag, [400, 'FAILED_PRECONDITION', STALE_ETAG], 'the stale etag\'s 400 is readable by the page')
    t.same(r.renamed, [200, 'Readers'], 'renamed the group')
    t.same(r.duplicateName, [409, 'ALREADY_EXISTS', DUPLICATE], 'the duplicate name\'s 409 is readable by the page')
    t.equal(r.deleted, 200)
    t.equal(r.controlPlane, 'TypeError', 'the control plane cannot be read from another origin')
    t.ok(console.some(line => line.includes('/_emulator/export') && line.includes('blocked by CORS policy')), 'Chromium says why')
    t.notOk(console.some(line => line.includes('/v1/') && line.includes('CORS')), 'no API call met a CORS error')
  })
})
