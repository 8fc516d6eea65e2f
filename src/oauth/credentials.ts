/**
 * The shapes of what the authorization server hands out (FIDELITY.md: oauth, token formats):
 * codes `4/0A…` (73 characters), access tokens `ya29.a0…`, refresh tokens `1//0…` (103
 * characters), all drawn from the emulator's random stream (so `--seed` repeats them). An
 * access token ends with a check of its own characters: the API tells one the emulator minted
 * from any other token even after it has been forgotten (expired long ago, or the state
 * reset), and answers it with Google's 401 instead of taking it for an undeclared token.
 */
import { createHash } from 'node:crypto'
import type { RandomSource } from '../ids.js'

const CODE = /^4\/0A[A-Za-z0-9_-]{69}$/
const ACCESS = /^ya29\.a0E[A-Za-z0-9_-]{128}\.[A-Za-z0-9_-]{8}$/

const check = (body: string): string => createHash('sha256').update(body).digest().subarray(0, 6).toString('base64url')

export function newCode (random: RandomSource): string {
  return '4/0A' + random.bytes(52).toString('base64url').slice(0, 69)
}

/** Whether a code has the shape of one (a code not URL-decoded, `4%2F0A…`, has not: "Malformed auth code."). */
export function isCodeShaped (code: string): boolean {
  return CODE.test(code)
}

export function newAccessToken (random: RandomSource): string {
  const body = 'ya29.a0E' + random.bytes(96).toString('base64url')
  return `${body}.${check(body)}`
}

/** Whether a token is one the emulator minted (whether or not it still knows it). */
export function isMintedAccessToken (token: string): boolean {
  if (!ACCESS.test(token)) return false
  const dot = token.lastIndexOf('.')
  return check(token.slice(0, dot)) === token.slice(dot + 1)
}

export function newRefreshToken (random: RandomSource): string {
  return '1//0' + random.bytes(75).toString('base64url').slice(0, 99)
}
