// The ceiling the emulator is measured against: a bare Fastify 5 server with no emulator
// logic. It parses a person-sized JSON body and answers one, and has a health route for
// start-up timing. Plain JavaScript so that it starts as fast as Fastify can.
import Fastify from 'fastify'

const port = Number(process.argv[2] ?? 0)
const app = Fastify({ logger: false })
app.get('/_emulator/health', async () => ({ status: 'ok' }))
app.patch('/v1/people/:id', async (request) => ({ resourceName: 'people/' + request.params.id, etag: '%EgUBAgMFBw==', ...request.body }))
app.get('/v1/people/:id', async (request) => ({ resourceName: 'people/' + request.params.id, etag: '%EgUBAgMFBw==', names: [{ givenName: 'Ada', familyName: 'Lovelace' }] }))
const address = await app.listen({ host: '127.0.0.1', port })
process.stdout.write(`baseline listening on ${address}\n`)
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { app.close().then(() => process.exit(0)) })
