/**
 * The shapes of what the authorization server hands out (FIDELITY.md: oauth, token formats):
 * codes `4/0A…` (73 characters), access tokens `ya29.a0…`, refresh tokens `1//0…` (103
 * characters), all drawn from the emulator's random stream (so `--seed` repeats them) and mixed
 * with the line of history they are made in (`salt`: the whole resets and snapshot restores so
 * far), so that a stream rewound by a reset or a restore never hands a string out again — to
 * another account, maybe — while one from before may still be held by a client. An
 * access token ends with a check of its own characters: the API tells one the emulator minted
 * from any other token even after it has been forgotten (expired long ago, or the state
 * reset), and answers it with Google's 401 instead of taking it for an undeclared token.
 */
import { createHash } from 'node:crypto'
import type { RandomSource } from '../ids.js'

const CODE = /^4\/0A[A-Za-z0-9_-]{69}$/
const ACCESS = /^ya29\.a0E[A-Za-z0-9_-]{128}\.[A-Za-z0-9_-]{8}$/

const check = (body: string): string => createHash('sha256').update(body).digest().subarray(0, 6).toString('base64url')

/** `n` bytes of the random stream, mixed with the salt (SHA-256 in counter mode). */
function draw (random: RandomSource, salt: string, n: number): Buffer {
  const seed = random.bytes(32)
  const blocks: Buffer[] = []
  for (let i = 0; blocks.length * 32 < n; i++) blocks.push(createHash('sha256').update(salt).update('\u0000').update(seed).update(String(i)).digest())
  return Buffer.concat(blocks).subarray(0, n)
}

export function newCode (random: RandomSource, salt: string): string {
  return '4/0A' + draw(random, salt, 52).toString('base64url').slice(0, 69)
}

/** Whether a code has the shape of one (a code not URL-decoded, `4%2F0A…`, has not: "Malformed auth code."). */
export function isCodeShaped (code: string): boolean {
  return CODE.test(code)
}

export function newAccessToken (random: RandomSource, salt: string): string {
  const body = 'ya29.a0E' + draw(random, salt, 96).toString('base64url')
  return `${body}.${check(body)}`
}

/** Whether a token is one the emulator minted (whether or not it still knows it). */
export function isMintedAccessToken (token: string): boolean {
  if (!ACCESS.test(token)) return false
  const dot = token.lastIndexOf('.')
  return check(token.slice(0, dot)) === token.slice(dot + 1)
}

export function newRefreshToken (random: RandomSource, salt: string): string {
  return '1//0' + draw(random, salt, 75).toString('base64url').slice(0, 99)
}
