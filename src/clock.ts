/**
 * The emulator's clock. Times are microseconds since the epoch (Google's update times carry
 * microseconds) and never go backwards or repeat, so every change has its own update time.
 */
export interface Clock {
  /** Microseconds since the Unix epoch, strictly increasing from call to call. */
  nowMicros: () => bigint
}

export function systemClock (): Clock {
  let last = 0n
  const origin = BigInt(Date.now()) * 1000n - process.hrtime.bigint() / 1000n
  return {
    nowMicros () {
      const now = origin + process.hrtime.bigint() / 1000n
      last = now > last ? now : last + 1n
      return last
    }
  }
}

/** RFC 3339 UTC with microseconds: `2026-03-29T08:09:22.140191Z`. */
export function formatTime (micros: bigint): string {
  const ms = Number(micros / 1000n)
  const frac = (micros % 1000000n).toString().padStart(6, '0')
  return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z'
}

/** Parses an RFC 3339 time into microseconds; undefined when it is not one. */
export function parseTime (text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text)
  if (!m) return undefined
  const seconds = Date.parse(m[1]! + m[3]!)
  if (Number.isNaN(seconds)) return undefined
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6)
  return BigInt(seconds) * 1000n + BigInt(frac)
}
