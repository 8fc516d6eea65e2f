/**
 * Start-up: the time from spawning `node` to the first successful health response, for the
 * built emulator with a 1,000-contact fixture and for the bare Fastify baseline. Median of
 * several starts each. Run with `npm run bench` (after `npm ci`, which builds).
 */
import { fileURLToPath } from 'node:url'
import { contactsFixture, emulatorArgs, median, start, stop } from './servers.js'

const RUNS = 7

/** Milliseconds from spawn to the first 200 from /_emulator/health. */
async function timeToFirstResponse (args: string[]): Promise<number> {
  const started = performance.now()
  const server = await start(args)
  try {
    for (;;) {
      const ok = await fetch(server.url + '/_emulator/health').then(r => r.ok, () => false)
      if (ok) return performance.now() - started
    }
  } finally {
    await stop(server)
  }
}

/** Median start-up of each, and the lowest and highest ratio of single starts (emulator against the baseline start after it). */
export async function measureStartup (): Promise<{ emulatorMs: number, baselineMs: number, spread: [number, number] }> {
  const fixture = contactsFixture(1000)
  const emulator: number[] = []
  const baseline: number[] = []
  for (let i = 0; i < RUNS; i++) {
    emulator.push(await timeToFirstResponse(emulatorArgs(fixture)))
    baseline.push(await timeToFirstResponse(['bench/baseline.mjs', '0']))
  }
  const ratios = emulator.map((ms, i) => ms / baseline[i]!)
  return { emulatorMs: median(emulator), baselineMs: median(baseline), spread: [Math.min(...ratios), Math.max(...ratios)] }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { emulatorMs, baselineMs } = await measureStartup()
  console.log('| start-up (spawn → first health 200), median of %d | ms |', RUNS)
  console.log('|---|---|')
  console.log(`| bare Fastify baseline | ${baselineMs.toFixed(0)} |`)
  console.log(`| emulator, 1,000-contact fixture | ${emulatorMs.toFixed(0)} |`)
  console.log(`| ratio | ${(emulatorMs / baselineMs).toFixed(2)} × |`)
}
