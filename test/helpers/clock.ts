/** A clock the test moves by hand: expiry of sync tokens in milliseconds, not days. */
import type { Clock } from '../../src/clock.js'

export interface ManualClock extends Clock {
  advance: (ms: number) => void
}

export function manualClock (start = Date.parse('2026-01-01T00:00:00Z')): ManualClock {
  let now = BigInt(start) * 1000n
  return {
    nowMicros: () => { now += 1n; return now },
    advance: (ms: number) => { now += BigInt(ms) * 1000n }
  }
}
