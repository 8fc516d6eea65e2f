/**
 * Parameters whose values are credentials, and the one way a query (or a form, which is written
 * the same way) is shown with them redacted: the logs (src/app.ts), the journal (src/journal/)
 * and the sign-in endpoints' bodies (src/oauth/redact.ts) all read it from here.
 */

/** Query and form parameters that carry a credential: the API's and the sign-in endpoints'. */
export const CREDENTIAL_PARAMETERS: ReadonlySet<string> = new Set([
  'access_token', 'oauth_token', 'key', 'token', 'id_token', 'code', 'refresh_token', 'client_secret', 'code_verifier', 'assertion', 'login_hint'
])

/** A parameter's name as the query parser reads it (percent and `+` decoded); undefined when it does not decode. */
export function parameterName (raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

/**
 * `a=1&b=2` with the values of the parameters `secret` names replaced by [Redacted], however the
 * name is spelt (`access%5Ftoken` is `access_token`); a name that does not decode is redacted too.
 */
export function redactParameters (text: string, secret: ReadonlySet<string>): string {
  return text.split('&').map(part => {
    const eq = part.indexOf('=')
    const raw = eq === -1 ? part : part.slice(0, eq)
    const name = parameterName(raw)
    return name === undefined || secret.has(name) ? `${raw}=[Redacted]` : part
  }).join('&')
}
