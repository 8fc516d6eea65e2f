/**
 * What the benchmarks share: starting a server (the emulator or the baseline) as `node`
 * would, stopping it, and the contacts fixture they load.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
export const TOKEN = 'bench-token'

export interface Server { child: ChildProcess, url: string }

/** Spawns `node <args>` in the project and waits for its "listening on <url>" line. */
export async function start (args: string[]): Promise<Server> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.on('exit', code => reject(new Error(`server exited with ${code}`)))
  })
  return { child, url }
}

/** The arguments of `node` for the built emulator as the benchmarks run it: any free port, quiet logs. */
export function emulatorArgs (fixture: string): string[] {
  return ['dist/server.mjs', '--port', '0', '--log-level', 'warn', '--fixtures', fixture]
}

export async function stop (server: Server): Promise<void> {
  server.child.kill('SIGTERM')
  await new Promise(resolve => server.child.once('exit', resolve))
}

/**
 * A fixture file of one account (token `bench-token`) with `count` contacts of known names and
 * resource names (`people/c1000000`, …), and `groups` user groups (`contactGroups/b000`, …).
 */
export function contactsFixture (count: number, groups = 0): string {
  const people = Array.from({ length: count }, (_, i) => ({
    resourceName: `people/c${1000000 + i}`,
    names: [{ givenName: `Given${i}`, familyName: `Family${i}` }],
    emailAddresses: [{ value: `person${i}@example.com`, type: 'home' }],
    phoneNumbers: [{ value: `+1 202 555 ${String(i % 10000).padStart(4, '0')}`, type: 'mobile' }]
  }))
  const contactGroups = Array.from({ length: groups }, (_, i) => ({ resourceName: `contactGroups/${(0xb000 + i).toString(16)}`, name: `Group ${i}` }))
  const file = join(mkdtempSync(join(tmpdir(), 'pae-bench-')), `fixture-${count}.json`)
  writeFileSync(file, JSON.stringify({ accounts: [{ id: 'bench', tokens: [{ token: TOKEN }], contactGroups, people }] }))
  return file
}
