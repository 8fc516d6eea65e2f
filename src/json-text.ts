/**
 * The JSON text of response objects that are shared and never modified (cached renderings
 * of contacts), compact and indented (Google's default answer), each written once and reused
 * by every response that sends it.
 */
const texts = new WeakMap<object, string | null>()
const indentedTexts = new WeakMap<object, string>()

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
  const text = JSON.stringify(value)
  texts.set(value, text)
  return text
}

/** `JSON.stringify(value, null, 2)`, kept for a shared value once written. */
export function indentedJson (value: unknown): string {
  if (typeof value !== 'object' || value === null || !texts.has(value)) return JSON.stringify(value, null, 2)
  let text = indentedTexts.get(value)
  if (text === undefined) {
    text = JSON.stringify(value, null, 2)
    indentedTexts.set(value, text)
  }
  return text
}
