/**
 * Pure functions of a string, memoised for the request path: the same ids, resource names
 * and labels come back request after request, and working them out again (BigInt
 * conversions, a SHA-256) is measurable. (Phone numbers are not memoised here: their
 * canonical forms are kept on the contact's own items, see src/people/computed.ts.)
 */

/**
 * `compute` with its results kept, at most `limit` of them: at the limit the memo is emptied
 * and fills again with what recurs. An `undefined` result is not kept (it is worked out again
 * on every call), so an input that is rejected never takes a place.
 */
export function memoised<V> (limit: number, compute: (key: string) => V): (key: string) => V {
  const memo = new Map<string, V>()
  return (key: string): V => {
    let value = memo.get(key)
    if (value === undefined) {
      value = compute(key)
      if (value === undefined) return value
      if (memo.size >= limit) memo.clear()
      memo.set(key, value)
    }
    return value
  }
}
