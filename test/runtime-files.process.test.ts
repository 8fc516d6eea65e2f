/**
 * What the Docker image holds (scripts/runtime-files.mjs, Dockerfile): the bundled server with
 * only the packages it loads is enough to serve — migrations, the web UI, the discovery
 * document, phone numbers (libphonenumber-js), SQLite — and stays small. (The image itself is
 * built and run by the Docker check.)
 */
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import Database from 'better-sqlite3'
import { loadMigrations, migratedImage, migratedImageFile } from '../db/database.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

t.test('the runtime files alone serve the API, the web UI and the discovery document', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pae-runtime-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [join(root, 'scripts', 'runtime-files.mjs'), root, dir], (err, stdout) => { if (err) reject(err); else resolve(stdout) })
  })
  const m = /runtime files: ([\d.]+) MB, (\d+) packages/.exec(out)
  t.ok(m, out)
  t.ok(Number(m![1]) < 12, `${m![1]} MB of files`)
  // As the Dockerfile adds them from the build context.
  for (const folder of ['spec', 'fixtures']) cpSync(join(root, folder), join(dir, folder), { recursive: true })
  for (const absent of ['typescript', 'fastify', 'prebuild-install', 'bindings', 'better-sqlite3/deps', 'better-sqlite3/src', 'better-sqlite3/lib', 'libphonenumber-js/bundle']) t.notOk(existsSync(join(dir, 'node_modules', absent)), `no ${absent}`)
  t.notOk(existsSync(join(dir, 'dist', 'src')), 'no type declarations')
  const child = spawn(process.execPath, ['dist/server.mjs', '--port', '0', '--log-level', 'warn', '--fixtures', 'fixtures/example.json'], { cwd: dir, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>(resolve => child.on('exit', resolve))
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      const found = /listening on (http:\S+)/.exec(stdout)
      if (found) resolve(found[1]!)
    })
    exited.then(code => reject(new Error(`exited ${code}: ${stderr}`)), reject)
  })
  const created = await fetch(`${url}/v1/people:createContact?personFields=phoneNumbers`, { method: 'POST', headers: { authorization: 'Bearer alice-token', 'content-type': 'application/json' }, body: '{"phoneNumbers":[{"value":"+44 20 7946 0958"}]}' })
  t.equal(created.status, 200)
  t.equal((await created.json() as any).phoneNumbers[0].canonicalForm, '+442079460958', 'libphonenumber-js loads')
  const listed = await (await fetch(`${url}/v1/people/me/connections?personFields=names`, { headers: { authorization: 'Bearer alice-token' } })).json() as any
  t.ok(listed.totalPeople >= 2, 'the fixtures, in SQLite with every migration')
  t.equal((await fetch(`${url}/_emulator/ui`)).status, 200, 'the web UI')
  t.equal((await fetch(`${url}/_emulator/ui/assets/app.js`)).status, 200, 'and its script')
  t.equal((await fetch(`${url}/$discovery/rest?version=v1`)).status, 200, 'the discovery document')
  const certs = await (await fetch(`${url}/oauth2/v1/certs`)).json() as Record<string, string>
  t.match(Object.values(certs)[0], /^-----BEGIN CERTIFICATE-----\r\n/, 'the sign-in\'s certificate (node-forge, a part of the bundle loaded when first needed)')
  child.kill('SIGTERM')
  t.equal(await exited, 0)
})

t.test('the build leaves beside the migrations the image of a database they made, named by their digest', async t => {
  const dist = join(root, 'dist', 'migrations') + '/'
  const migrations = loadMigrations(dist)
  const file = migratedImageFile(migrations, dist)
  t.ok(existsSync(file), file)
  t.same(readdirSync(dist).filter(f => f.endsWith('.sqlite')), [file.slice(dist.length)], 'the one image, of these migrations')
  // The same schema as the sources' migrations make, at their version.
  const schema = (db: InstanceType<typeof Database>): unknown => ({ version: db.pragma('user_version', { simple: true }), objects: db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').all() })
  const built = new Database(file, { readonly: true })
  const made = new Database(migratedImage(loadMigrations()))
  t.same(schema(built), schema(made))
  built.close()
  made.close()
})
