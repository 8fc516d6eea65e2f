/**
 * V8 heap tuning of the server process (src/server.ts; tests build apps without it). For
 * resident memory: a young generation held small during start-up, a slower-growing old
 * generation and one collection after a large start-up (with 20,000 contacts, together ~70 MB
 * less after the benchmark's load). For throughput: a larger young generation once the
 * server is busy (fewer scavenges, ~14 MB more).
 */
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import { PerformanceObserver } from 'node:perf_hooks'

/**
 * The size of the young generation, as V8 reports it (its new space), that a busy server grows
 * to: 16 MiB, what `node --min-semi-space-size=8` gives under load.
 */
export const BUSY_NEW_SPACE_BYTES = 16 * 1024 * 1024

function newSpaceBytes (): number {
  return v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space')?.space_size ?? 0
}

/**
 * Lets the young generation grow, as the server gets busy, to BUSY_NEW_SPACE_BYTES, and holds
 * it there. A scavenge costs about the same whatever the young generation's size (requests
 * leave little alive), so a larger one makes scavenges rarer: measured under updateContact
 * load, one per ~90 requests and 5.1 µs of scavenging per request at V8's initial size, one
 * per ~300–340 and 2.0 µs at this one, for ~14 MB more resident memory. V8 grows the young
 * generation (by the growth factor) once what survived scavenges since its last growth
 * exceeds its size, so an idle server stays small. Called once the server listens: on the
 * command line, `--min-semi-space-size=8` would cost start-up 20–30 ms, as that option does
 * even with V8's default value (1). Returns the observer that holds the size once reached
 * (disconnected then), or undefined when it is reached already.
 */
export function growYoungGenerationWhenBusy (target = BUSY_NEW_SPACE_BYTES): PerformanceObserver | undefined {
  if (newSpaceBytes() >= target) return undefined
  const observer = new PerformanceObserver(() => {
    if (newSpaceBytes() < target) return
    v8.setFlagsFromString('--semi-space-growth-factor=1')
    observer.disconnect()
  })
  observer.observe({ entryTypes: ['gc'] })
  v8.setFlagsFromString('--semi-space-growth-factor=2')
  return observer
}

/**
 * Keeps V8's young generation at its initial size (semi-spaces of 1 MiB) during start-up
 * instead of letting it double up to 16 MiB: start-up with a large fixture would grow it to
 * ~34 MB that V8 then keeps for the life of the process. The flag is read at each growth, so
 * setting it at run time works; a V8 without it only prints a warning.
 */
export function holdYoungGeneration (): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1')
}

/**
 * Lets V8's old generation grow to 1.5 × what was live after a full collection before the
 * next one, instead of up to 4 ×: objects promoted from a busy young generation then wait
 * less long as garbage. With 20,000 contacts, resident memory after the benchmark's load
 * stays at its start-up level (~115 MB instead of ~140 MB); full collections of a heap of
 * ~25 MB live are cheap. The flag is read after each collection; a V8 without it only
 * prints a warning.
 */
export function limitHeapGrowth (): void {
  v8.setFlagsFromString('--heap-growing-percent=50')
}

/** Heap left after start-up above which one full collection is worth it (a large fixture). */
export const STARTUP_GARBAGE_BYTES = 32 * 1024 * 1024

/**
 * A large fixture leaves tens of MB of parsed JSON behind; V8 would collect it only at its
 * next full collection and keep the pages resident until then. One collection right after
 * start-up, while nothing else runs, returns them. A small start-up skips it (the collection
 * would add ~10 ms to start-up for nothing). Returns whether it collected.
 */
export function collectStartupGarbage (threshold = STARTUP_GARBAGE_BYTES): boolean {
  if (process.memoryUsage().heapUsed < threshold) return false
  // V8's collector without starting node with --expose-gc (v8.setFlagsFromString is Node's API):
  // a context created while the flag is on has `gc`; the flag goes off again at once.
  v8.setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as (() => void) | undefined
  v8.setFlagsFromString('--no-expose-gc')
  if (typeof gc !== 'function') return false
  gc()
  return true
}
