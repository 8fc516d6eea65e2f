/**
 * `people-api-emulator exec [options] -- <command…>`: the emulator for any test runner. The
 * command gets PEOPLE_EMULATOR_URL (and the control token), its exit status is exec's, and
 * nothing is left running however it ends.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const server = fileURLToPath(new URL('../dist/server.mjs', import.meta.url))

function exec (args: string[], env: NodeJS.ProcessEnv = {}, detached = false): { done: Promise<{ code: number | null, stdout: string, stderr: string }>, pid: number, stdout: () => string } {
  // The emulator's own settings come from the arguments only.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PEOPLE_EMULATOR_')))
  const child = spawn(process.execPath, [server, 'exec', ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const done = new Promise<{ code: number | null, stdout: string, stderr: string }>(resolve => child.on('close', code => resolve({ code, stdout, stderr })))
  return { done, pid: child.pid!, stdout: () => stdout }
}

/** A Node one-liner the command runs. */
const node = (script: string): string[] => [process.execPath, '-e', script]

t.test('the command reaches the emulator at PEOPLE_EMULATOR_URL, and its exit status is exec\'s', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'people-exec-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const fixtures = join(dir, 'fixtures.json')
  writeFileSync(fixtures, JSON.stringify({ accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }], people: [{ names: [{ givenName: 'Ada' }] }] }] }))
  const script = `
    const url = process.env.PEOPLE_EMULATOR_URL
    const r = await fetch(url + '/v1/people/me/connections?personFields=names', { headers: { authorization: 'Bearer alice-token' } })
    const body = await r.json()
    console.log(JSON.stringify({ url, name: body.connections[0].names[0].givenName, token: process.env.PEOPLE_EMULATOR_CONTROL_TOKEN ?? null }))
    process.exit(7)`
  const run = exec(['--fixtures', fixtures, '--', process.execPath, '--input-type=module', '-e', script])
  const { code, stdout, stderr } = await run.done
  t.equal(code, 7, 'the command\'s status')
  const report = JSON.parse(stdout.trim().split('\n').pop()!)
  t.equal(stderr, `people-api-emulator listening on ${report.url} (database :memory:) — web UI ${report.url}/_emulator/ui\n`, 'the start line, on stderr')
  t.match(report.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.not(report.url, 'http://127.0.0.1:8090', 'a free port by default')
  t.equal(report.name, 'Ada', 'the fixtures were loaded')
  t.equal(report.token, null)
  t.notMatch(stdout, /"level"/, 'no request log lines among the command\'s output')
})

t.test('the control token is handed on; a bad setting or a missing command is exit 2 with one line', async t => {
  const withToken = await exec(['--control-token', 'secret-ctl', '--', ...node('console.log(process.env.PEOPLE_EMULATOR_CONTROL_TOKEN)')]).done
  t.equal(withToken.code, 0)
  t.equal(withToken.stdout.trim(), 'secret-ctl')
  const help = await exec(['--help']).done
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: people-api-emulator exec \[options\] -- <command…>/)
  const missing = await exec(['--fixtures', 'x.json']).done
  t.equal(missing.code, 2)
  t.match(missing.stderr, 'exec needs a command after "--"')
  const bad = await exec(['--port', 'nope', '--', 'true']).done
  t.equal(bad.code, 2)
  t.match(bad.stderr, 'invalid configuration')
  const unknown = await exec(['--', 'no-such-command-anywhere']).done
  t.equal(unknown.code, 127)
  t.match(unknown.stderr, 'cannot run "no-such-command-anywhere": command not found')
  const notExecutable = await exec(['--', fileURLToPath(import.meta.url)]).done
  t.equal(notExecutable.code, 126)
  t.match(notExecutable.stderr, 'permission denied')
  // Arguments reach the command as they are: no shell reads them.
  const verbatim = await exec(['--', ...node('console.log(JSON.stringify(process.argv.slice(1)))'), '$HOME', 'a b', '"q"', '*']).done
  t.same(JSON.parse(verbatim.stdout.trim().split('\n').pop()!), ['$HOME', 'a b', '"q"', '*'])
})

t.test('SIGTERM goes to the command; once it has ended, the emulator closes and nothing runs on', async t => {
  const run = exec(['--', ...node('console.log(process.pid); setInterval(() => {}, 1000); process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(3) })')])
  while (!/^\d+\n/.test(run.stdout())) await new Promise(resolve => setTimeout(resolve, 20))
  const childPid = Number(run.stdout().split('\n')[0])
  process.kill(run.pid, 'SIGTERM')
  const { code, stdout } = await run.done
  t.match(stdout, 'got SIGTERM')
  t.equal(code, 3, 'the command\'s status')
  t.throws(() => process.kill(childPid, 0), { code: 'ESRCH' }, 'the command is gone')
  const killed = await exec(['--', ...node('process.kill(process.pid, "SIGKILL")')]).done
  t.equal(killed.code, 137, 'a command killed by a signal: 128 + its number')
})

/** Whether a process is still running (a zombie, ended but not yet reaped, is not). */
function alive (pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

/** Resolves once the process has ended (a signal is delivered at once; the process ends a moment later). */
async function ended (pid: number): Promise<boolean> {
  while (alive(pid)) await new Promise(resolve => setTimeout(resolve, 10))
  return true
}

/** Resolves once the run has printed `n` lines (what the command reports as it starts). */
async function lines (run: { stdout: () => string }, n: number): Promise<string[]> {
  while (run.stdout().split('\n').length <= n) await new Promise(resolve => setImmediate(resolve))
  return run.stdout().split('\n').slice(0, n)
}

t.test('Ctrl-C to exec\'s whole group reaches the command once; a shell\'s children end with it, and so do its background jobs', async t => {
  // As a terminal's Ctrl-C: SIGINT to exec's process group (exec leads one here).
  const counting = exec(['--', ...node('let n = 0; process.on("SIGINT", () => { n++; setTimeout(() => { console.log("SIGINT x" + n); process.exit(130) }, 200) }); console.log("ready"); setInterval(() => {}, 1000)')], {}, true)
  await lines(counting, 1)
  process.kill(-counting.pid, 'SIGINT')
  const counted = await counting.done
  t.match(counted.stdout, 'SIGINT x1', 'one SIGINT')
  t.equal(counted.code, 130)
  // SIGTERM to exec running a shell: the shell's child goes too.
  const shell = exec(['--', 'sh', '-c', 'sleep 30 & echo $!; wait'])
  const [sleeper] = await lines(shell, 1)
  process.kill(shell.pid, 'SIGTERM')
  await shell.done
  t.ok(await ended(Number(sleeper)), 'the shell\'s child is gone')
  // A background job the command leaves behind ends when it does.
  const leaving = await exec(['--', 'sh', '-c', 'sleep 30 & echo $!; exit 0']).done
  t.equal(leaving.code, 0)
  const left = Number(leaving.stdout.trim())
  t.ok(await ended(left), 'its background job is gone')
})

t.test('exec killed outright (SIGKILL): the command and what it started end too', async t => {
  // A command that would otherwise run on: a shell waiting on its child.
  const run = exec(['--', 'sh', '-c', 'echo $$; sleep 1000 & echo $!; wait'])
  const [shell, sleeper] = await lines(run, 2)
  process.kill(run.pid, 'SIGKILL')
  await run.done
  t.ok(await ended(Number(shell)), 'the command is gone')
  t.ok(await ended(Number(sleeper)), 'and its child')
  // After a command that ended by itself, its watchdog (a child it was given) ends too, signalling nothing.
  const quick = await exec(['--', 'sh', '-c', 'for p in $(cat /proc/$$/task/$$/children); do echo "$p $(cat /proc/$p/comm 2>/dev/null)"; done']).done
  t.equal(quick.code, 0)
  const watchdogs = quick.stdout.trim().split('\n').filter(l => l.endsWith(' sh')).map(l => Number(l.split(' ')[0]))
  t.equal(watchdogs.length, 1, 'the command was started with its watchdog')
  for (const pid of watchdogs) t.ok(await ended(pid), 'the watchdog is gone')
})
