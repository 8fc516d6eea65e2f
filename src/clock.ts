/**
 * The emulator's clock. Times are microseconds since the epoch (Google's update times carry
 * microseconds) and never go backwards or repeat, so every change has its own update time.
 *
 * Two modes (`--clock`): `system` follows the machine's time; `fixed:<RFC 3339>` starts at
 * that instant and moves only by one microsecond per reading and by explicit advances, so two
 * runs of the same test produce the same times. Both can be advanced or set forward through
 * POST /_emulator/clock (sync-token expiry becomes testable in milliseconds).
 */
export interface Clock {
  /** Microseconds since the Unix epoch, strictly increasing from call to call. */
  nowMicros: () => bigint
}

export type ClockMode = { kind: 'system' } | { kind: 'fixed', start: bigint }

/** What a reset or a snapshot keeps of the clock. */
export interface ClockState { kind: ClockMode['kind'], fixedNow: bigint, last: bigint, offset: bigint }

/**
 * The range the emulator clock may be set or advanced within (chosen): from the Unix epoch to
 * 9999-01-01T00:00:00Z. RFC 3339 (and Google's times) end at 9999-12-31T23:59:59.999999Z; the
 * year left over is for the clock to go on running — a system clock set to the last second
 * would be past it a second later.
 */
export const EARLIEST_MICROS = 0n
export const LATEST_MICROS = BigInt(Date.parse('9999-01-01T00:00:00Z')) * 1000n
export const LATEST_TIME = '9999-01-01T00:00:00Z'

/** Why a clock instant is refused: outside the range the clock may reach. */
export class ClockRangeError extends RangeError {
  override name = 'ClockRangeError'
}

export class EmulatorClock implements Clock {
  private last = 0n
  /** Added to the machine's time (system mode), moved by advance and set. */
  private offset = 0n
  private fixedNow: bigint
  private readonly origin = BigInt(Date.now()) * 1000n - process.hrtime.bigint() / 1000n

  constructor (readonly mode: ClockMode = { kind: 'system' }) {
    if (mode.kind === 'fixed') checkInRange(mode.start)
    this.fixedNow = mode.kind === 'fixed' ? mode.start : 0n
  }

  private base (): bigint {
    return this.mode.kind === 'fixed' ? this.fixedNow : this.origin + process.hrtime.bigint() / 1000n + this.offset
  }

  nowMicros (): bigint {
    if (this.mode.kind === 'fixed') this.fixedNow += 1n
    const now = this.base()
    this.last = now > this.last ? now : this.last + 1n
    return this.last
  }

  /** The current time without consuming a tick. */
  peek (): bigint {
    const now = this.base()
    return now > this.last ? now : this.last
  }

  /** Moves the clock forward; a ClockRangeError (and no move) past LATEST_TIME. */
  advance (micros: bigint): void {
    if (micros < 0n) throw new RangeError('the clock cannot go backwards')
    checkInRange(this.peek() + micros)
    this.move(micros)
  }

  /**
   * Moves the clock to `micros`; it may not go back before the last time it gave. Checked
   * against `micros` itself, not a second reading: a system clock has moved on meanwhile, and
   * LATEST_TIME itself may be set.
   */
  set (micros: bigint): void {
    const current = this.peek()
    if (micros < current) throw new RangeError('the clock cannot go backwards')
    checkInRange(micros)
    this.move(micros - current)
  }

  private move (micros: bigint): void {
    if (this.mode.kind === 'fixed') this.fixedNow += micros
    else this.offset += micros
  }

  /**
   * The state to come back to on a reset or a snapshot's restore: a fixed clock's instant; a
   * system clock's offset from the machine's time (what advance and set added).
   */
  snapshot (): ClockState {
    return { kind: this.mode.kind, fixedNow: this.fixedNow, last: this.last, offset: this.offset }
  }

  /**
   * Back to a state `snapshot` gave: a fixed clock to its instant; a system clock to its offset
   * (a reset: the machine's time again; a restore: as far ahead as when the snapshot was saved),
   * the machine's time having gone on meanwhile. The one time the clock goes back: the state it
   * stamped since goes back with it. A state of the other mode (a snapshot saved by an emulator
   * started with another --clock) leaves the clock as it is.
   */
  restore (snapshot: ClockState): void {
    if (snapshot.kind !== this.mode.kind) return
    this.fixedNow = snapshot.fixedNow
    this.last = snapshot.last
    this.offset = snapshot.offset
  }
}

function checkInRange (micros: bigint): void {
  if (micros < EARLIEST_MICROS || micros > LATEST_MICROS) {
    throw new ClockRangeError(`the emulator clock stays between 1970-01-01T00:00:00Z and ${LATEST_TIME}`)
  }
}

/** Whether an instant is one the clock may be set to. */
export function inClockRange (micros: bigint): boolean {
  return micros >= EARLIEST_MICROS && micros <= LATEST_MICROS
}

/**
 * `system` or `fixed:<RFC 3339>`; undefined when the text is neither, or names an instant
 * outside the clock's range.
 */
export function parseClockMode (text: string): ClockMode | undefined {
  if (text === 'system') return { kind: 'system' }
  const m = /^fixed:(.+)$/.exec(text)
  const start = m ? parseTime(m[1]!) : undefined
  return start === undefined || !inClockRange(start) ? undefined : { kind: 'fixed', start }
}

/** `90s`, `1.5s`, `500ms`, `30m`, `2h`, `7d` → microseconds; undefined when not a duration. */
export function parseDuration (text: string): bigint | undefined {
  // At most 15 digits: nothing longer is inside the clock's range anyway.
  const m = /^(\d{1,15}(?:\.\d{1,6})?)(ms|s|m|h|d)$/.exec(text)
  if (!m) return undefined
  const [whole, frac = ''] = m[1]!.split('.')
  const micros = BigInt(whole!) * 1000000n + BigInt(frac.padEnd(6, '0'))
  const unit: Record<string, bigint> = { ms: 1n, s: 1000n, m: 60000n, h: 3600000n, d: 86400000n }
  // micros holds the number scaled by 10^6; multiply by the unit in milliseconds, divide by 1000.
  return micros * unit[m[2]!]! / 1000n
}

const formatted = { second: -1n, prefix: '' }

/** RFC 3339 UTC with microseconds: `2026-03-29T08:09:22.140191Z`. */
export function formatTime (micros: bigint): string {
  const second = micros / 1000000n
  // Stamps come many to a second: the date and time of day are formatted once per second.
  if (second !== formatted.second) {
    formatted.second = second
    formatted.prefix = new Date(Number(second) * 1000).toISOString().slice(0, 19)
  }
  return formatted.prefix + '.' + String(micros - second * 1000000n).padStart(6, '0') + 'Z'
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

/** The machine's clock (system mode). */
export function systemClock (): EmulatorClock {
  return new EmulatorClock({ kind: 'system' })
}
