/** Helpers of the sign-in tests: an app with fixtures, a consent approved by form, a code exchanged. */
import { createHash } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { build } from '../helpers/app.js'
import type { Config } from '../../src/config.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export const REDIRECT = 'http://127.0.0.1:5555/callback'
export const CONTACTS = 'https://www.googleapis.com/auth/contacts'
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

export const FIXTURES = {
  clients: [
    { clientId: 'web-app.apps.googleusercontent.com', clientSecret: 'GOCSPX-secret', name: 'Contacts Helper', redirectUris: [REDIRECT], type: 'web' },
    { clientId: 'desktop.apps.googleusercontent.com', name: 'Desktop', redirectUris: ['http://127.0.0.1/'], type: 'installed' }
  ],
  domains: [{ domain: 'corp.example' }],
  accounts: [
    { id: 'alice', profile: { names: [{ displayName: 'Alice Liddell', givenName: 'Alice', familyName: 'Liddell' }], photos: [{ url: 'https://example.com/alice.png' }] }, tokens: [{ token: 'alice-token' }] },
    { id: 'bob', domain: 'corp.example', email: 'bob@corp.example' }
  ]
}

export const WEB = { clientId: 'web-app.apps.googleusercontent.com', clientSecret: 'GOCSPX-secret' }

export async function oauthApp (t: Teardown, config: Partial<Config> = {}, fixtures: unknown = FIXTURES): Promise<FastifyInstance> {
  return await build(t, { clock: 'fixed:2026-03-01T00:00:00Z', seed: 'oauth-tests', ...config }, { fixturesDocument: fixtures })
}

export function authParams (extra: Record<string, string> = {}): Record<string, string> {
  return { client_id: WEB.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: `openid email profile ${CONTACTS}`, state: 'st-1', access_type: 'offline', ...extra }
}

export function form (values: Record<string, string>): string {
  return new URLSearchParams(values).toString()
}

/** The person allows the request as `account` on the consent page; the redirect's URL. */
export async function consent (app: FastifyInstance, params: Record<string, string>, account = 'alice', decision = 'allow'): Promise<URL> {
  const res = await app.inject({ method: 'POST', url: '/o/oauth2/v2/auth', headers: FORM, payload: form({ ...params, account, decision }) })
  if (res.statusCode !== 302) throw new Error(`consent answered ${res.statusCode}: ${res.body}`)
  return new URL(res.headers.location as string)
}

export async function token (app: FastifyInstance, values: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'POST', url: '/token', headers: { ...FORM, ...headers }, payload: form(values) })
}

/** Signs alice in with a code and exchanges it; the token answer. */
export async function signIn (app: FastifyInstance, extra: Record<string, string> = {}): Promise<{ access_token: string, refresh_token?: string, id_token?: string, scope: string, expires_in: number }> {
  const verifier = 'v'.repeat(43) + 'erifier-of-the-tests'
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const url = await consent(app, authParams({ code_challenge: challenge, code_challenge_method: 'S256', ...extra }))
  const res = await token(app, { grant_type: 'authorization_code', code: url.searchParams.get('code')!, client_id: WEB.clientId, client_secret: WEB.clientSecret, redirect_uri: REDIRECT, code_verifier: verifier })
  if (res.statusCode !== 200) throw new Error(`token answered ${res.statusCode}: ${res.body}`)
  return JSON.parse(res.body)
}

export function oauthError (error: string, description: string): string {
  return JSON.stringify({ error, error_description: description }, null, 2)
}
