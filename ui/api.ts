/**
 * The UI's calls to the control plane: same origin, JSON, the control token (when the
 * emulator has one) sent as a bearer token. The token is asked for once and kept in this
 * browser's localStorage for the emulator's origin; "Forget the token" removes it.
 */
const TOKEN_KEY = 'people-api-emulator.control-token'

export function storedToken (): string | null {
  try { return localStorage.getItem(TOKEN_KEY) } catch { return null }
}
export function storeToken (token: string | null): void {
  try {
    if (token === null) localStorage.removeItem(TOKEN_KEY)
    else localStorage.setItem(TOKEN_KEY, token)
  } catch {}
}

/** An error answer of the control plane, as Google shapes it. */
export class ControlError extends Error {
  constructor (readonly httpStatus: number, readonly status: string, message: string) { super(message) }
  /** The control plane wants its token (none stored, or a wrong one). */
  get needsToken (): boolean { return this.httpStatus === 401 }
}

const listeners = new Set<() => void>()
/** Called when a call is refused for want of the control token. */
export function onTokenNeeded (listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export async function call<T = any> (method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'x-requested-with': 'people-api-emulator-ui' }
  const token = storedToken()
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' })
  const text = await res.text()
  let json: any
  try { json = text === '' ? {} : JSON.parse(text) } catch { json = undefined }
  if (!res.ok) {
    const err = json?.error
    const e = new ControlError(res.status, err?.status ?? String(res.status), err?.message ?? (text.slice(0, 200) || res.statusText))
    if (e.needsToken) for (const l of listeners) l()
    throw e
  }
  return json as T
}
