/**
 * Storage at the edges: a disk that refuses more pages, a file another process holds, a file
 * that cannot be written or is damaged. No failure of the database ends the process or
 * answers a 500: a write that cannot be stored is Google's 503 and changes nothing, reads go
 * on, the search index catches up later; a database that cannot be used is refused at start.
 */
import t from 'tap'
import Database from 'better-sqlite3'
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Writable } from 'node:stream'
import { bearer, body, build } from '../helpers/app.js'
import { startProcess, startServer, stop } from '../helpers/process.js'

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'pae-storage-')), 'people.db')
const UNAVAILABLE = { code: 503, message: 'The service is currently unavailable.', errors: [{ message: 'The service is currently unavailable.', domain: 'global', reason: 'backendError' }], status: 'UNAVAILABLE' }
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

t.test('a disk that refuses more pages: writes are 503 and change nothing, reads and search go on, the index catches up', async t => {
  const logs: any[] = []
  const stream = new Writable({ write (chunk, _enc, done) { logs.push(JSON.parse(String(chunk))); done() } })
  const app = await build(t, { db: tempDb() }, { logger: { level: 'error', stream } })
  const long = 'x'.repeat(1000)
  const ada = body(await app.inject({ method: 'POST', url: '/v1/people:createContact?personFields=names', headers: bearer(), payload: { names: [{ givenName: 'Ada', familyName: long }] } }))
  // The file system refuses to let the database grow (as a full disk does): the pending
  // search-index batch (100 ms after the write) fails in the background.
  const pages = app.db.pragma('page_count', { simple: true }) as number
  app.db.pragma(`max_page_count = ${pages}`)
  let refused: any
  for (let i = 0; i < 50 && refused === undefined; i++) {
    const before = body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer() })).totalItems
    const res = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: { names: [{ givenName: `N${i}`, familyName: long }] } })
    if (res.statusCode === 200) continue
    refused = body(res)
    t.equal(res.statusCode, 503)
    t.equal(body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer() })).totalItems, before, 'nothing was stored')
  }
  t.same(refused?.error, UNAVAILABLE, 'Google\'s 503 envelope')
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/${ada.resourceName as string}:updateContact?updatePersonFields=biographies`, headers: bearer(), payload: { etag: ada.etag, biographies: [{ value: long }] } })).statusCode, 503)
  t.equal((await app.inject({ url: `/v1/${ada.resourceName as string}?personFields=names`, headers: bearer() })).statusCode, 200, 'reads go on')
  app.db.pragma('max_page_count = 1073741823')

  // Now the background batch that indexes new search words fails (as it would on a full disk,
  // or on any error): it is logged and retried with backoff, and never thrown.
  app.db.exec("CREATE TEMP TRIGGER refuse_indexing BEFORE UPDATE OF search_dirty ON main.contacts WHEN new.search_dirty = 0 BEGIN SELECT RAISE(ABORT, 'the disk refuses'); END")
  const renamed = await app.inject({ method: 'PATCH', url: `/v1/${ada.resourceName as string}:updateContact?updatePersonFields=names`, headers: bearer(), payload: { etag: ada.etag, names: [{ givenName: 'Bea', familyName: long }] } })
  t.equal(renamed.statusCode, 200)
  await sleep(400)
  t.ok(logs.filter(l => l.msg?.startsWith('indexing contacts for search failed')).length >= 2, 'the background failure was logged, and retried')
  const search = await app.inject({ url: '/v1/people:searchContacts?query=bea&readMask=names', headers: bearer() })
  t.equal(search.statusCode, 200, 'a search answers from the index as it is')
  t.same(body(search), {}, 'the new name is not indexed yet')
  app.db.exec('DROP TRIGGER temp.refuse_indexing')
  const dirty = (): number => (app.db.prepare('SELECT count(*) AS n FROM contacts WHERE search_dirty = 1').get() as { n: number }).n
  for (let i = 0; i < 60 && dirty() > 0; i++) await sleep(100)
  t.equal(dirty(), 0, 'indexed by the retried batch')
  t.same((body(await app.inject({ url: '/v1/people:searchContacts?query=bea&readMask=names', headers: bearer() })).results ?? []).map((r: any) => r.person.resourceName), [ada.resourceName])
  t.equal((await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: {} })).statusCode, 200, 'writes work again')
})

t.test('a second emulator on the same file is refused at start, naming the file', async t => {
  const db = tempDb()
  const first = await startServer(['--db', db, '--log-level', 'silent'])
  const second = startProcess(['--db', db, '--port', '0'])
  t.equal(await second.exited, 2)
  t.equal(second.stderr(), `people-api-emulator: invalid configuration: cannot open database ${db}: it is in use by another process (another emulator holds it) (flag --db or env PEOPLE_EMULATOR_DB)\n`)
  // No other connection can take the lock while the emulator holds it.
  const other = new Database(db, { timeout: 0 })
  t.throws(() => other.exec('BEGIN IMMEDIATE'), { code: 'SQLITE_BUSY' })
  other.close()
  t.equal(await stop(first), 0)
  // And one that holds the lock first keeps the emulator from starting.
  const holder = new Database(db, { timeout: 0 })
  holder.exec('BEGIN IMMEDIATE')
  const blocked = startProcess(['--db', db, '--port', '0'])
  t.equal(await blocked.exited, 2)
  t.match(blocked.stderr(), /it is in use by another process/)
  holder.exec('ROLLBACK')
  holder.close()
})

t.test('a damaged database file is refused at start', async t => {
  const db = tempDb()
  const server = await startServer(['--db', db, '--log-level', 'silent'])
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${server.url}/v1/people:batchCreateContacts`, {
      method: 'POST',
      headers: { authorization: 'Bearer damage', 'content-type': 'application/json' },
      body: JSON.stringify({ readMask: 'names', contacts: Array.from({ length: 100 }, (_, j) => ({ contactPerson: { names: [{ givenName: `P${i}-${j}`, familyName: 'x'.repeat(500) }] } })) })
    })
    t.equal(res.status, 200)
    await res.text()
  }
  t.equal(await stop(server), 0)
  // Garbage over the data pages past the first few (the header and schema stay readable).
  const size = statSync(db).size
  const fd = openSync(db, 'r+')
  for (let at = 16 * 4096; at < size; at += 4096 * 3) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, at)
  closeSync(fd)
  const p = startProcess(['--db', db, '--port', '0'])
  t.equal(await p.exited, 2, p.stderr())
  t.match(p.stderr(), new RegExp(`^people-api-emulator: invalid configuration: cannot open database ${db}: it is damaged[^\n]+ \\(flag --db or env PEOPLE_EMULATOR_DB\\)\n$`), 'one line')
})

/**
 * The built server as the Docker image holds it (scripts/runtime-files.mjs: the bundle and its
 * parts, its migrations, the packages it loads) copied to a folder every user may read; removed
 * when the test ends.
 */
function readableServer (t: { teardown: (fn: () => void) => void }): string {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const copy = mkdtempSync(join(tmpdir(), 'pae-server-'))
  chmodSync(copy, 0o755)
  t.teardown(() => { rmSync(copy, { recursive: true, force: true }) })
  execFileSync(process.execPath, [join(root, 'scripts', 'runtime-files.mjs'), root, copy])
  return join(copy, 'dist', 'server.mjs')
}

t.test('a read-only database file is refused at start', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pae-readonly-'))
  const db = join(dir, 'people.db')
  const server = await startServer(['--db', db, '--log-level', 'silent'])
  t.equal(await stop(server), 0)
  chmodSync(db, 0o444)
  chmodSync(dir, 0o755)
  // Root may write any file: the check runs as an unprivileged user when the tests run as root,
  // from a copy of the built server that user can read (the checkout may lie in a folder only
  // its owner reads).
  const asRoot = process.getuid?.() === 0
  const asUser = asRoot ? { uid: 65534, gid: 65534 } : {}
  const entry = asRoot ? readableServer(t) : fileURLToPath(new URL('../../dist/server.mjs', import.meta.url))
  // (env -u: the test runner adds its own module to NODE_OPTIONS, from the checkout that user may
  // not read; and a coverage run's NODE_V8_COVERAGE, which Node hands to every child, names a
  // folder that user may not write.)
  const child = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, entry, '--db', db, '--port', '0'], { ...asUser, cwd: dir, env: { PATH: process.env.PATH, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const code = await new Promise(resolve => child.on('exit', resolve))
  t.equal(code, 2, stderr)
  t.equal(stderr, `people-api-emulator: invalid configuration: cannot open database ${db}: it is read-only for this user (the emulator writes to it, and to its -wal file beside it) (flag --db or env PEOPLE_EMULATOR_DB)\n`)
})
