/**
 * Library mode as a user's project gets it: the project is packed (`npm pack`), the tarball
 * unpacked into a temporary project's node_modules as npm installs it, and the package used
 * by its name — from node:test in ES modules and in CommonJS, from Vitest and from Jest, and
 * its types from TypeScript. Each runner plays test/library/scenario.cjs: the official client
 * against `emulator.rootUrl`, assertions on `emulator.requests()`, a snapshot restored before
 * each test, and a close.
 *
 * The package's dependencies are linked from this checkout's node_modules (the same versions
 * its lock file installs): no network, and no second build of the native SQLite module.
 */
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { buildApp } from '../src/app.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const modules = join(root, 'node_modules')

interface Ran { stdout: string, stderr: string, code: number }

async function node (cwd: string, args: string[]): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', NO_COLOR: '1', CI: '1' } })
    return { stdout, stderr, code: 0 }
  } catch (err) {
    const e = err as { stdout?: string, stderr?: string, code?: number }
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 }
  }
}

/** Packs the checkout and installs the tarball into a new project; returns the project's folder. */
async function installedProject (): Promise<{ project: string, files: string[] }> {
  const work = mkdtempSync(join(tmpdir(), 'pae-library-'))
  // dist/ is what `npm ci` (prepare) built; packing does not build again.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, maxBuffer: 16 * 1024 * 1024 })
  const packed = (JSON.parse(stdout) as Array<{ filename: string, files: Array<{ path: string }> }>)[0]!
  const project = join(work, 'project')
  const target = join(project, 'node_modules', 'people-api-emulator')
  mkdirSync(target, { recursive: true })
  await run('tar', ['-xzf', join(work, packed.filename), '-C', target, '--strip-components=1'])
  // The package's own dependencies, as npm would have installed them.
  symlinkSync(modules, join(target, 'node_modules'), 'dir')
  // The project's: the official client and the test runners.
  for (const name of ['@googleapis', 'vitest', 'jest', 'typescript', '@types']) symlinkSync(join(modules, name), join(project, 'node_modules', name), 'dir')
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-users-project', private: true, version: '1.0.0' }))
  for (const file of readdirSync(join(root, 'test', 'library'))) cpSync(join(root, 'test', 'library', file), join(project, file))
  t.teardown(() => { rmSync(work, { recursive: true, force: true }) })
  return { project, files: packed.files.map(f => f.path) }
}

t.test('the packed library, installed into a project and used by its name', async t => {
  const { project, files } = await installedProject()

  t.test('the tarball holds the entry points, their types and what they read at run time', async t => {
    for (const file of ['dist/index.mjs', 'dist/index.cjs', 'dist/src/index.d.ts', 'dist/server.mjs', 'dist/migrations/016-snapshot-lineages.sql', 'package.json']) t.ok(files.includes(file), file)
    const parts = readdirSync(join(root, 'dist')).filter(name => /^part-.*\.mjs$/.test(name)).map(name => `dist/${name}`)
    t.ok(parts.length > 0 && parts.every(part => files.includes(part)), `and the server's parts: ${parts.join(', ')}`)
    t.notOk(files.some(f => f.startsWith('test/') || f.startsWith('src/')), 'no tests or sources')
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules', 'people-api-emulator', 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
    t.same(pkg.exports['.'], { types: './dist/src/index.d.ts', import: './dist/index.mjs', require: './dist/index.cjs' })
  })

  const passes = (t: Test, ran: Ran, expected: RegExp): void => {
    t.equal(ran.code, 0, 'the runner exits 0')
    t.match(ran.stdout + ran.stderr, expected, 'and reports every test passed')
    if (ran.code !== 0) t.comment((ran.stdout + ran.stderr).slice(-4000))
  }

  t.test('node:test, ES modules (import)', async t => {
    passes(t, await node(project, ['--test', '--test-reporter=spec', 'node-esm.test.mjs']), /ℹ pass 5\s+ℹ fail 0/)
  })
  t.test('node:test, CommonJS (require)', async t => {
    passes(t, await node(project, ['--test', '--test-reporter=spec', 'node-cjs.test.cjs']), /ℹ pass 5\s+ℹ fail 0/)
  })
  t.test('Vitest', async t => {
    passes(t, await node(project, [join(modules, 'vitest', 'vitest.mjs'), 'run', '--root', project, 'scenario.vitest.test.mjs']), /Tests\s+5 passed \(5\)/)
  })
  // The recipes docs/testing.md and docs/faults-and-quotas.md show, as a user's project runs them.
  t.test('docs: the node:test recipe', async t => {
    const ran = await node(project, ['--test', '--test-reporter=spec', 'rename.node.test.mjs'])
    passes(t, ran, /ℹ pass 2\s+ℹ fail 0/)
    t.match(ran.stdout, /renamed people\/c\d+ at http:\/\/127\.0\.0\.1:\d+/, 'it prints what it did')
  })
  t.test('docs: the Vitest recipe', async t => {
    const ran = await node(project, [join(modules, 'vitest', 'vitest.mjs'), 'run', '--root', project, 'rename.vitest.test.mjs'])
    passes(t, ran, /Tests\s+2 passed \(2\)/)
    t.match(ran.stdout, /renamed people\/c\d+ at http:\/\/127\.0\.0\.1:\d+/, 'it prints what it did')
  })
  t.test('docs: faults and quotas through the official client', async t => {
    passes(t, await node(project, ['--test', '--test-reporter=spec', 'faults.node.test.mjs']), /ℹ pass 4\s+ℹ fail 0/)
  })
  t.test('Jest', async t => {
    // The official Node client (gaxios 7) loads a module with import(): under Jest that needs
    // --experimental-vm-modules (README, "Testing with it"). The emulator itself does not.
    passes(t, await node(project, ['--experimental-vm-modules', join(modules, 'jest', 'bin', 'jest.js'), '--rootDir', project, '--testMatch', '**/jest.test.cjs', '--ci']), /Tests:\s+5 passed, 5 total/)
  })
  t.test('TypeScript sees the types (module nodenext)', async t => {
    const ran = await node(project, [join(modules, 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'consumer.ts'])
    t.equal(ran.code, 0, ran.stdout + ran.stderr)
  })
})

t.test('several emulators in one process are independent', async t => {
  const { startEmulator } = await import('../src/index.js')
  const a = await startEmulator({ seed: 'a', clock: 'fixed:2026-01-01T00:00:00Z' })
  const b = await startEmulator({ seed: 'b', clock: 'fixed:2030-01-01T00:00:00Z', journalSize: 0 })
  t.teardown(async () => { await a.close(); await b.close() })
  t.not(a.port, b.port)
  const create = async (url: string): Promise<number> => (await fetch(`${url}/v1/people:createContact`, { method: 'POST', headers: { authorization: 'Bearer same-token', 'content-type': 'application/json' }, body: '{"names":[{"givenName":"A"}]}' })).status
  t.equal(await create(a.url), 200)
  t.equal(a.requests().length, 1)
  t.equal(b.requests().length, 0)
  t.equal((await b.export() as { accounts: unknown[] }).accounts.length, 0, 'b holds nothing of a')
  await a.clock.advance('1d')
  t.equal(b.clock.now().slice(0, 10), '2030-01-01')
  t.equal(a.clock.now().slice(0, 10), '2026-01-02')
  await a.snapshot('only-a')
  t.same((await b.snapshots()).map(s => s.name), [])
})

t.test('options: the command line\'s checks, camel-cased; refusals reject with their one line', async t => {
  const { startEmulator, ConfigError, FixtureError, EmulatorError } = await import('../src/index.js')
  await t.rejects(startEmulator({ clock: 'tomorrow' }), ConfigError)
  // Named by the library's options, not by flags and variables it does not read.
  await t.rejects(startEmulator({ clock: 'tomorrow' }), { message: 'invalid configuration: option "clock" (\'tomorrow\') is invalid: expected "system" or "fixed:<RFC 3339 time>", e.g. fixed:2026-01-01T00:00:00Z' })
  await t.rejects(startEmulator({ journalSize: -1 }), /^invalid configuration: option "journalSize" \('-1'\) is invalid: /)
  await t.rejects(startEmulator({ colour: 'blue' } as never), /unknown option "colour"/)
  await t.rejects(startEmulator({ fixtures: { accounts: [{ id: 7 }] } }), FixtureError)
  await t.rejects(startEmulator({ fixtures: '/nonexistent/fixtures.json' }), /cannot read fixtures file/)
  await t.rejects(startEmulator({ controlToken: 'a b' }), ConfigError, 'a control token that could never match')
  await t.rejects(startEmulator({ controlToken: 'jeton-sécret' }), /^invalid configuration: option "controlToken" is invalid: expected 1 to 4096 visible ASCII/)
  // An address it cannot listen on: the command's one line, as a ConfigError.
  await t.rejects(startEmulator({ host: 'example.invalid' }), ConfigError)
  await t.rejects(startEmulator({ host: 'example.invalid' }), { message: 'cannot listen on example.invalid:0: the host example.invalid cannot be resolved (startEmulator options "host", "port")' })
  const taken = await startEmulator({})
  await t.rejects(startEmulator({ port: taken.port }), new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${taken.port}: port ${taken.port} is already in use`))
  await taken.close()
  const dir = mkdtempSync(join(tmpdir(), 'pae-lib-'))
  const file = join(dir, 'f.json')
  writeFileSync(file, JSON.stringify({ accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }] }] }))
  const e = await startEmulator({ fixtures: file, controlToken: 'ctl', allowedHosts: ['people.test'], logLevel: 'silent' })
  t.teardown(async () => { await e.close() })
  t.same(((await e.export()) as { accounts: Array<{ id: string }> }).accounts.map(a => a.id), ['alice'], 'control-plane calls carry the control token')
  await t.rejects(e.restore('missing'), EmulatorError)
  await t.rejects(e.restore('missing'), new EmulatorError(404, 'NOT_FOUND', 'Snapshot "missing" was not found.'))
  await t.rejects(e.clock.set('2000-01-01T00:00:00Z'), /cannot go backwards/)
  await e.close()
  await e.close()
  t.ok(existsSync(file))
})

t.test('the library answers what the HTTP control plane answers', async t => {
  const { startEmulator } = await import('../src/index.js')
  const e = await startEmulator({ clock: 'fixed:2026-01-01T00:00:00Z', seed: 's', fixtures: { accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }] }] } })
  t.teardown(async () => { await e.close() })
  const http = await buildApp({ clock: 'fixed:2026-01-01T00:00:00Z', seed: 's' }, { logger: false, fixturesDocument: { accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }] }] } })
  t.teardown(async () => { await http.close() })
  t.same(await e.export(), JSON.parse((await http.inject({ url: '/_emulator/export', headers: { host: e.url.slice(7) } })).body))
  t.equal(await e.clock.advance('90s'), '2026-01-01T00:01:30.000001Z')
  t.same(await e.import({ accounts: [{ id: 'bob', tokens: [{ token: 'bob-token' }] }] }), { accounts: ['bob'] })
  await e.reset({ account: 'bob' })
  t.same(((await e.export()) as { accounts: Array<{ id: string }> }).accounts.map(a => a.id), ['alice'], 'bob is not in the start fixtures: gone')
  await t.rejects(e.reset({ account: 'bob' }), /Account "bob" was not found/)
  await e.reset()
  t.same(((await e.export()) as { accounts: Array<{ id: string }> }).accounts.map(a => a.id), ['alice'])
})

t.test('close() while a restore, an import or an export runs waits for it; calls after it are refused', async t => {
  const { startEmulator, EmulatorError } = await import('../src/index.js')
  const people = Array.from({ length: 6000 }, (_, i) => ({ names: [{ givenName: `P${i}` }] }))
  const e = await startEmulator({ fixtures: { accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }], people }] } })
  await e.snapshot('seeded')
  // Each runs in slices across turns of the event loop, with the database held open.
  const restored = e.restore('seeded')
  const imported = e.import({ accounts: [{ id: 'bob', people }] })
  const exported = e.export()
  const closing = e.close()
  t.match(await restored, { name: 'seeded', contacts: 6000 })
  t.same(await imported, { accounts: ['bob'] })
  t.ok(Array.isArray(((await exported) as { accounts: unknown[] }).accounts), 'the export answered whole')
  await closing
  await t.rejects(e.export(), new EmulatorError(503, 'UNAVAILABLE', 'The emulator is closed: close() was called.'))
  await t.rejects(e.restore('seeded'), EmulatorError)
})
