/**
 * Identifiers and etags in Google's formats (FIDELITY.md: contact model, contactGroups.create).
 * - contact: `people/c<decimal>`, the decimal value of the CONTACT source id, a 64-bit value
 *   written in lowercase hex without leading zeros;
 * - contact group: `contactGroups/<lowercase hex>`;
 * - source etag `#` + base64 of 8 bytes; group etag plain base64 of 8 bytes.
 */
import { createHash, randomBytes } from 'node:crypto'
import { memoised } from './memo.js'

/** Where random bytes come from; replaceable so that runs can be made deterministic. */
export interface RandomSource {
  bytes: (n: number) => Buffer
  /** The position to come back to on reset (seeded sources only). */
  snapshot?: () => number
  restore?: (position: number) => void
}

/**
 * The operating system's random bytes not yet drawn, shared by every emulator of the process:
 * each draw takes bytes no other draw gets (they are never account data), and an emulator's
 * start does not wait for a block of its own.
 */
let pool = Buffer.alloc(0)

/**
 * Random bytes from the operating system, drawn in blocks: a contact costs three draws
 * (id, etag, group touches), and one syscall per draw shows at start-up with large fixtures.
 */
export function cryptoRandom (): RandomSource {
  return {
    bytes (n) {
      if (pool.length < n) pool = randomBytes(Math.max(4096, n))
      const out = Buffer.from(pool.subarray(0, n))
      pool = pool.subarray(n)
      return out
    }
  }
}

/**
 * A deterministic stream (`--seed`): SHA-256 of the seed and a block counter. The same seed
 * gives the same resource names and etags, run after run; reset comes back to a position.
 */
export function seededRandom (seed: string): RandomSource {
  let position = 0
  let cached = { index: -1, bytes: Buffer.alloc(0) }
  const block = (index: number): Buffer => {
    if (cached.index !== index) cached = { index, bytes: createHash('sha256').update(`${seed}\u0000${index}`).digest() }
    return cached.bytes
  }
  return {
    bytes (n) {
      const out = Buffer.alloc(n)
      for (let i = 0; i < n; i++, position++) out[i] = block(Math.floor(position / 32))[position % 32]!
      return out
    },
    snapshot: () => position,
    restore: (p) => { position = p }
  }
}

const MAX_UINT64 = (1n << 64n) - 1n

/** A new CONTACT source id: 63 random bits, never zero, lowercase hex. */
export function newContactId (random: RandomSource): string {
  const value = random.bytes(8).readBigUInt64BE() >> 1n
  return (value === 0n ? 1n : value).toString(16)
}

/** A new domain profile id: 21 decimal digits, as Google's account ids look. */
export function newProfileId (random: RandomSource): string {
  return '1' + (random.bytes(8).readBigUInt64BE() % (10n ** 20n)).toString().padStart(20, '0')
}

/** `people/c<decimal>` of a source id (BigInt work, done once per id). */
export const contactResourceName = memoised(50000, (contactId: string): string =>
  'people/c' + BigInt('0x' + contactId).toString(10))

/**
 * The CONTACT source id of `people/c<decimal>`, or undefined when the name is not a
 * contact's (no `c`, not decimal, leading zeros, out of the 64-bit range). Memoised: a
 * BigInt conversion per request is measurable.
 */
export const contactIdFromResourceName = memoised(10000, (resourceName: string): string | undefined => {
  const m = /^people\/c([1-9]\d{0,19})$/.exec(resourceName)
  if (!m) return undefined
  const value = BigInt(m[1]!)
  return value > MAX_UINT64 ? undefined : value.toString(16)
})

/** A new user contact group id: 15 lowercase hex digits, no leading zero. */
export function newGroupId (random: RandomSource): string {
  const value = random.bytes(8).readBigUInt64BE() >> 4n
  return value.toString(16).padStart(15, '1').slice(0, 15)
}

export const GROUP_PREFIX = 'contactGroups/'

export function groupResourceName (groupId: string): string {
  return GROUP_PREFIX + groupId
}

export function newSourceEtag (random: RandomSource): string {
  return '#' + random.bytes(8).toString('base64')
}

export function newGroupEtag (random: RandomSource): string {
  return random.bytes(8).toString('base64')
}
