/** Test helpers: a fresh app per test (`:memory:` is cheap), closed when the test ends. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp, type BuildOptions } from '../../src/app.js'
import type { Config } from '../../src/config.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export async function build (t: Teardown, config: Partial<Config> = {}, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp(config, { logger: false, ...options })
  t.teardown(() => app.close())
  return app
}

export function bearer (token = 'test-token'): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

/** The parsed JSON body of an inject response. */
export function body (res: LightMyRequestResponse): any {
  return JSON.parse(res.body)
}

export const CONTACTS = 'https://www.googleapis.com/auth/contacts'
export const CONTACTS_READONLY = 'https://www.googleapis.com/auth/contacts.readonly'

/** The exact 401 body (FIDELITY.md: auth) for a request without credentials. */
export function credentialsMissingBody (rpc: string): unknown {
  return {
    error: {
      code: 401,
      message: 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      errors: [{ message: 'Login Required.', domain: 'global', reason: 'required', location: 'Authorization', locationType: 'header' }],
      status: 'UNAUTHENTICATED',
      details: [{
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'CREDENTIALS_MISSING',
        domain: 'googleapis.com',
        metadata: { service: 'people.googleapis.com', method: rpc }
      }]
    }
  }
}

/** Google's per-minute quota 429 (FIDELITY.md: faults, RATE_LIMIT_EXCEEDED), keys in the order the front end writes them. */
export function rateLimitBody (display: string, limit: string, metric: string): unknown {
  const message = `Quota exceeded for quota metric '${display}' and limit '${display} per minute per user' of service 'people.googleapis.com' for consumer 'project_number:000000000000'.`
  return {
    error: {
      code: 429,
      message,
      errors: [{ message, domain: 'global', reason: 'rateLimitExceeded' }],
      status: 'RESOURCE_EXHAUSTED',
      details: [{
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'RATE_LIMIT_EXCEEDED',
        domain: 'googleapis.com',
        metadata: { quota_limit: limit, service: 'people.googleapis.com', quota_metric: metric, consumer: 'projects/000000000000' }
      }]
    }
  }
}

/**
 * A test message naming a string with every character outside printable ASCII escaped:
 * a raw line or paragraph separator (U+2028, U+2029) in a message breaks the TAP stream.
 */
export function printable (text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
