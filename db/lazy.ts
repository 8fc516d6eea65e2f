/**
 * Statements prepared when first used. A store's statements are many (some 150 in all) and a
 * test's emulator uses few of them: preparing every one at start cost ~2.5 ms of each start.
 * `lazily({ name: () => db.prepare(…) })` is an object of the same names whose values are made
 * on first read and kept.
 */
export function lazily<M extends Record<string, () => unknown>> (makers: M): { readonly [K in keyof M]: ReturnType<M[K]> } {
  const out = {} as { [K in keyof M]: ReturnType<M[K]> }
  for (const key of Object.keys(makers) as Array<keyof M>) {
    const make = makers[key]!
    let value: ReturnType<M[typeof key]> | undefined
    Object.defineProperty(out, key, {
      enumerable: true,
      get: () => (value ??= make() as ReturnType<M[typeof key]>)
    })
  }
  return out
}
