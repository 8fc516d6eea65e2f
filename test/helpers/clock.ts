/** A fixed-mode emulator clock the test moves by hand: sync-token expiry in milliseconds, not days. */
import { EmulatorClock } from '../../src/clock.js'

export class ManualClock extends EmulatorClock {
  constructor (start = Date.parse('2026-01-01T00:00:00Z')) {
    super({ kind: 'fixed', start: BigInt(start) * 1000n })
  }

  advanceMs (ms: number): void {
    this.advance(BigInt(ms) * 1000n)
  }
}

export function manualClock (start?: number): ManualClock {
  return new ManualClock(start)
}
