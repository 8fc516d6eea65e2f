/**
 * Accounts and OAuth (BEHAVIOUR.md §7). A token arrives as `Authorization: Bearer …` or as the
 * `access_token` / `oauth_token` query parameter. By default any token is accepted and names
 * its own isolated account (created on first use, with the contacts scope); with
 * `--strict-accounts` only tokens declared in fixtures are. A method's scopes come from the
 * discovery document: a token needs one of them, or it gets Google's 403.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError, ERROR_INFO } from '../errors.js'
import { DEFAULT_SCOPES, newAccount } from '../accounts.js'
import { formatTime } from '../clock.js'
import { rpcMethod, SERVICE_NAME } from '../discovery/rpc-names.js'
import type { MethodDescriptor } from '../discovery/types.js'
import type { Account } from '../types.js'

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
    details: [errorInfo('CREDENTIALS_MISSING', method)]
  })
}

export function invalidCredentials (method: MethodDescriptor): ApiError {
  return new ApiError('UNAUTHENTICATED', `Request had invalid authentication credentials. ${SEE}`, {
    legacyMessage: 'Invalid Credentials',
    reason: 'authError',
    location: 'Authorization',
    locationType: 'header',
    details: [errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED', method)]
  })
}

export function insufficientScopes (method: MethodDescriptor): ApiError {
  return new ApiError('PERMISSION_DENIED', 'Request had insufficient authentication scopes.', {
    legacyMessage: 'Insufficient Permission',
    reason: 'insufficientPermissions',
    details: [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', method)]
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
  const resolve = (token: string, method: MethodDescriptor): Account => {
    const found = app.state.findToken(token)
    if (found) return { id: found.accountId, scopes: found.scopes ?? DEFAULT_SCOPES, createdTime: found.createdTime }
    // An undeclared token names its own account, unless strict, or unless that name is
    // already an account that does not own this token (accounts stay isolated).
    if (app.config.strictAccounts || app.state.accountExists(token)) throw invalidCredentials(method)
    const createdTime = formatTime(app.clock.nowMicros())
    app.state.createAccount(newAccount({ id: token, declared: false, createdTime, tokens: [{ token, scopes: null }] }))
    return { id: token, scopes: DEFAULT_SCOPES, createdTime }
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

  // The wire plugin's request hook calls it for every route of the API.
  app.decorate('authenticate', authenticate)
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves the request's account and checks its scopes; throws Google's 401/403. */
    authenticate: (request: FastifyRequest, method: MethodDescriptor) => void
  }
}

export default fp(auth, { name: 'auth', fastify: '5.x', dependencies: ['storage'] })
