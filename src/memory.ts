/**
 * Resident-memory tuning of the server process (src/server.ts; tests build apps without it).
 * Measured with 20,000 contacts (bench/RESULTS.md): together ~70 MB less resident memory
 * after the benchmark's load, update throughput unchanged within the machine's noise.
 */
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'

/**
 * The V8 options the server is launched with (`npm start`, the `people-api-emulator` bin's
 * shebang, the Docker image's entrypoint and the benchmarks; a test keeps them the same).
 * Semi-spaces of 8 MiB instead of V8's initial 1 MiB: a scavenge costs about the same
 * whatever the young generation's size (requests leave little alive), so 8 × fewer of them
 * cost less. Measured under updateContact load: 1 scavenge per ~90 requests and 5.1 µs of
 * scavenging per request with 1 MiB, 1 per ~340 and 2.0 µs with 8 MiB, for ~14 MB more
 * resident memory. It can only be given at launch: V8 sizes the young generation when the
 * heap is set up. Started without it, the server works the same with more scavenges.
 */
export const LAUNCH_FLAGS = ['--min-semi-space-size=8'] as const

/**
 * Keeps V8's young generation at the size it started with (see LAUNCH_FLAGS) instead of
 * letting it double up to 16 MiB: start-up with a large fixture, or a busy server, would grow
 * it to ~34 MB that V8 then keeps for the life of the process. The flag is read at each
 * growth, so setting it at run time works; a V8 without it only prints a warning.
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
