/** Small facts about the HTTP request that several routes need. */
import type { FastifyRequest } from 'fastify'

/** The emulator's own absolute address as the client reached it: `http://127.0.0.1:8090`. */
export function baseUrl (request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`
}

/**
 * Whether a URL is the control plane's (`/_emulator`, `/_emulator/…`), read as the router reads
 * it: percent-decoded (`/%5Femulator/export` is routed to `/_emulator/export`). CORS, the
 * journal and the handling of JSONP decide on this, never on the raw URL. A path that does not
 * decode is read as it is (the router refuses it).
 */
export function isControlPlanePath (url: string): boolean {
  const q = url.indexOf('?')
  let path = q === -1 ? url : url.slice(0, q)
  // Each escape on its own: a path with a broken one elsewhere (`/%5Femulator/x%`) is read too.
  if (path.includes('%')) path = path.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  return path === '/_emulator' || path.startsWith('/_emulator/')
}

/**
 * Whether a header carries a credential, by its name: Authorization, Proxy-Authorization,
 * Cookie, X-Goog-Api-Key, and any name that says token, secret, password, credential or key
 * (X-Goog-IAM-Authorization-Token, X-Api-Key…). The logs and the journal (a batch's parts)
 * redact the same headers.
 */
export function isCredentialHeader (name: string): boolean {
  return CREDENTIAL_NAME.test(name)
}
const CREDENTIAL_NAME = /authoriz|cookie|api-?key|token|secret|passw|credential/i
