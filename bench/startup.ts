/**
 * Start-up: the time from spawning `node` to the first successful health response, for the
 * built emulator with a 1,000-contact fixture and for the bare Fastify baseline. Median of
 * several starts each. Run with `npm run bench` (after `npm ci`, which builds).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const RUNS = 7

export function contactsFixture (count: number): string {
  const people = Array.from({ length: count }, (_, i) => ({
    names: [{ givenName: `Given${i}`, familyName: `Family${i}` }],
    emailAddresses: [{ value: `person${i}@example.com`, type: 'home' }],
    phoneNumbers: [{ value: `+1 202 555 ${String(i % 10000).padStart(4, '0')}`, type: 'mobile' }]
  }))
  const file = join(mkdtempSync(join(tmpdir(), 'pae-bench-')), `fixture-${count}.json`)
  writeFileSync(file, JSON.stringify({ accounts: [{ id: 'bench', tokens: [{ token: 'bench-token' }], people }] }))
  return file
}

/** Milliseconds from spawn to the first 200 from /_emulator/health. */
async function timeToFirstResponse (args: string[]): Promise<number> {
  const started = performance.now()
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /listening on (http:\/\/\S+)/.exec(out)
        if (m) resolve(m[1]!)
      })
      child.on('exit', code => reject(new Error(`exited with ${code}`)))
    })
    for (;;) {
      const ok = await fetch(url + '/_emulator/health').then(r => r.ok, () => false)
      if (ok) return performance.now() - started
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise(resolve => child.once('exit', resolve))
  }
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

export async function measureStartup (): Promise<{ emulatorMs: number, baselineMs: number }> {
  const fixture = contactsFixture(1000)
  const emulator: number[] = []
  const baseline: number[] = []
  for (let i = 0; i < RUNS; i++) {
    emulator.push(await timeToFirstResponse(['dist/server.mjs', '--port', '0', '--log-level', 'warn', '--fixtures', fixture]))
    baseline.push(await timeToFirstResponse(['bench/baseline.mjs', '0']))
  }
  return { emulatorMs: median(emulator), baselineMs: median(baseline) }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { emulatorMs, baselineMs } = await measureStartup()
  console.log('| start-up (spawn → first health 200), median of %d | ms |', RUNS)
  console.log('|---|---|')
  console.log(`| bare Fastify baseline | ${baselineMs.toFixed(0)} |`)
  console.log(`| emulator, 1,000-contact fixture | ${emulatorMs.toFixed(0)} |`)
  console.log(`| ratio | ${(emulatorMs / baselineMs).toFixed(2)} × |`)
}
