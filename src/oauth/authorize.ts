/**
 * The authorization endpoint's rules (FIDELITY.md: oauth, authorization): checking a request —
 * what is wrong with the client, the redirect URI, the scopes or a required parameter is an
 * HTML page and never goes back to the app — then the decisions that do go back: a code (or,
 * for the implicit flow, tokens in the fragment), `access_denied`, `interaction_required`.
 */
import { newAccount } from '../accounts.js'
import { formatTime } from '../clock.js'
import { isRedirectUri } from '../fixtures/oauth.js'
import { newCode } from './credentials.js'
import { AuthPageError, CODE_MICROS, identityOf, type Identity, type OAuthContext } from './context.js'
import { covers, parseScopes, invalidScopeText, redirectScopeText, union, OPENID, TOO_MANY_SCOPES, type ScopeRequest } from './scopes.js'
import { idToken, issueTokens } from './tokens.js'
import type { StoredClient } from '../../db/model.js'

export type ResponseType = 'code' | 'token' | 'id_token'

/** A checked authorization request. */
export interface AuthRequest {
  clientId: string
  client: StoredClient | null
  redirectUri: string
  responseTypes: ReadonlySet<ResponseType>
  scope: ScopeRequest
  state?: string
  offline: boolean
  prompt: ReadonlySet<string>
  includeGrantedScopes: boolean
  loginHint?: string
  hd?: string
  nonce?: string
  challenge?: string
  challengeMethod?: 'plain' | 'S256'
}

const PROMPTS = new Set(['none', 'consent', 'select_account'])
/** The longest value a parameter of the request may have (chosen). */
export const MAX_PARAMETER_LENGTH = 4096

function missing (name: string, details: ReadonlyArray<[string, string]>): AuthPageError {
  return new AuthPageError(400, 'invalid_request', [`Required parameter is missing: ${name}`], details)
}

function isLoopback (url: URL): boolean {
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]')
}

/** Whether a client may redirect there: a declared client's URIs exactly (a desktop client: loopback on any port); with no clients declared, any http(s) URL. */
function redirectAllowed (client: StoredClient | null, uri: string): boolean {
  if (!isRedirectUri(uri)) return false
  if (client === null) return true
  if (client.redirectUris.includes(uri)) return true
  if (client.type === 'installed') {
    const url = new URL(uri)
    if (!isLoopback(url)) return false
    return client.redirectUris.some(r => {
      const d = new URL(r)
      return isLoopback(d) && d.hostname === url.hostname && d.pathname === url.pathname
    }) || client.redirectUris.length === 0
  }
  return false
}

/** Checks an authorization request's parameters (the query of /o/oauth2/v2/auth). */
export function checkAuthRequest (ctx: OAuthContext, params: Readonly<Record<string, string>>): AuthRequest {
  const details = Object.entries(params).map(([k, v]): [string, string] => [k.length > 100 ? k.slice(0, 100) + '…' : k, v.length > 200 ? v.slice(0, 200) + '…' : v])
  const long = Object.entries(params).find(([k, v]) => k.length > MAX_PARAMETER_LENGTH || v.length > MAX_PARAMETER_LENGTH)
  if (long !== undefined) throw new AuthPageError(400, 'invalid_request', [`Parameter ${long[0].slice(0, 100)} is too long: at most ${MAX_PARAMETER_LENGTH} characters.`], details)
  const clientId = params.client_id ?? ''
  if (clientId === '') throw missing('client_id', details)
  let client: StoredClient | null = null
  if (ctx.store.anyClient()) {
    client = ctx.store.client(clientId) ?? null
    if (client === null) throw new AuthPageError(401, 'invalid_client', ['The OAuth client was not found.'], details)
  }
  const redirectUri = params.redirect_uri ?? ''
  if (redirectUri === '') throw missing('redirect_uri', details)
  if (!redirectAllowed(client, redirectUri)) {
    throw new AuthPageError(400, 'redirect_uri_mismatch', [
      'You can\'t sign in to this app because it doesn\'t comply with Google\'s OAuth 2.0 policy.',
      'If you\'re the app developer, register the redirect URI in the Google Cloud Console.',
      `Request details: redirect_uri=${redirectUri}`
    ], details)
  }
  const typeText = params.response_type ?? ''
  if (typeText === '') throw missing('response_type', details)
  const words = typeText.split(' ').filter(w => w !== '')
  if (words.some(w => w !== 'code' && w !== 'token' && w !== 'id_token') || new Set(words).size !== words.length) {
    throw new AuthPageError(400, 'unsupported_response_type', [`Invalid response_type: ${typeText}`], details)
  }
  const responseTypes = new Set(words as ResponseType[])
  const scopeText = params.scope ?? ''
  if (scopeText.trim() === '') throw missing('scope', details)
  const scope = parseScopes(scopeText)
  if (scope.tooMany) throw new AuthPageError(400, 'invalid_scope', [TOO_MANY_SCOPES], details)
  if (scope.invalid.length > 0) throw new AuthPageError(400, 'invalid_scope', [invalidScopeText(scope)], details)
  if (responseTypes.has('id_token') && !scope.scopes.includes(OPENID)) throw new AuthPageError(400, 'invalid_scope', ['An ID token (response_type id_token) needs the openid scope.'], details)
  const prompt = new Set((params.prompt ?? '').split(' ').filter(w => w !== ''))
  for (const p of prompt) {
    if (!PROMPTS.has(p)) throw new AuthPageError(400, 'invalid_request', [`Invalid parameter value for prompt: Invalid prompt: ${p}`], details)
  }
  if (prompt.has('none') && prompt.size > 1) throw new AuthPageError(400, 'invalid_request', ['Invalid parameter value for prompt: None must not be specified with other values'], details)
  const accessType = params.access_type ?? 'online'
  if (accessType !== 'online' && accessType !== 'offline') throw new AuthPageError(400, 'invalid_request', [`Invalid access_type: ${accessType}`], details)
  if (responseTypes.has('id_token') && (params.nonce ?? '') === '') throw missing('nonce', details)
  let challenge: string | undefined
  let challengeMethod: AuthRequest['challengeMethod']
  if ((params.code_challenge ?? '') !== '') {
    challenge = params.code_challenge!
    const method = params.code_challenge_method ?? 'plain'
    if (method !== 'plain' && method !== 'S256') throw new AuthPageError(400, 'invalid_request', [`Invalid code_challenge_method: ${method}`], details)
    challengeMethod = method
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) throw new AuthPageError(400, 'invalid_request', ['Invalid code_challenge.'], details)
  } else if ((params.code_challenge_method ?? '') !== '') {
    throw missing('code_challenge', details)
  }
  return {
    clientId,
    client,
    redirectUri,
    responseTypes,
    scope,
    offline: accessType === 'offline',
    prompt,
    includeGrantedScopes: params.include_granted_scopes === 'true',
    ...(params.state === undefined ? {} : { state: params.state }),
    ...(params.login_hint === undefined || params.login_hint === '' ? {} : { loginHint: params.login_hint }),
    ...(params.hd === undefined || params.hd === '' ? {} : { hd: params.hd }),
    ...(params.nonce === undefined ? {} : { nonce: params.nonce }),
    ...(challenge === undefined ? {} : { challenge, challengeMethod })
  }
}

/** Where the answer goes: the query for a code alone, else the fragment. */
function redirectTo (req: AuthRequest, values: ReadonlyArray<[string, string | undefined]>): string {
  const url = new URL(req.redirectUri)
  const present = values.filter((v): v is [string, string] => v[1] !== undefined)
  if (req.responseTypes.size === 1 && req.responseTypes.has('code')) {
    for (const [k, v] of present) url.searchParams.append(k, v)
    return url.toString()
  }
  url.hash = new URLSearchParams(present).toString()
  return url.toString()
}

/** The app's answer when the person cancels: `error=access_denied`, with the state. */
export function denied (ctx: OAuthContext, req: AuthRequest): string {
  return redirectTo(req, [['error', 'access_denied'], ['state', req.state], ['iss', ctx.issuer]])
}

/** `prompt=none` when it cannot be answered without the page: `interaction_required`, subtype `access_denied` (FIDELITY.md: oauth). */
export function interactionRequired (ctx: OAuthContext, req: AuthRequest): string {
  return redirectTo(req, [['error', 'interaction_required'], ['error_subtype', 'access_denied'], ['state', req.state], ['iss', ctx.issuer]])
}

/** The accounts one can sign in as, `hd` applied (`*`: any Workspace account). */
export function candidates (ctx: OAuthContext, req: AuthRequest): Identity[] {
  return ctx.store.identities().map(identityOf).filter(i => req.hd === undefined || (req.hd === '*' ? i.domain !== null : i.domain === req.hd))
}

/** The account among `accounts` that `login_hint` names: by address (any case) or by `sub`. */
export function hintedAccount (accounts: readonly Identity[], req: AuthRequest): Identity | undefined {
  const hint = req.loginHint?.toLowerCase()
  if (hint === undefined) return undefined
  return accounts.find(i => i.email.toLowerCase() === hint || i.sub === hint)
}

/** Whether the account granted the client every scope asked for already. */
export function alreadyGranted (ctx: OAuthContext, req: AuthRequest, accountId: string): boolean {
  const granted = ctx.store.grantedScopes(accountId, req.clientId)
  return granted !== undefined && covers(granted, req.scope.scopes)
}

/** Stores a new account for the consent page's "use another account": its address, and a name if given (the caller has checked the address is nobody's). */
export function addAccount (ctx: OAuthContext, email: string, name: string): Identity {
  const words = name.trim().split(/\s+/).filter(w => w !== '')
  const profile = words.length === 0 ? null : { names: [{ displayName: words.join(' '), givenName: words[0]!, ...(words.length > 1 ? { familyName: words.slice(1).join(' ') } : {}) }] }
  ctx.createAccount(newAccount({ id: email, declared: true, createdTime: formatTime(BigInt(ctx.now())), tokens: [], email, profile }))
  return identityOf({ id: email, domain: null, email, profile })
}

/**
 * The person allowed the request as `account`: the grant grows by what was asked, and the app
 * gets a code (or its tokens, implicit flow) with the state, the issuer, the scopes as granted,
 * `authuser`, `hd` for a Workspace account and `prompt` (consent: the page was shown).
 */
export function approve (ctx: OAuthContext, req: AuthRequest, account: Identity, shown: boolean): string {
  const now = ctx.now()
  const grant = ctx.store.grant(account.accountId, req.clientId)
  const before = grant?.scopes
  const scopes = req.includeGrantedScopes && before !== undefined ? union(req.scope.scopes, before) : req.scope.scopes
  const newScopes = before === undefined || !covers(before, req.scope.scopes)
  ctx.store.saveGrant(account.accountId, req.clientId, union(before ?? [], req.scope.scopes), now, req.offline)
  // A refresh token comes with the first consent of an offline request — to these scopes, or to
  // offline access at all — or with a forced one.
  const refresh = req.offline && (newScopes || grant?.offline !== true || req.prompt.has('consent'))
  const values: Array<[string, string | undefined]> = [['state', req.state]]
  if (req.responseTypes.has('code')) {
    const code = newCode(ctx.random, ctx.store.salt())
    ctx.store.saveCode({ code, account_id: account.accountId, client_id: req.clientId, redirect_uri: req.redirectUri, scopes: JSON.stringify(scopes), challenge: req.challenge ?? null, method: req.challengeMethod ?? null, nonce: req.nonce ?? null, refresh: refresh ? 1 : 0, expires: now + CODE_MICROS })
    ctx.store.pruneCodes(now)
    values.push(['iss', ctx.issuer], ['code', code])
  }
  if (req.responseTypes.has('token')) {
    const issued = issueTokens(ctx, { account, clientId: req.clientId, scopes, refresh: false, nonce: req.nonce, accessType: 'online', idToken: req.responseTypes.has('id_token') })
    values.push(['access_token', issued.access_token], ['token_type', 'Bearer'], ['expires_in', String(issued.expires_in)])
    if (issued.id_token !== undefined) values.push(['id_token', issued.id_token])
  } else if (req.responseTypes.has('id_token')) {
    // An ID token alone: no access token is made, and the ID token has no at_hash.
    values.push(['id_token', idToken(ctx, account, req.clientId, scopes, undefined, req.nonce)])
  }
  values.push(['scope', redirectScopeText(req.scope.short, scopes)], ['authuser', '0'])
  if (account.domain !== null) values.push(['hd', account.domain])
  values.push(['prompt', shown ? 'consent' : 'none'])
  return redirectTo(req, values)
}
