/**
 * OAuth scopes as Google's authorization server reads them (FIDELITY.md: oauth): space-separated,
 * case-sensitive; only `openid`, `email` and `profile` have short forms, which are granted as
 * their full URLs. Any `https://www.googleapis.com/auth/…` scope is accepted (chosen: the
 * emulator serves the People API, but an app may ask for other Google APIs' scopes too).
 */
import { scopeDescriptions } from '../generated/discovery.js'

export const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email'
export const PROFILE_SCOPE = 'https://www.googleapis.com/auth/userinfo.profile'
export const OPENID = 'openid'
const SCOPE_PREFIX = 'https://www.googleapis.com/auth/'

const SHORT: Readonly<Record<string, string>> = { openid: OPENID, email: EMAIL_SCOPE, profile: PROFILE_SCOPE }

/** What the consent page says for each scope: Google's words (the discovery document's for the People API's). */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  [OPENID]: 'Associate you with your personal info on Google',
  [EMAIL_SCOPE]: 'See your primary Google Account email address',
  [PROFILE_SCOPE]: 'See your personal info, including any personal info you\'ve made publicly available',
  ...scopeDescriptions
}

export function describeScope (scope: string): string {
  return DESCRIPTIONS[scope] ?? scope
}

/** The most scopes one request may name (chosen: Google's limit is not documented). */
export const MAX_SCOPES = 100
/** The longest scope accepted. */
const MAX_SCOPE_LENGTH = 256

/** A requested scope list read: the granted (expanded) scopes, the short names asked for, what is not a scope, and whether it names more than MAX_SCOPES. */
export interface ScopeRequest { scopes: string[], short: string[], invalid: string[], tooMany: boolean }

export function parseScopes (text: string): ScopeRequest {
  const scopes = new Set<string>()
  const short = new Set<string>()
  const invalid = new Set<string>()
  let words = 0
  for (const word of text.split(/[ +]+/)) {
    if (word === '') continue
    if (++words > MAX_SCOPES) return { scopes: [...scopes], short: [...short], invalid: [...invalid], tooMany: true }
    const expanded = SHORT[word]
    if (expanded !== undefined) {
      if (word !== OPENID) short.add(word)
      scopes.add(expanded)
    } else if (word.length <= MAX_SCOPE_LENGTH && word.length > SCOPE_PREFIX.length && word.startsWith(SCOPE_PREFIX) && /^[A-Za-z0-9._/-]+$/.test(word.slice(SCOPE_PREFIX.length))) {
      scopes.add(word)
    } else {
      invalid.add(word.length > MAX_SCOPE_LENGTH ? word.slice(0, MAX_SCOPE_LENGTH) + '…' : word)
    }
  }
  return { scopes: [...scopes], short: [...short], invalid: [...invalid], tooMany: false }
}

/** What is said of a request naming more than MAX_SCOPES scopes. */
export const TOO_MANY_SCOPES = `Too many scopes were requested: at most ${MAX_SCOPES}.`

/** `{valid=[…], invalid=[…]}`, as Google's invalid_scope page prints the scopes. */
export function invalidScopeText (request: ScopeRequest): string {
  return `Some requested scopes were invalid. {valid=[${request.scopes.join(', ')}], invalid=[${request.invalid.join(', ')}]}`
}

/** The `scope` of a token answer: the granted scopes, expanded, space-separated (in a stable order). */
export function scopeText (scopes: readonly string[]): string {
  return [...scopes].sort().join(' ')
}

/** The `scope` of the redirect: the short names asked for, then every granted scope expanded (observed). */
export function redirectScopeText (short: readonly string[], scopes: readonly string[]): string {
  return [...short, ...[...scopes].sort()].join(' ')
}

export function union (a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}

/** Whether every scope of `wanted` is in `held`. */
export function covers (held: readonly string[], wanted: readonly string[]): boolean {
  const set = new Set(held)
  return wanted.every(s => set.has(s))
}
