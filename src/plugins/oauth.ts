/**
 * The authorization server's context (src/oauth/context.ts) on the app: its store over the
 * emulator's database, the clock, the random stream, and the signing key, made on first use
 * (derived from `--seed` when one is given).
 */
import type { FastifyInstance } from 'fastify'
import { OAuthStore } from '../../db/oauth-store.js'
import type { OAuthContext } from '../oauth/context.js'
import { makeSigningKey, type SigningKey } from '../oauth/keys.js'

async function oauth (app: FastifyInstance): Promise<void> {
  let key: SigningKey | undefined
  const ctx: OAuthContext = {
    store: new OAuthStore(app.db),
    now: () => Number(app.clock.peek()),
    random: app.random,
    key: () => {
      key ??= makeSigningKey(app.config.seed)
      return key
    },
    issuer: app.config.oauthIssuer,
    autoApprove: app.config.oauthAutoApprove,
    createAccount: account => { app.accounts.createAccount(account) }
  }
  app.decorate('oauth', ctx)
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The authorization server's context (Sign in with Google). */
    oauth: OAuthContext
  }
}

export default oauth
