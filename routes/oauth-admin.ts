/**
 * Sign-in, seen and controlled (part of the control plane, under its guard): mint a token pair
 * for test set-up without a browser, list what an account granted, revoke a grant.
 *
 *   POST   /_emulator/oauth/tokens {"account","scopes":[…],"clientId"?,"expiresIn"?}
 *   GET    /_emulator/oauth/grants?account=ID
 *   DELETE /_emulator/oauth/grants?account=ID&clientId=CLIENT
 */
import type { FastifyInstance } from 'fastify'
import { invalidArgument, notFound } from '../src/errors.js'
import { formatTime } from '../src/clock.js'
import { parseScopes, TOO_MANY_SCOPES } from '../src/oauth/scopes.js'
import { mintTokens } from '../src/oauth/tokens.js'
import { accountEmail } from '../src/fixtures/oauth.js'

/** The client id of tokens minted without one when fixtures declare no client (chosen; else the first declared). */
export const DEFAULT_CLIENT_ID = 'people-api-emulator'
const MINT_KEYS = new Set(['account', 'scopes', 'clientId', 'expiresIn'])
/** The longest life a minted access token may be given: a day. */
const MAX_EXPIRES_IN = 86400

export default async function oauthAdminRoutes (app: FastifyInstance): Promise<void> {
  // Under /_emulator/: the control plane's route group (routes/emulator.ts).
  const routes = app.controlRoutes
  const ctx = app.oauth
  const account = (id: unknown, what: string): string => {
    if (typeof id !== 'string' || id === '') throw invalidArgument(`${what} "account" is required: the id of an account declared by fixtures, an import or the consent page.`)
    // Only declared accounts sign in: an undeclared account's id is its token.
    if (ctx.store.identity(id)?.declared !== 1) throw notFound(`Account "${id}" was not found among the accounts that sign in (those declared by fixtures, an import or the consent page).`)
    return id
  }

  routes.post('/_emulator/oauth/tokens', { config: { queryParams: [], compact: true } }, async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    for (const key of Object.keys(body)) if (!MINT_KEYS.has(key)) throw invalidArgument(`Unknown field "${key}": a token request takes account, scopes, clientId and expiresIn.`)
    const id = account(body.account, 'Field')
    if (!Array.isArray(body.scopes) || body.scopes.length === 0 || body.scopes.some(s => typeof s !== 'string')) throw invalidArgument('Field "scopes" is required: an array of scopes, such as ["openid", "email", "https://www.googleapis.com/auth/contacts"].')
    const scopes = parseScopes((body.scopes as string[]).join(' '))
    if (scopes.tooMany) throw invalidArgument(`Field "scopes": ${TOO_MANY_SCOPES}`)
    if (scopes.invalid.length > 0) throw invalidArgument(`Field "scopes": "${scopes.invalid[0]!}" is not a scope (openid, email, profile, or https://www.googleapis.com/auth/…).`)
    const clientId = body.clientId === undefined ? app.accounts.listClients()[0]?.clientId ?? DEFAULT_CLIENT_ID : body.clientId
    if (typeof clientId !== 'string' || clientId === '') throw invalidArgument('Field "clientId" must be a non-empty string.')
    if (ctx.store.anyClient() && ctx.store.client(clientId) === undefined) throw invalidArgument(`Field "clientId": client "${clientId}" is not declared (fixtures declare the clients: "clients").`)
    const expiresIn = body.expiresIn
    if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN)) {
      throw invalidArgument(`Field "expiresIn" must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN}.`)
    }
    return mintTokens(ctx, { accountId: id, scopes: scopes.scopes, clientId, ...(expiresIn === undefined ? {} : { expiresIn }) })
  })

  routes.get('/_emulator/oauth/grants', { config: { queryParams: ['account'], compact: true } }, async (request) => {
    const id = account((request.query as { account?: string }).account, 'Parameter')
    const row = ctx.store.identity(id)!
    const grants = ctx.store.grants(id, ctx.now()).map(g => ({
      clientId: g.clientId,
      scopes: g.scopes,
      granted: formatTime(BigInt(g.granted)),
      refreshTokens: g.refreshTokens,
      accessTokens: g.accessTokens,
      ...(g.expires === null ? {} : { expires: formatTime(BigInt(g.expires)) })
    }))
    return { account: id, email: accountEmail(row), grants }
  })

  routes.delete('/_emulator/oauth/grants', { config: { queryParams: ['account', 'clientId'], compact: true } }, async (request) => {
    const query = request.query as { account?: string, clientId?: string }
    const id = account(query.account, 'Parameter')
    if (query.clientId === undefined || query.clientId === '') throw invalidArgument('Parameter "clientId" is required: the client whose grant is revoked.')
    if (!ctx.store.revokeGrant(id, query.clientId)) throw notFound(`Account "${id}" has granted nothing to client "${query.clientId}".`)
    return {}
  })
}
