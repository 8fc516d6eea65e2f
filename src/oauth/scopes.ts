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

/** A requested scope list read: the granted (expanded) scopes, the short names asked for, and what is not a scope. */
export interface ScopeRequest { scopes: string[], short: string[], invalid: string[] }

export function parseScopes (text: string): ScopeRequest {
  const scopes: string[] = []
  const short: string[] = []
  const invalid: string[] = []
  for (const word of text.split(/[ +]+/)) {
    if (word === '') continue
    const expanded = SHORT[word]
    if (expanded !== undefined) {
      if (word !== OPENID && !short.includes(word)) short.push(word)
      if (!scopes.includes(expanded)) scopes.push(expanded)
    } else if (word.startsWith(SCOPE_PREFIX) && /^[A-Za-z0-9._/-]+$/.test(word.slice(SCOPE_PREFIX.length)) && word.length > SCOPE_PREFIX.length) {
      if (!scopes.includes(word)) scopes.push(word)
    } else if (!invalid.includes(word)) {
      invalid.push(word)
    }
  }
  return { scopes, short, invalid }
}

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
