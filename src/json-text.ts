/**
 * The JSON text of response objects that are shared and never modified (cached renderings
 * of contacts), compact and indented (Google's default answer), each written once and reused
 * by every response that sends it.
 */
const texts = new WeakMap<object, string | null>()
/** The UTF-8 bytes of shared values' texts, as responses send them. */
const compactBytes = new WeakMap<object, Buffer>()
const indentedBytes = new WeakMap<object, Buffer>()

/** Declares `value` immutable from now on: its JSON text may be kept (and is, when given). */
export function shareJson (value: object, text?: string): void {
  texts.set(value, text ?? null)
}

/** `JSON.stringify(value)`, from the kept text when `value` was shared. */
export function compactJson (value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value)
  const kept = texts.get(value)
  if (kept === undefined) return JSON.stringify(value)
  if (kept !== null) return kept
  const bytes = compactBytes.get(value)
  if (bytes !== undefined) return bytes.toString('utf8')
  const text = JSON.stringify(value)
  texts.set(value, text)
  return text
}

/** `JSON.stringify(value, null, 2)`. */
export function indentedJson (value: unknown): string {
  const kept = isShared(value) ? indentedBytes.get(value) : undefined
  return kept === undefined ? JSON.stringify(value, null, 2) : kept.toString('utf8')
}

function isShared (value: unknown): value is object {
  return typeof value === 'object' && value !== null && texts.has(value)
}

/**
 * A response body for `value`, compact: for a shared value its UTF-8 bytes, encoded once and
 * sent as they are by every response (no encoding and no length to measure per response);
 * for anything else its text.
 */
export function compactBody (value: unknown): string | Buffer {
  if (!isShared(value)) return JSON.stringify(value)
  let bytes = compactBytes.get(value)
  if (bytes === undefined) {
    bytes = Buffer.from(compactJson(value), 'utf8')
    compactBytes.set(value, bytes)
    // The bytes stand in for the text from now on (compactJson decodes them): one copy, not two.
    texts.set(value, null)
  }
  return bytes
}

/** A response body for `value`, indented (Google's default answer): as compactBody. */
export function indentedBody (value: unknown): string | Buffer {
  if (!isShared(value)) return JSON.stringify(value, null, 2)
  let bytes = indentedBytes.get(value)
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(value, null, 2), 'utf8')
    indentedBytes.set(value, bytes)
  }
  return bytes
}
