/**
 * A closed emulator is released at once: nothing it started (a timer, a listener, a cache of
 * the process) keeps it in memory. A suite that starts an emulator per test would otherwise
 * carry the closed ones, and every garbage collection would walk them.
 */
import t, { type Test } from 'tap'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { buildApp } from '../../src/app.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const FIXTURES = { accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }], people: [{ resourceName: 'people/c1', names: [{ givenName: 'Ada' }] }] }] }

/** Collects garbage until `ref` is cleared, or gives up after a few rounds (each lets pending callbacks run). */
async function released (ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await new Promise(resolve => setImmediate(resolve))
    gc()
  }
  return ref.deref() === undefined
}

/** An app that listened, answered a request on a kept-alive connection and closed: only a weak reference to it is left. */
async function servedAndClosed (t: Test): Promise<WeakRef<object>> {
  const app = await buildApp({ logLevel: 'silent' }, { fixturesDocument: FIXTURES })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  // The connection's bookkeeping and the close's cut-offs for requests still arriving are set.
  const res = await fetch(`http://127.0.0.1:${port}/v1/people/c1?personFields=names`, { headers: { authorization: 'Bearer alice-token' } })
  t.equal(res.status, 200)
  await res.text()
  await app.close()
  return new WeakRef(app)
}

t.test('an emulator that answered over a socket and closed is released', async t => {
  t.ok(await released(await servedAndClosed(t)), 'nothing holds the closed app')
})
