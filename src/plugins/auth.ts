/**
 * Accounts and OAuth (FIDELITY.md: auth). A token arrives as `Authorization: Bearer …` or as the
 * `access_token` / `oauth_token` query parameter. By default any token is accepted and names
 * its own isolated account (stored on its first write, with every scope); with
 * `--strict-accounts` only tokens declared in fixtures are. A method's scopes come from the
 * discovery document: a token needs one of them, or it gets Google's 403.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError, ERROR_INFO } from '../errors.js'
import { DEFAULT_SCOPES, newAccount } from '../accounts.js'
import { formatTime } from '../clock.js'
import { rpcMethod, SERVICE_NAME } from '../discovery/rpc-names.js'
import type { MethodDescriptor } from '../discovery/types.js'
import type { Account } from '../types.js'
import { isMintedAccessToken } from '../oauth/credentials.js'

/** `WWW-Authenticate` of the API's 401s and 403s (observed). */
const REALM = 'Bearer realm="https://accounts.google.com/"'

const SEE = 'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'

function errorInfo (reason: string, method: MethodDescriptor): { '@type': string, reason: string, domain: string, metadata: Record<string, string> } {
  return { '@type': ERROR_INFO, reason, domain: 'googleapis.com', metadata: { service: SERVICE_NAME, method: rpcMethod(method.id) } }
}

export function credentialsMissing (method: MethodDescriptor): ApiError {
  return new ApiError('UNAUTHENTICATED', `Request is missing required authentication credential. ${SEE}`, {
    legacyMessage: 'Login Required.',
    reason: 'required',
    location: 'Authorization',
    locationType: 'header',
    details: [errorInfo('CREDENTIALS_MISSING', method)],
    headers: { 'www-authenticate': REALM }
  })
}

/**
 * Google's 401 for a token it does not take: unknown or malformed (ACCESS_TOKEN_TYPE_UNSUPPORTED),
 * or one the emulator minted that has expired or been revoked (ACCESS_TOKEN_EXPIRED; chosen: the
 * same reason for both, FIDELITY.md: oauth).
 */
export function invalidCredentials (method: MethodDescriptor, reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED' | 'ACCESS_TOKEN_EXPIRED' = 'ACCESS_TOKEN_TYPE_UNSUPPORTED'): ApiError {
  return new ApiError('UNAUTHENTICATED', `Request had invalid authentication credentials. ${SEE}`, {
    legacyMessage: 'Invalid Credentials',
    reason: 'authError',
    location: 'Authorization',
    locationType: 'header',
    details: [errorInfo(reason, method)],
    headers: { 'www-authenticate': `${REALM}, error="invalid_token"` }
  })
}

export function insufficientScopes (method: MethodDescriptor): ApiError {
  return new ApiError('PERMISSION_DENIED', 'Request had insufficient authentication scopes.', {
    legacyMessage: 'Insufficient Permission',
    reason: 'insufficientPermissions',
    details: [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', method)],
    headers: { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${method.scopes.join(' ')}"` }
  })
}

/** The token of a request: undefined when none is sent, null when the header is malformed. */
export function tokenOf (request: FastifyRequest): string | null | undefined {
  const header = request.headers.authorization
  if (header !== undefined) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
    return m ? m[1]! : null
  }
  const query = request.query as Record<string, string | string[] | undefined>
  for (const name of ['access_token', 'oauth_token']) {
    const value = query[name]
    const token = Array.isArray(value) ? value[value.length - 1] : value
    if (token !== undefined && token !== '') return token
  }
  return undefined
}

async function auth (app: FastifyInstance): Promise<void> {
  const state = app.accounts

  /**
   * The account a token names now. An undeclared token names its own account, which is not
   * stored until its first write: a read (or a refused request) of a new token stores nothing.
   */
  const resolve = (token: string, method: MethodDescriptor): Account => {
    const generation = state.generation
    const found = state.findToken(token)
    if (found) return { id: found.accountId, token, scopes: found.scopes ?? DEFAULT_SCOPES, createdTime: found.createdTime, stored: true, generation, domain: found.domain, declared: found.declared, identity: { email: found.email, profile: found.profile, minted: false } }
    // A token of the sign-in front door: its account, its scopes, until it expires or is revoked.
    if (isMintedAccessToken(token)) {
      const minted = app.oauth.store.access(token)
      if (minted === undefined || minted.revoked || minted.expires <= Number(app.clock.peek())) throw invalidCredentials(method, 'ACCESS_TOKEN_EXPIRED')
      return { id: minted.accountId, token, scopes: minted.scopes, createdTime: minted.createdTime, stored: true, generation, domain: minted.domain, declared: minted.declared, identity: { email: minted.email, profile: minted.profile, minted: true } }
    }
    // An undeclared token names its own account, unless strict, or unless that name is
    // already an account that does not own this token (accounts stay isolated).
    if (app.config.strictAccounts || state.accountExists(token)) throw invalidCredentials(method)
    return { id: token, token, scopes: DEFAULT_SCOPES, createdTime: '', stored: false, generation, domain: null, declared: false, identity: null }
  }

  const authenticate = (request: FastifyRequest, method: MethodDescriptor): void => {
    const token = tokenOf(request)
    if (token === undefined) throw credentialsMissing(method)
    if (token === null) throw invalidCredentials(method)
    const account = resolve(token, method)
    request.account = account
    if (request.sys.error) throw request.sys.error
    if (!method.scopes.some(s => account.scopes.includes(s))) throw insufficientScopes(method)
  }

  /**
   * Makes sure the request's account is stored, right before one of its mutations runs (in
   * the account's queue). The account was resolved when the request arrived; an import or
   * reset since (while its body was arriving, or while it waited in the queue) may have
   * removed the account or moved its token: the token is then resolved again, as a request
   * arriving now would be, and a token that now names another account is refused.
   */
  const ensureAccount = (request: FastifyRequest & { account: Account }): (() => void) | undefined => {
    const account = request.account
    if (account.stored && account.generation === state.generation) return undefined
    const method = request.route.apiMethod!
    const now = resolve(account.token, method)
    if (now.id !== account.id) throw invalidCredentials(method)
    if (!method.scopes.some(s => now.scopes.includes(s))) throw insufficientScopes(method)
    let undo: (() => void) | undefined
    if (!now.stored) {
      now.createdTime = formatTime(app.clock.nowMicros())
      state.createAccount(newAccount({ id: now.id, declared: false, createdTime: now.createdTime, tokens: [{ token: now.token, scopes: null }] }))
      now.stored = true
      undo = () => { state.deleteAccount(now.id) }
    }
    Object.assign(account, now)
    return undo
  }

  // The wire plugin's request hook calls it for every route of the API.
  app.decorate('authenticate', authenticate)
  app.decorate('ensureAccount', ensureAccount)
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves the request's account and checks its scopes; throws Google's 401/403. */
    authenticate: (request: FastifyRequest, method: MethodDescriptor) => void
    /**
     * Stores the request's account if it is not yet, and checks it still owns the request's
     * token. Returns what takes a just-stored account away again, for a mutation that fails.
     */
    ensureAccount: (request: FastifyRequest & { account: Account }) => (() => void) | undefined
  }
}

export default auth
