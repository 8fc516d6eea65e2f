// The ceiling the emulator is measured against: a bare Fastify 5 server with no emulator
// logic. For each operation the benchmark runs, it parses a body of the same kind and answers
// a response of about the emulator's size, with the same JSON serialisation. Plain JavaScript,
// so that it starts as fast as Fastify can.
import Fastify from 'fastify'

const port = Number(process.argv[2] ?? 0)
const source = { type: 'CONTACT', id: '3f8e21c04a6b9d17' }
/** A person about the size of the emulator's answer for names, emails and phones. */
function person (id, etag) {
  return {
    resourceName: 'people/c' + id,
    etag,
    metadata: { sources: [{ ...source, etag: '#bUk81Tdzxtc=', updateTime: '2026-03-29T08:09:22.140191Z' }], objectType: 'PERSON' },
    names: [{ metadata: { primary: true, sourcePrimary: true, source }, givenName: 'Ada', familyName: 'Lovelace', displayName: 'Ada Lovelace', displayNameLastFirst: 'Lovelace, Ada', unstructuredName: 'Ada Lovelace' }],
    emailAddresses: [{ metadata: { primary: true, sourcePrimary: true, source }, value: 'ada@example.com', type: 'home', formattedType: 'Home' }],
    phoneNumbers: [{ metadata: { primary: true, sourcePrimary: true, source }, value: '+44 20 7946 0958', canonicalForm: '+442079460958', type: 'mobile', formattedType: 'Mobile' }]
  }
}
let version = 0
const etag = () => '%EgUBAgMFByIMYlVrODFUZHp4dGM9' + (version++ % 10)

const app = Fastify({ logger: false })
app.get('/_emulator/health', async () => ({ status: 'ok' }))
app.patch('/v1/people/:id', async (request) => ({ ...person(request.params.id, etag()), names: request.body.names }))
app.get('/v1/people/:id', async (request) => person(request.params.id, etag()))
app.post('/v1/people', async (request) => ({ ...person('123', etag()), names: request.body.names }))
app.put('/v1/contactGroups/:id', async (request) => ({ resourceName: 'contactGroups/' + request.params.id, etag: 'UPTmggxWH8g=' + (version++ % 10), metadata: { updateTime: '2026-03-29T08:09:22.140191Z' }, groupType: 'USER_CONTACT_GROUP', name: request.body.contactGroup.name, formattedName: request.body.contactGroup.name }))
app.get('/v1/connections', async () => ({ connections: Array.from({ length: 100 }, (_, i) => person(String(1000000 + i), etag())), nextPageToken: 'eyJrIjoicGFnZSJ9', totalPeople: 1000, totalItems: 1000 }))
const address = await app.listen({ host: '127.0.0.1', port })
process.stdout.write(`baseline listening on ${address}\n`)
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { app.close().then(() => process.exit(0)) })
