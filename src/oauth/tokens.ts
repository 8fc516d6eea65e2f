/**
 * The token endpoint and its neighbours (FIDELITY.md: oauth, tokens): exchanging a code,
 * refreshing, revoking, tokeninfo, userinfo — each error Google's `{"error","error_description"}`
 * with its status. Times are the emulator clock's: advancing it expires tokens and codes.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { atHash, readJwt, signJwt } from './keys.js'
import { isCodeShaped, newAccessToken, newRefreshToken } from './credentials.js'
import { ACCESS_TOKEN_SECONDS, ID_TOKEN_SECONDS, identityOf, OAuthError, type Identity, type OAuthContext } from './context.js'
import { EMAIL_SCOPE, OPENID, PROFILE_SCOPE, parseScopes, scopeText, TOO_MANY_SCOPES } from './scopes.js'
import type { FoundAccessToken } from '../../db/oauth-store.js'
import { profileId } from '../people/profile.js'

/** A token answer, its fields in Google's order. */
export interface TokenAnswer {
  access_token: string
  expires_in: number
  refresh_token?: string
  scope: string
  token_type: 'Bearer'
  id_token?: string
}

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

const badRequest = (error: string, description: string): OAuthError => new OAuthError(400, error, description)
const expiredOrRevoked = (): OAuthError => badRequest('invalid_grant', 'Token has been expired or revoked.')

/** Mints an access token (and a refresh token, an ID token) for an account and client. */
export function issueTokens (ctx: OAuthContext, o: { account: Identity, clientId: string, scopes: readonly string[], refresh: boolean | string, nonce?: string | undefined, accessType: 'online' | 'offline', idToken: boolean, expiresIn?: number }): TokenAnswer {
  const now = ctx.now()
  const seconds = o.expiresIn ?? ACCESS_TOKEN_SECONDS
  const salt = ctx.store.salt()
  const accessToken = newAccessToken(ctx.random, salt)
  let refreshToken: string | undefined
  if (o.refresh === true) {
    refreshToken = newRefreshToken(ctx.random, salt)
    ctx.store.saveRefresh({ token: refreshToken, account_id: o.account.accountId, client_id: o.clientId, scopes: JSON.stringify(o.scopes), issued: now })
  }
  const from = typeof o.refresh === 'string' ? o.refresh : refreshToken ?? null
  ctx.store.saveAccess({ token: accessToken, account_id: o.account.accountId, client_id: o.clientId, scopes: JSON.stringify(o.scopes), expires: now + seconds * 1_000_000, refresh_token: from, access_type: o.accessType })
  const answer: TokenAnswer = { access_token: accessToken, expires_in: seconds, ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }), scope: scopeText(o.scopes), token_type: 'Bearer' }
  if (o.idToken && o.scopes.includes(OPENID)) answer.id_token = idToken(ctx, o.account, o.clientId, o.scopes, accessToken, o.nonce)
  return answer
}

/** An ID token, its claims in the order Google's carry them (`at_hash` when an access token comes with it). */
export function idToken (ctx: OAuthContext, who: Identity, clientId: string, scopes: readonly string[], accessToken: string | undefined, nonce: string | undefined): string {
  const iat = Math.floor(ctx.now() / 1_000_000)
  const claims: Record<string, unknown> = { iss: ctx.issuer, azp: clientId, aud: clientId, sub: who.sub }
  if (who.domain !== null) claims.hd = who.domain
  if (scopes.includes(EMAIL_SCOPE)) {
    claims.email = who.email
    claims.email_verified = true
  }
  if (accessToken !== undefined) claims.at_hash = atHash(accessToken)
  if (nonce !== undefined) claims.nonce = nonce
  if (scopes.includes(PROFILE_SCOPE)) {
    if (who.name !== undefined) claims.name = who.name
    if (who.picture !== undefined) claims.picture = who.picture
    if (who.givenName !== undefined) claims.given_name = who.givenName
    if (who.familyName !== undefined) claims.family_name = who.familyName
  }
  claims.iat = iat
  claims.exp = iat + ID_TOKEN_SECONDS
  return signJwt(ctx.key(), claims)
}

/** The client of a token request, from HTTP Basic or the body, checked against the declared clients. */
function authenticateClient (ctx: OAuthContext, form: Readonly<Record<string, string>>, authorization: string | undefined): string {
  let clientId = form.client_id
  let secret = form.client_secret
  const basic = authorization === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization)
  if (basic !== null) {
    const text = Buffer.from(basic[1]!, 'base64').toString('utf8')
    const colon = text.indexOf(':')
    const decode = (s: string): string => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '))
      } catch {
        return s
      }
    }
    if (colon !== -1) {
      clientId ??= decode(text.slice(0, colon))
      secret ??= decode(text.slice(colon + 1))
    }
  }
  if (clientId === undefined || clientId === '') throw badRequest('invalid_request', 'Could not determine client ID from request.')
  if (!ctx.store.anyClient()) return clientId
  const client = ctx.store.client(clientId)
  if (client === undefined) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.')
  if (client.clientSecret !== null) {
    if (secret === undefined || secret === '') {
      if (client.type === 'web') throw badRequest('invalid_request', 'client_secret is missing.')
    } else if (!same(secret, client.clientSecret)) {
      throw new OAuthError(401, 'invalid_client', 'Unauthorized')
    }
  }
  return clientId
}

function same (a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest()
  const y = createHash('sha256').update(b).digest()
  return timingSafeEqual(x, y)
}

function identity (ctx: OAuthContext, accountId: string): Identity {
  const row = ctx.store.identity(accountId)
  if (row === undefined) throw expiredOrRevoked()
  return identityOf(row)
}

/** An answer, and the account it is about (the journal files the call under it). */
export interface Attributed<T> { answer: T, accountId: string }

/** POST /token: the `authorization_code` and `refresh_token` grants. */
export function tokenRequest (ctx: OAuthContext, form: Readonly<Record<string, string>>, authorization: string | undefined): Attributed<TokenAnswer> {
  const grantType = form.grant_type ?? ''
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') throw badRequest('unsupported_grant_type', `Invalid grant_type: ${grantType}`)
  const clientId = authenticateClient(ctx, form, authorization)
  const now = ctx.now()
  if (grantType === 'authorization_code') {
    const code = form.code ?? ''
    if (code === '') throw badRequest('invalid_request', 'Missing required parameter: code')
    if (!isCodeShaped(code)) throw badRequest('invalid_grant', 'Malformed auth code.')
    const row = ctx.store.code(code)
    if (row === undefined || row.client_id !== clientId || row.expires <= now) throw badRequest('invalid_grant', 'Bad Request')
    if ((form.redirect_uri ?? '') !== row.redirect_uri) throw badRequest('redirect_uri_mismatch', 'Bad Request')
    if (row.challenge !== null) {
      const verifier = form.code_verifier ?? ''
      if (verifier === '') throw badRequest('invalid_grant', 'Missing code verifier.')
      // RFC 7636 4.1: 43 to 128 unreserved characters.
      if (!VERIFIER.test(verifier)) throw badRequest('invalid_grant', 'Invalid code verifier.')
      const derived = row.method === 'S256' ? createHash('sha256').update(verifier, 'utf8').digest('base64url') : verifier
      if (!same(derived, row.challenge)) throw badRequest('invalid_grant', 'Invalid code verifier.')
    }
    ctx.store.spendCode(code)
    const scopes = JSON.parse(row.scopes) as string[]
    return { answer: issueTokens(ctx, { account: identity(ctx, row.account_id), clientId, scopes, refresh: row.refresh === 1, nonce: row.nonce ?? undefined, accessType: row.refresh === 1 ? 'offline' : 'online', idToken: true }), accountId: row.account_id }
  }
  const token = form.refresh_token ?? ''
  if (token === '') throw badRequest('invalid_request', 'Missing required parameter: refresh_token')
  const row = ctx.store.refresh(token)
  if (row === undefined || row.client_id !== clientId) throw expiredOrRevoked()
  let scopes = JSON.parse(row.scopes) as string[]
  if ((form.scope ?? '').trim() !== '') {
    const asked = parseScopes(form.scope!)
    if (asked.tooMany) throw badRequest('invalid_scope', TOO_MANY_SCOPES)
    const held = new Set(scopes)
    const wider = [...asked.invalid, ...asked.scopes.filter(s => !held.has(s))]
    if (wider.length > 0) throw badRequest('invalid_scope', `Some requested scopes were invalid. {invalid=[${wider.join(', ')}]}`)
    scopes = asked.scopes
  }
  return { answer: issueTokens(ctx, { account: identity(ctx, row.account_id), clientId, scopes, refresh: token, accessType: 'offline', idToken: true }), accountId: row.account_id }
}

/** POST /revoke: an access or refresh token; the whole grant of its account to its client goes. */
export function revoke (ctx: OAuthContext, token: string | undefined): void {
  if (token === undefined || token === '') throw badRequest('invalid_request', 'Missing required parameter: token')
  // An access token that has expired (or was revoked) is answered as one Google no longer knows: the grant stays.
  const access = liveAccessToken(ctx, token)
  const refresh = access === undefined ? ctx.store.refresh(token) : undefined
  const owner = access !== undefined ? { accountId: access.accountId, clientId: access.clientId } : refresh !== undefined ? { accountId: refresh.account_id, clientId: refresh.client_id } : undefined
  if (owner === undefined) throw badRequest('invalid_token', 'Token expired or revoked')
  ctx.store.revokeGrant(owner.accountId, owner.clientId)
}

/** An access token that still works now; undefined when it is unknown, expired or revoked. */
export function liveAccessToken (ctx: OAuthContext, token: string): FoundAccessToken | undefined {
  const found = ctx.store.access(token)
  return found === undefined || found.revoked || found.expires <= ctx.now() ? undefined : found
}

const invalidToken = (): OAuthError => badRequest('invalid_token', 'Invalid Value')

/** GET or POST /tokeninfo: what an access token or ID token says, every value a string (observed). */
export function tokenInfo (ctx: OAuthContext, params: { access_token?: string | undefined, id_token?: string | undefined }): Attributed<Record<string, string>> {
  if (params.id_token !== undefined && params.id_token !== '') {
    const jwt = readJwt(ctx.key(), params.id_token)
    if (jwt === undefined || typeof jwt.payload.exp !== 'number' || jwt.payload.exp * 1_000_000 <= ctx.now()) throw invalidToken()
    const out: Record<string, string> = {}
    for (const [k, v] of [...Object.entries(jwt.payload), ...Object.entries(jwt.header)]) out[k] = String(v)
    const owner = ctx.store.identities().find(row => profileId(row.id) === out.sub)
    if (owner === undefined) throw invalidToken()
    return { answer: out, accountId: owner.id }
  }
  const token = params.access_token ?? ''
  const found = token === '' ? undefined : liveAccessToken(ctx, token)
  if (found === undefined) throw invalidToken()
  const who = identity(ctx, found.accountId)
  const out: Record<string, string> = { azp: found.clientId, aud: found.clientId }
  const identityScopes = found.scopes.includes(OPENID) || found.scopes.includes(EMAIL_SCOPE) || found.scopes.includes(PROFILE_SCOPE)
  if (identityScopes) out.sub = who.sub
  out.scope = scopeText(found.scopes)
  out.exp = String(Math.floor(found.expires / 1_000_000))
  out.expires_in = String(Math.max(0, Math.floor((found.expires - ctx.now()) / 1_000_000)))
  if (found.scopes.includes(EMAIL_SCOPE)) {
    out.email = who.email
    out.email_verified = 'true'
  }
  out.access_type = found.accessType
  return { answer: out, accountId: found.accountId }
}

/** GET /v1/userinfo (OpenID claims) or /oauth2/v2/userinfo (`legacy`: Google's older field names). */
export function userInfo (ctx: OAuthContext, token: string | undefined, legacy: boolean): Attributed<Record<string, unknown>> {
  const found = token === undefined ? undefined : liveAccessToken(ctx, token)
  if (found === undefined) throw new OAuthError(401, 'invalid_request', 'Invalid Credentials')
  const who = identity(ctx, found.accountId)
  const email = found.scopes.includes(EMAIL_SCOPE)
  const profile = found.scopes.includes(PROFILE_SCOPE)
  return { answer: legacy ? legacyClaims(who, email, profile) : claims(who, email, profile), accountId: found.accountId }
}

function legacyClaims (who: Identity, email: boolean, profile: boolean): Record<string, unknown> {
  return {
    id: who.sub,
    ...(email ? { email: who.email, verified_email: true } : {}),
    ...(profile && who.name !== undefined ? { name: who.name } : {}),
    ...(profile && who.givenName !== undefined ? { given_name: who.givenName } : {}),
    ...(profile && who.familyName !== undefined ? { family_name: who.familyName } : {}),
    ...(who.picture !== undefined ? { picture: who.picture } : {}),
    ...(who.domain !== null ? { hd: who.domain } : {})
  }
}

function claims (who: Identity, email: boolean, profile: boolean): Record<string, unknown> {
  return {
    sub: who.sub,
    ...(profile && who.name !== undefined ? { name: who.name } : {}),
    ...(profile && who.givenName !== undefined ? { given_name: who.givenName } : {}),
    ...(profile && who.familyName !== undefined ? { family_name: who.familyName } : {}),
    ...(who.picture !== undefined ? { picture: who.picture } : {}),
    ...(email ? { email: who.email, email_verified: true } : {}),
    ...(who.domain !== null ? { hd: who.domain } : {})
  }
}

/** The control plane's token pair for test set-up: a grant of `scopes` to `clientId`, without a browser. */
export function mintTokens (ctx: OAuthContext, o: { accountId: string, scopes: readonly string[], clientId: string, expiresIn?: number }): TokenAnswer {
  const who = identity(ctx, o.accountId)
  const before = ctx.store.grantedScopes(o.accountId, o.clientId) ?? []
  ctx.store.saveGrant(o.accountId, o.clientId, [...new Set([...before, ...o.scopes])], ctx.now(), true)
  return issueTokens(ctx, { account: who, clientId: o.clientId, scopes: o.scopes, refresh: true, accessType: 'offline', idToken: true, ...(o.expiresIn === undefined ? {} : { expiresIn: o.expiresIn }) })
}
