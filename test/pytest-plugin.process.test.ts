/**
 * The pytest plugin of python/ (README: pytest), with Debian's pytest and Google's Python client:
 * installed with pip into a folder of its own and loaded by its entry point, the session's
 * emulator started from the built server; and under `people-api-emulator exec`, using the
 * emulator exec started (PEOPLE_EMULATOR_URL).
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
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

t.test('people-api-emulator exec -- pytest: the plugin uses the emulator exec started', async t => {
  const tested = await run(process.execPath, [server, 'exec', '--', '/usr/bin/python3', ...PYTEST, '-p', 'people_api_emulator_pytest.plugin', example], { PYTHONPATH: join(root, 'python') })
  t.equal(tested.code, 0, tested.out)
  t.match(tested.out, /4 passed/)
})

t.test('README shows the plugin\'s test and its client as the files hold them', async t => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  for (const [file, name] of [[example, 'pytest'], [join(root, 'python', 'people_api_emulator_pytest', 'plugin.py'), 'people-client']] as const) {
    const m = new RegExp(`# README: begin ${name}\\n([\\s\\S]*?)[ \\t]*# README: end ${name}\\n`).exec(readFileSync(file, 'utf8'))!
    const lines = m[1]!.split('\n')
    const indent = Math.min(...lines.filter(l => l.trim() !== '').map(l => /^ */.exec(l)![0].length))
    t.ok(readme.includes('```python\n' + lines.map(l => l.slice(indent)).join('\n') + '```\n'), `README holds the ${name} block`)
  }
})
