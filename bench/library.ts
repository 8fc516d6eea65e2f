/**
 * An emulator per test file (library mode): startEmulator() to its first answer against a bare
 * Fastify app doing the same (bench/library-start.mjs), warmed up in one process and first in a
 * fresh process, import included; and close().
 */
import { execFileSync } from 'node:child_process'
import { median, root } from './servers.js'

export interface LibraryFigures {
  warmMs: number
  warmBareMs: number
  /** The lowest and highest ratio of single rounds (each start against the bare app's after it). */
  warmSpread: [number, number]
  closeMs: number
  closeSpread: [number, number]
  coldMs: number
  coldBareMs: number
  coldSpread: [number, number]
}

function run (...args: string[]): any {
  return JSON.parse(execFileSync(process.execPath, ['bench/library-start.mjs', ...args], { cwd: root, encoding: 'utf8' }))
}

function spread (values: number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)]
}

/**
 * `warmRounds` warm starts of each, alternating (a few milliseconds each: many, so that the
 * median stands still on a noisy machine); `coldRounds` fresh processes of each.
 */
export function measureLibrary (warmRounds: number, coldRounds: number): LibraryFigures {
  const warm = run('warm', String(warmRounds)) as { emulator: number[], bare: number[], close: number[] }
  const cold: number[] = []
  const coldBare: number[] = []
  for (let i = 0; i < coldRounds; i++) {
    cold.push(run('cold', 'emulator').ms)
    coldBare.push(run('cold', 'bare').ms)
  }
  return {
    warmMs: median(warm.emulator),
    warmBareMs: median(warm.bare),
    warmSpread: spread(warm.emulator.map((ms, i) => ms / warm.bare[i]!)),
    closeMs: median(warm.close),
    closeSpread: spread(warm.close),
    coldMs: median(cold),
    coldBareMs: median(coldBare),
    coldSpread: spread(cold.map((ms, i) => ms / coldBare[i]!))
  }
}
