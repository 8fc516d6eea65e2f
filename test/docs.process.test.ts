/**
 * Every code block of README.md and docs/*.md is true: a snippet is the program's text as it stands
 * (and that program is run by a test), and every other block is run here — curl lines against an
 * emulator of the page's own, commands in the clone, fixture documents imported, the Docker recipes
 * with a stand-in for `docker` (scripts/doc-blocks.ts says how a block is marked).
 */
import t, { type Test } from 'tap'
import { execFile, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { blocksOf, docPages, root, snippetSource, type Block } from '../scripts/doc-blocks.js'
import { SETTINGS } from '../src/options.js'
import { startServer, stop, type RunningServer } from './helpers/process.js'

const pages = docPages().map(page => ({ page, text: readFileSync(join(root, page), 'utf8') }))
const blocks = pages.flatMap(({ page, text }) => blocksOf(page, text))
const where = (b: Block): string => `${b.page}:${b.line}`

/** Each program a snippet comes from, and the test that runs it (which names it). */
const RUN_BY: Record<string, string> = {
  'examples/quickstart.mjs': 'test/docs.process.test.ts',
  'examples/quickstart.py': 'test/docs.process.test.ts',
  'examples/quickstart.go': 'test/docs.process.test.ts',
  'test/clients/node/sync-flow.mjs': 'test/clients.process.test.ts',
  'test/clients/python/sync_flow.py': 'test/clients.process.test.ts',
  'test/clients/go/sync_flow.go': 'test/clients.process.test.ts',
  'test/clients/browser/sync-flow.html': 'test/clients.process.test.ts',
  'test/clients/oauth/sign_in.py': 'test/oauth-clients.process.test.ts',
  'test/clients/oauth/sign_in.go': 'test/oauth-clients.process.test.ts',
  'test/oauth-clients.process.test.ts': 'test/oauth-clients.process.test.ts',
  'test/library/rename.node.test.mjs': 'test/library.process.test.ts',
  'test/library/rename.vitest.test.mjs': 'test/library.process.test.ts',
  'test/library/faults.node.test.mjs': 'test/library.process.test.ts',
  'python/tests/test_example.py': 'test/pytest-plugin.process.test.ts',
  'python/people_api_emulator_pytest/plugin.py': 'test/pytest-plugin.process.test.ts',
  'go/emulator/emulator_test.go': 'test/go-helper.process.test.ts'
}

interface Ran { code: number, stdout: string, stderr: string }

/** The environment of what a block runs: none of the emulator's settings from outside. */
function cleanEnv (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PEOPLE_EMULATOR_')))
  return { ...base, NO_COLOR: '1', FORCE_COLOR: '0', ...extra }
}

async function bash (script: string, env: NodeJS.ProcessEnv, cwd = root): Promise<Ran> {
  return await new Promise(resolve => {
    execFile('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env: cleanEnv(env), timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
}

const work = mkdtempSync(join(tmpdir(), 'pae-docs-'))
t.teardown(() => { rmSync(work, { recursive: true, force: true }) })

t.test('README is a start page: at most 200 lines, and it leads to every page of docs/', async t => {
  const readme = pages.find(p => p.page === 'README.md')!.text
  t.ok(readme.split('\n').length - 1 <= 200, `README has ${readme.split('\n').length - 1} lines`)
  for (const { page } of pages.filter(p => p.page !== 'README.md')) t.ok(readme.includes(`](${page})`), `README links ${page}`)
})

/** The anchors of a page's headings, as GitHub makes them (code blocks left out). */
function anchors (text: string): Set<string> {
  const outside = text.replace(/^([ \t]*)```[\s\S]*?^\1```[ \t]*$/gm, '')
  return new Set([...outside.matchAll(/^#{1,6} (.+)$/gm)].map(m => m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')))
}

t.test('links between the pages lead to files and headings that exist', async t => {
  for (const { page, text } of pages) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const [target, anchor] = m[1]!.split('#') as [string, string | undefined]
      if (/^[a-z]+:/.test(target)) continue
      const file = target === '' ? join(root, page) : join(root, dirname(page), target)
      t.ok(existsSync(file), `${page}: ${m[1]!}`)
      if (anchor !== undefined && file.endsWith('.md') && existsSync(file)) t.ok(anchors(readFileSync(file, 'utf8')).has(anchor), `${page}: ${m[1]!} is a heading there`)
    }
  }
})

t.test('every code block says how it is checked, and each snippet is its program as it stands', async t => {
  t.ok(blocks.length > 30, `${blocks.length} blocks`)
  for (const b of blocks) {
    if (b.kind === null) { t.fail(`${where(b)}: a code block without a marker (line before it: ${JSON.stringify(b.marker)})`); continue }
    if (b.kind === 'output') {
      const previous = blocks[blocks.indexOf(b) - 1]
      t.ok(previous !== undefined && previous.page === b.page && (previous.kind === 'run' || previous.kind === 'shell'), `${where(b)}: output follows a block that runs`)
    }
    if (b.kind !== 'snippet') continue
    const path = b.arg.split('#')[0]!
    t.equal(b.text, snippetSource(b.arg), `${where(b)}: the block is ${b.arg} (npm run generate writes it)`)
    const runner = RUN_BY[path]
    if (runner === undefined) { t.fail(`${where(b)}: ${path} is not known to be run by a test (RUN_BY)`); continue }
    const text = readFileSync(join(root, runner), 'utf8')
    t.ok(runner === path || text.includes(basename(path)) || text.includes(basename(dirname(path))), `${path} is run by ${runner}`)
  }
})

t.test('README\'s two commands are what CI runs', async t => {
  const setup = blocks.filter(b => b.kind === 'setup')
  t.equal(setup.length, 1)
  const commands = setup[0]!.text.split('\n').filter(Boolean).map(l => l.replace(/#.*$/, '').trim().split(/\s*&&\s*/))
  t.same(commands, [['npm ci', 'npm start'], ['bash scripts/install-test-deps.sh', 'npm ci', 'npm test']])
  const ci = readFileSync(join(root, '.ci', 'run'), 'utf8')
  for (const command of ['bash scripts/install-test-deps.sh', 'npm ci', 'npm test']) t.match(ci, new RegExp(`(^|\\s)${command.replaceAll('.', '\\.')}(\\s|;|$)`, 'm'), `.ci/run runs ${command}`)
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.equal(pkg.scripts.start, 'node dist/server.mjs')
  // `npm start` as typed (on a free port: the one setting given from outside), stopped by SIGTERM.
  const child = spawn('npm', ['start'], { cwd: root, env: cleanEnv({ PEOPLE_EMULATOR_PORT: '0' }), stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<void>(resolve => child.on('exit', () => resolve()))
  while (!/web UI (http:\S+)/.test(out)) {
    if (child.exitCode !== null) break
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  const ui = /web UI (http:\S+)/.exec(out)
  t.ok(ui, `npm start prints its start line: ${out}`)
  if (ui !== null) t.equal((await fetch(ui[1]!)).status, 200, 'and the web UI it names answers')
  // Ctrl-C in the terminal: the group gets SIGINT; npm and the emulator end, and the port is free.
  process.kill(-child.pid!, 'SIGINT')
  await exited
  if (ui !== null) await t.rejects(fetch(ui[1]!), 'the emulator has stopped')
})

/** One emulator per page, started when the page first needs one; curl reaches it as localhost:8090. */
const sessions = new Map<string, { server: RunningServer, curlHome: string, lastOut: string }>()
async function session (page: string): Promise<{ server: RunningServer, curlHome: string, lastOut: string }> {
  let s = sessions.get(page)
  if (s === undefined) {
    const server = await startServer(['--log-level', 'warn'])
    const port = new URL(server.url).port
    const curlHome = join(work, 'curl-' + basename(page, '.md'))
    mkdirSync(curlHome, { recursive: true })
    // What a user's curl does with localhost:8090, this one does with the page's emulator;
    // and a refusal fails the block.
    writeFileSync(join(curlHome, '.curlrc'), `connect-to = localhost:8090:127.0.0.1:${port}\nconnect-to = 127.0.0.1:8090:127.0.0.1:${port}\nfail-with-body\nshow-error\n`)
    s = { server, curlHome, lastOut: '' }
    sessions.set(page, s)
  }
  return s
}
t.teardown(async () => { for (const s of sessions.values()) await stop(s.server) })

/** What the shell blocks are given: npm installs into a folder of the test's, pip's plugin installed there too. */
async function shellEnv (): Promise<NodeJS.ProcessEnv> {
  const prefix = join(work, 'npm-prefix')
  const site = join(work, 'site-packages')
  if (!existsSync(site)) {
    // The pytest plugin, installed as `pip install ./python` installs it (from a copy: pip builds in the source folder).
    cpSync(join(root, 'python'), join(work, 'python-src'), { recursive: true })
    const pip = await bash(`/usr/bin/python3 -m pip install --quiet --no-build-isolation --no-deps --no-cache-dir --target '${site}' '${join(work, 'python-src')}'`, { PIP_DISABLE_PIP_VERSION_CHECK: '1' })
    if (pip.code !== 0) throw new Error(`pip install failed: ${pip.stderr}`)
  }
  return {
    npm_config_prefix: prefix,
    PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
    PYTHONPATH: site,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTEST_ADDOPTS: '-p no:cacheprovider',
    GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'people-api-emulator-gocache')
  }
}

function ran (t: Test, b: Block, result: Ran): void {
  t.equal(result.code, 0, `${where(b)}: runs`)
  if (result.code !== 0) t.comment((result.stdout + result.stderr).slice(-3000))
}

t.test('the blocks that run, page by page, in order', async t => {
  for (const { page } of pages) {
    const own = blocks.filter(b => b.page === page && b.kind !== 'snippet' && b.kind !== 'setup')
    if (own.length === 0) continue
    await t.test(page, async t => {
      let last: Ran | undefined
      for (const b of own) {
        if (b.kind === 'fixture') {
          const s = await session(page)
          const res = await fetch(`${s.server.url}/_emulator/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b.text })
          t.equal(res.status, 200, `${where(b)}: the fixture document imports (${await res.text()})`)
        } else if (b.kind === 'run') {
          const s = await session(page)
          last = await bash(b.text, { CURL_HOME: s.curlHome, HOME: s.curlHome })
          ran(t, b, last)
        } else if (b.kind === 'output') {
          t.equal(last?.stdout.trimEnd(), b.text.trimEnd(), `${where(b)}: what the block before prints`)
        } else if (b.kind === 'shell') {
          const env = await shellEnv()
          let script = b.text
          if (b.arg === 'conformance') {
            // The parity run against Google, pointed at the page's emulator instead.
            const s = await session(page)
            script = script.replaceAll('https://people.googleapis.com/', `${s.server.url}/`)
            env.TOKEN = 'docs-parity-token'
          }
          last = await bash(script, env)
          ran(t, b, last)
          rmSync(join(root, 'parity-report.json'), { force: true })
        } else if (b.kind === 'docker') {
          last = await docker(b.text)
          ran(t, b, last)
        }
      }
    })
  }
})

t.test('README\'s Python and Go quickstarts print what they did', async t => {
  const server = await startServer(['--log-level', 'warn'])
  t.teardown(async () => { await stop(server) })
  const env = { ...(await shellEnv()), PEOPLE_EMULATOR_URL: server.url }
  const python = await bash('/usr/bin/python3 examples/quickstart.py', env)
  t.equal(python.code, 0, python.stderr)
  t.match(python.stdout, /^created people\/c\d+ Ada\nrenamed to Ada Lovelace\nrefused: 400 Request person\.etag is different than the current person\.etag\./)
  const go = await bash('go run quickstart.go', { ...env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '' }, join(root, 'examples'))
  t.equal(go.code, 0, go.stderr)
  t.match(go.stdout, /^created people\/c\d+ Ada\nrenamed to Ada Lovelace\nrefused: googleapi: Error 400: Request person\.etag is different/)
})

/**
 * A stand-in for `docker` that does what the image would: `build` needs the Dockerfile; `run`
 * starts the built server with the image's ENV and the command's `-e` settings (each must be a
 * setting the emulator reads), paths under /app and the mounts mapped to this machine, on a free
 * port; it waits for the start line, asks for health and an export (with the control token, when
 * one is set), and stops the server, which must exit 0.
 */
async function docker (script: string): Promise<Ran> {
  const shim = join(root, 'test', 'helpers', 'docker-run.mjs')
  const env = {
    DOCKER_ROOT: root,
    DOCKER_WORK: work,
    DOCKER_SETTINGS: SETTINGS.map(s => s.env).join(','),
    DOCKER_ENV: readFileSync(join(root, 'Dockerfile'), 'utf8').split(/^FROM /m).at(-1)!.match(/ENV ((?:[^\n]*\\\n)*[^\n]*)/)![1]!.replace(/\\\n\s*/g, ' ')
  }
  const fn = `docker () { case "$1" in build) [ "$2 $3 $4" = "-t people-api-emulator ." ] && [ -f Dockerfile ];; run) shift; node '${shim}' "$@";; *) return 1;; esac; }\n`
  return await bash(fn + script, env)
}
