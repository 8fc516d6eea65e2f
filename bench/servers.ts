/**
 * What the benchmarks share: starting a server (the emulator or the baseline) as `node`
 * would, stopping it, and the contacts fixture they load.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
export const TOKEN = 'bench-token'

export interface Server { child: ChildProcess, url: string }

/** Servers still running: none outlives the benchmark, however it ends. */
const running = new Set<ChildProcess>()
process.once('exit', () => { for (const child of running) child.kill('SIGKILL') })
function track (child: ChildProcess): ChildProcess {
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

const LISTENING = /listening on (http:\/\/\S+)/

/**
 * Spawns `node <args>` in the project and waits for its "listening on <url>" line. With
 * `logFile`, its standard output goes to that file, as a CI job or a container runtime
 * keeps it: the request log is written as the emulator writes it by default, and no
 * process of the benchmark spends time reading it. Without, it is a pipe read until the
 * line comes (start-up is timed that way).
 */
export async function start (args: string[], logFile?: string): Promise<Server> {
  if (logFile !== undefined) {
    const fd = openSync(logFile, 'w')
    const child = track(spawn(process.execPath, args, { cwd: root, stdio: ['ignore', fd, 'inherit'] }))
    closeSync(fd)
    let exited: number | null | undefined
    child.once('exit', code => { exited = code })
    for (;;) {
      await new Promise(resolve => setTimeout(resolve, 20))
      const m = LISTENING.exec(readFileSync(logFile, 'utf8').slice(0, 4096))
      if (m) return { child, url: m[1]! }
      if (exited !== undefined) throw new Error(`server exited with ${exited}`)
    }
  }
  const child = track(spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] }))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const onData = (d: Buffer): void => {
      out += d.toString()
      const m = LISTENING.exec(out)
      if (m) {
        // Whatever it writes later is read and dropped.
        child.stdout!.off('data', onData)
        child.stdout!.resume()
        resolve(m[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.on('exit', code => reject(new Error(`server exited with ${code}`)))
  })
  return { child, url }
}

/**
 * The arguments of `node` for the built emulator as a user runs it (`npm start`): every
 * setting at its default (log level info, the request journal on), on any free port.
 */
export function emulatorArgs (fixture: string): string[] {
  return [...PROFILE, 'dist/server.mjs', '--port', '0', '--fixtures', fixture]
}

/**
 * BENCH_PROFILE=<dir>: every emulator the benchmark starts writes a V8 CPU profile there
 * when it stops (`<dir>/CPU.….cpuprofile`; open it in Chrome's DevTools, Performance tab).
 */
const PROFILE = process.env.BENCH_PROFILE === undefined || process.env.BENCH_PROFILE === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]

/** A fresh file for a server's standard output. */
export function logFile (name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'pae-bench-log-')), `${name}.log`)
}

export async function stop (server: Server): Promise<void> {
  server.child.kill('SIGTERM')
  await new Promise(resolve => server.child.once('exit', resolve))
}

/**
 * A fixture file of one account (token `bench-token`) with `count` contacts (a name, an email
 * address, a phone number and an organization each) of known names and
 * resource names (`people/c1000000`, …), and `groups` user groups (`contactGroups/b000`, …).
 */
export function contactsFixture (count: number, groups = 0): string {
  const people = Array.from({ length: count }, (_, i) => ({
    resourceName: `people/c${1000000 + i}`,
    names: [{ givenName: `Given${i}`, familyName: `Family${i}` }],
    emailAddresses: [{ value: `person${i}@example.com`, type: 'home' }],
    phoneNumbers: [{ value: `+1 202 555 ${String(i % 10000).padStart(4, '0')}`, type: 'mobile' }],
    organizations: [{ name: 'Analytical Engines Ltd', title: 'Engineer' }]
  }))
  const contactGroups = Array.from({ length: groups }, (_, i) => ({ resourceName: `contactGroups/${(0xb000 + i).toString(16)}`, name: `Group ${i}` }))
  const file = join(mkdtempSync(join(tmpdir(), 'pae-bench-')), `fixture-${count}.json`)
  writeFileSync(file, JSON.stringify({ accounts: [{ id: 'bench', tokens: [{ token: TOKEN }], contactGroups, people }] }))
  return file
}

/** The middle value (the upper middle of an even count). */
export function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
