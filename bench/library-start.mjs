// An emulator per test file: how long `startEmulator()` takes to answer its first request, in
// the test's own process (library mode, dist/index.mjs), against a bare Fastify app doing the
// same — created, one route added, listening on a free port, answering one GET. Plain
// JavaScript, so that nothing but the two is measured. Run by bench/library.ts:
//
//   node bench/library-start.mjs warm ROUNDS   warmed-up starts, emulator and bare alternating:
//                                              {"emulator":[ms…],"bare":[ms…],"close":[ms…]}
//   node bench/library-start.mjs cold emulator the first start in a fresh process, the import
//   node bench/library-start.mjs cold bare     included: {"ms":…} since the process began
//
// The emulator's first answer is a people.get of the one contact of its fixtures (a document,
// as a test passes it); the bare app's a GET of the same path answering the same person.
import { performance } from 'node:perf_hooks'

const FIXTURES = { accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }], people: [{ resourceName: 'people/c1', names: [{ givenName: 'Ada', familyName: 'Lovelace' }] }] }] }
const PATH = '/v1/people/c1?personFields=names'
const HEADERS = { authorization: 'Bearer alice-token' }

async function answered (url) {
  const res = await fetch(url + PATH, { headers: HEADERS })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`${url}${PATH}: ${res.status} ${text.slice(0, 200)}`)
}

/** Milliseconds to a listening emulator's first answer, and to its close. */
async function emulator (startEmulator) {
  const started = performance.now()
  const e = await startEmulator({ fixtures: FIXTURES })
  await answered(e.url)
  const answeredAt = performance.now()
  await e.close()
  return { ms: answeredAt - started, answeredAt, closeMs: performance.now() - answeredAt }
}

/** The same for a bare Fastify app: one route answering the person. */
async function bare (Fastify) {
  const started = performance.now()
  const app = Fastify()
  app.get('/v1/people/:id', async (request) => ({ resourceName: `people/${request.params.id}`, names: [{ givenName: 'Ada', familyName: 'Lovelace' }] }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  await answered(`http://127.0.0.1:${app.server.address().port}`)
  const answeredAt = performance.now()
  await app.close()
  return { ms: answeredAt - started, answeredAt }
}

const [mode, what] = process.argv.slice(2)
if (mode === 'warm') {
  const rounds = Number(what ?? 30)
  const { startEmulator } = await import('../dist/index.mjs')
  const { default: Fastify } = await import('fastify')
  // Unmeasured: the code is loaded, compiled and optimised, the migrated image made, as after a test file's first start.
  for (let i = 0; i < 10; i++) { await emulator(startEmulator); await bare(Fastify) }
  const out = { emulator: [], bare: [], close: [] }
  for (let i = 0; i < rounds; i++) {
    const e = await emulator(startEmulator)
    out.emulator.push(e.ms)
    out.close.push(e.closeMs)
    out.bare.push((await bare(Fastify)).ms)
  }
  process.stdout.write(JSON.stringify(out) + '\n')
} else if (mode === 'cold') {
  // performance.now() counts from the process's start: node's own start-up, the import and the first answer.
  const { answeredAt } = what === 'emulator'
    ? await emulator((await import('../dist/index.mjs')).startEmulator)
    : await bare((await import('fastify')).default)
  process.stdout.write(JSON.stringify({ ms: answeredAt }) + '\n')
} else {
  process.stderr.write('usage: node bench/library-start.mjs warm ROUNDS | cold emulator|bare\n')
  process.exitCode = 2
}
