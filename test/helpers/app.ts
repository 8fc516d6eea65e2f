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

/** The exact 401 body of BEHAVIOUR.md §7 for a request without credentials. */
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

/**
 * A test message naming a string with every character outside printable ASCII escaped:
 * a raw line or paragraph separator (U+2028, U+2029) in a message breaks the TAP stream.
 */
export function printable (text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
