/**
 * What the journal keeps of the sign-in endpoints (FIDELITY.md: oauth, journal): a form's
 * secrets — codes, client secrets, verifiers, tokens — and the tokens of an answer are
 * replaced by `[Redacted]`, so that a test reads which calls were made and never what they carried.
 */
import type { TokenAnswer } from './tokens.js'
import { CREDENTIAL_PARAMETERS, redactParameters } from '../secret-parameters.js'

/** Fields whose values never reach the journal: credentials, and who signs in (an address or a name typed on the consent page is account data). */
const SECRET_FIELDS: ReadonlySet<string> = new Set([...CREDENTIAL_PARAMETERS, 'new_email', 'new_name'])

export function redactForm (text: string): string {
  return redactParameters(text, SECRET_FIELDS)
}

/** A token answer as the journal shows it. */
export function mintTokensRedacted (answer: TokenAnswer): string {
  const shown: Record<string, unknown> = { ...answer, access_token: '[Redacted]' }
  if (answer.refresh_token !== undefined) shown.refresh_token = '[Redacted]'
  if (answer.id_token !== undefined) shown.id_token = '[Redacted]'
  return JSON.stringify(shown, null, 2)
}

/** A JSON body as the journal shows it: the secret fields of its top level redacted (the text itself if it is not an object). */
export function redactJson (value: unknown, text: string): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [...SECRET_FIELDS].some(name => text.includes(`"${name}"`)) ? '[Redacted]' : text
  const shown: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) shown[k] = SECRET_FIELDS.has(k) ? '[Redacted]' : v
  return JSON.stringify(shown)
}
