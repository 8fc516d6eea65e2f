/**
 * The Go helper of go/emulator (docs/testing.md: Go) with Debian's Go in GOPATH mode: a test package
 * using emulator.StartProcess in TestMain and emulator.Start(t), Google's people/v1 client
 * pointed at the emulator with the helper's options; and the same under `people-api-emulator
 * exec -- go test`, which the helper uses instead of starting its own.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const server = join(root, 'dist', 'server.mjs')

async function run (file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number, out: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PEOPLE_EMULATOR_')))
  return await new Promise(resolve => {
    execFile(file, args, { cwd, env: { ...base, ...env }, timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, out: stdout + stderr })
    })
  })
}

t.test('go test with the helper: TestMain\'s emulator, a test\'s own, and under exec the one exec started', async t => {
  const gopath = mkdtempSync(join(tmpdir(), 'people-go-helper-'))
  t.teardown(() => rmSync(gopath, { recursive: true, force: true }))
  const pkg = join(gopath, 'src', 'people-api-emulator', 'emulator')
  mkdirSync(join(gopath, 'src', 'people-api-emulator'), { recursive: true })
  cpSync(join(root, 'go', 'emulator'), pkg, { recursive: true })
  const goEnv = { GO111MODULE: 'off', GOPATH: `${gopath}:/usr/share/gocode`, GOFLAGS: '', GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'people-api-emulator-gocache') }
  const own = await run('go', ['test', '-count=1', '-v', '.'], pkg, { ...goEnv, PEOPLE_EMULATOR_COMMAND: `${process.execPath} ${server}` })
  t.equal(own.code, 0, own.out)
  t.match(own.out, /--- PASS: TestRenameSendsOneUpdate/)
  t.match(own.out, /--- PASS: TestStartGivesATestItsOwnEmulator/)
  t.match(own.out, /renamed people\/c\d+ at http:\/\/127\.0\.0\.1:\d+/)
  const underExec = await run(process.execPath, [server, 'exec', '--', 'go', 'test', '-count=1', '-v', '.'], pkg, goEnv)
  t.equal(underExec.code, 0, underExec.out)
  t.match(underExec.out, /ok\s+people-api-emulator\/emulator/)
})
