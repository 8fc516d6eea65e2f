import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { build } from './helpers/app.js'

const require = createRequire(import.meta.url)
/** Modules Fastify loads for route schemas, which the emulator does not declare. */
const SCHEMA_MODULES = /node_modules[\\/](ajv|ajv-formats|@fastify[\\/]ajv-compiler|@fastify[\\/]fast-json-stringify-compiler)[\\/]/

t.test('building and serving loads neither Ajv nor fast-json-stringify\'s compiler', async t => {
  const app = await build(t)
  await app.ready()
  const res = await app.inject({ method: 'GET', url: '/_emulator/health' })
  t.equal(res.statusCode, 200)
  t.same(Object.keys(require.cache).filter(path => SCHEMA_MODULES.test(path)), [])
})

t.test('a route that declared a schema would fail when added, naming why', async t => {
  const app = await build(t)
  app.post('/_test/with-schema', { schema: { body: { type: 'object' } } }, async () => ({}))
  await t.rejects(async () => { await app.ready() }, /route schemas are not used/)
})

t.test('the bundle leaves the schema compilers out', async t => {
  const dist = fileURLToPath(new URL('../dist/', import.meta.url))
  const files = readdirSync(dist).filter(name => name === 'server.mjs' || /^part-.*\.mjs$/.test(name))
  t.ok(files.length > 1, `the server and its parts: ${files.join(', ')}`)
  for (const file of files) {
    const bundle = readFileSync(dist + file, 'utf8')
    t.notMatch(bundle, /node_modules\/ajv\/dist\//, `no Ajv source in dist/${file}`)
    t.notMatch(bundle, /node_modules\/@fastify\/fast-json-stringify-compiler\//)
  }
})
