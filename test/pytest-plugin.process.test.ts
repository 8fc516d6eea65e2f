/**
 * The pytest plugin of python/ (docs/testing.md: pytest), with Debian's pytest and Google's Python client:
 * installed with pip into a folder of its own and loaded by its entry point, the session's
 * emulator started from the built server; and under `people-api-emulator exec`, using the
 * emulator exec started (PEOPLE_EMULATOR_URL).
 */
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const server = join(root, 'dist', 'server.mjs')
const example = join(root, 'python', 'tests', 'test_example.py')

async function run (file: string, args: string[], env: NodeJS.ProcessEnv, cwd = root): Promise<{ code: number, out: string }> {
  // The emulator's own settings come from the plugin and exec only.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PEOPLE_EMULATOR_')))
  return await new Promise(resolve => {
    execFile(file, args, { cwd, env: { ...base, PYTHONDONTWRITEBYTECODE: '1', ...env }, timeout: 180_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, out: stdout + stderr })
    })
  })
}

const PYTEST = ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-s']

t.test('pip install, then pytest: the people_emulator fixture starts the emulator for the session and resets it for each test', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'people-pytest-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // A copy: pip builds in the source folder, and the clone stays as it was.
  cpSync(join(root, 'python'), join(dir, 'src'), { recursive: true })
  const installed = await run('/usr/bin/python3', ['-m', 'pip', 'install', '--quiet', '--no-build-isolation', '--no-deps', '--no-cache-dir', '--target', join(dir, 'site'), join(dir, 'src')], { PIP_DISABLE_PIP_VERSION_CHECK: '1' })
  t.equal(installed.code, 0, installed.out)
  const tested = await run('/usr/bin/python3', [...PYTEST, example], { PYTHONPATH: join(dir, 'site'), PEOPLE_EMULATOR_COMMAND: `${process.execPath} ${server}` })
  t.equal(tested.code, 0, tested.out)
  t.match(tested.out, /4 passed/)
  t.match(tested.out, /renamed people\/c\d+ at http:\/\/127\.0\.0\.1:\d+/, 'its own emulator, on a free port')
})

t.test('a control token among the settings is sent with every call; a session killed outright takes its emulator with it', async t => {
  const withToken = await run('/usr/bin/python3', [...PYTEST, '-p', 'people_api_emulator_pytest.plugin', '-o', 'people_emulator_args=--control-token t0ken-of-the-session', example], { PYTHONPATH: join(root, 'python') })
  t.equal(withToken.code, 0, withToken.out)
  t.match(withToken.out, /4 passed/)
  const dir = mkdtempSync(join(tmpdir(), 'people-pytest-held-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const urlFile = join(dir, 'url')
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PEOPLE_EMULATOR_')))
  const pytest = spawn('/usr/bin/python3', [...PYTEST, '-p', 'people_api_emulator_pytest.plugin', join(root, 'test', 'clients', 'python', 'test_held.py')], {
    cwd: root, env: { ...base, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: join(root, 'python'), URL_FILE: urlFile }, stdio: 'ignore'
  })
  while (!existsSync(urlFile) || readFileSync(urlFile, 'utf8') === '') await new Promise(resolve => setTimeout(resolve, 20))
  const url = readFileSync(urlFile, 'utf8')
  t.equal((await fetch(`${url}/_emulator/health`)).status, 200, 'the session\'s emulator answers')
  pytest.kill('SIGKILL')
  // Its stdin's pipe closed with pytest: the emulator closes (until then, health still answers).
  let answering = true
  while (answering) answering = await fetch(`${url}/_emulator/health`).then(() => true, () => false)
  t.pass('the emulator stopped with the pytest it belonged to')
})

t.test('people-api-emulator exec -- pytest: the plugin uses the emulator exec started', async t => {
  const tested = await run(process.execPath, [server, 'exec', '--', '/usr/bin/python3', ...PYTEST, '-p', 'people_api_emulator_pytest.plugin', example], { PYTHONPATH: join(root, 'python') })
  t.equal(tested.code, 0, tested.out)
  t.match(tested.out, /4 passed/)
})
