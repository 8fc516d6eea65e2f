// The same work as the emulator's for people.get and a realistic updateContact, written inline
// and sharing nothing with the emulator's code: what the emulator's throughput is measured
// against to see the cost of its generality (bench/run.ts, "same work"). A Fastify 5 server on
// an in-memory SQLite database (better-sqlite3, the memdb VFS as the emulator's) of one table
// with the emulator's sort-key indexes; for each request:
//   get: the bearer token, the row read by its key, its JSON parsed, the person rendered with
//        every field's metadata, display names, formatted types, the phone's canonical form
//        (kept on the stored item, as the emulator keeps it), the etag; indented (2 spaces)
//        unless prettyPrint=false;
//   update: the same read, the etag checked (400 when stale), the fields of updatePersonFields
//        replaced, each new phone number parsed by libphonenumber-js (full metadata), a new
//        source etag and update time, one UPDATE of the row with its sort keys; rendered as above;
// one pino JSON line per request on stdout (as the emulator at log level info).
//
//   node bench/samework.mjs PORT FIXTURE.json
import Database from 'better-sqlite3'
import Fastify, { LogController } from 'fastify'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const phones = createRequire(import.meta.url)('libphonenumber-js/max')
const port = Number(process.argv[2] ?? 0)
const fixture = JSON.parse(readFileSync(process.argv[3], 'utf8'))

const db = new Database(Buffer.alloc(0))
db.pragma('cache_size = 500')
db.exec(`CREATE TABLE contacts (account_id TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, etag TEXT NOT NULL,
  update_time TEXT NOT NULL, given_key TEXT, family_key TEXT, PRIMARY KEY (account_id, id)) STRICT;
CREATE INDEX contacts_by_update ON contacts (account_id, update_time, id);
CREATE INDEX contacts_by_given ON contacts (account_id, given_key, id);
CREATE INDEX contacts_by_family ON contacts (account_id, family_key, id);`)
const read = db.prepare('SELECT data, etag, update_time FROM contacts WHERE account_id = ? AND id = ?')
const write = db.prepare('UPDATE contacts SET data = ?, etag = ?, update_time = ?, given_key = ?, family_key = ? WHERE account_id = ? AND id = ?')
const insert = db.prepare('INSERT INTO contacts (account_id, id, data, etag, update_time, given_key, family_key) VALUES (?, ?, ?, ?, ?, ?, ?)')

let serial = 0
const now = () => new Date().toISOString().replace('Z', `${String(serial++ % 1000).padStart(3, '0')}Z`)
const sourceEtag = (data) => '#' + createHash('sha256').update(data).update(String(serial++)).digest('base64').slice(0, 11) + '='
const personEtag = (etag, mask) => '%' + Buffer.from(JSON.stringify([etag, mask])).toString('base64')
const etagOfPerson = (text) => { try { return JSON.parse(Buffer.from(String(text).slice(1), 'base64').toString())[0] } catch { return undefined } }
const canonical = (value) => phones.parsePhoneNumberFromString(value, 'US')?.number
const TYPES = { home: 'Home', work: 'Work', mobile: 'Mobile', other: 'Other' }
const keys = (names) => [String(names?.[0]?.givenName ?? '').toLowerCase(), String(names?.[0]?.familyName ?? '').toLowerCase()]

function stored (person) {
  return { ...person, phoneNumbers: person.phoneNumbers?.map(p => ({ ...p, canonicalForm: canonical(p.value) })) }
}

const account = fixture.accounts[0].id
for (const person of fixture.accounts[0].people) {
  const data = JSON.stringify(stored(person))
  const [given, family] = keys(person.names)
  insert.run(account, person.resourceName.slice(7), data, sourceEtag(data), now(), given, family)
}

const ALL = ['names', 'emailAddresses', 'phoneNumbers', 'organizations', 'memberships', 'metadata']

function render (id, row, contact, mask) {
  const source = { type: 'CONTACT', id: BigInt(id.slice(1)).toString(16) }
  const meta = (i) => ({ metadata: { ...(i === 0 ? { primary: true, sourcePrimary: true } : {}), source } })
  const person = { resourceName: `people/${id}`, etag: personEtag(row.etag, mask.join(',')) }
  for (const field of mask) {
    if (field === 'metadata') {
      person.metadata = { sources: [{ ...source, etag: row.etag, updateTime: row.update_time }], objectType: 'PERSON' }
    } else if (field === 'memberships') {
      person.memberships = [{ ...meta(0), contactGroupMembership: { contactGroupId: 'myContacts', contactGroupResourceName: 'contactGroups/myContacts' } }]
    } else if (contact[field] !== undefined) {
      person[field] = contact[field].map((item, i) => {
        const out = { ...meta(i), ...item }
        if (field === 'names') {
          const display = [item.givenName, item.familyName].filter(Boolean).join(' ')
          Object.assign(out, { displayName: display, displayNameLastFirst: [item.familyName, item.givenName].filter(Boolean).join(', '), unstructuredName: display })
        }
        if (item.type !== undefined) out.formattedType = TYPES[item.type] ?? item.type
        return out
      })
    }
  }
  return person
}

const app = Fastify({ logger: { level: 'info' }, logController: new LogController({ disableRequestLogging: true }) })
app.addHook('onResponse', (request, reply, done) => {
  request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed')
  done()
})
app.get('/_emulator/health', async () => ({ status: 'ok' }))

function answer (request, reply, body) {
  reply.header('content-type', 'application/json; charset=UTF-8')
  return JSON.stringify(body, null, request.query.prettyPrint === 'false' ? undefined : 2)
}
function refuse (reply, code, message) {
  reply.code(code).header('content-type', 'application/json; charset=UTF-8')
  return JSON.stringify({ error: { code, message, status: code === 400 ? 'FAILED_PRECONDITION' : 'NOT_FOUND' } }, null, 2)
}
const token = (request) => /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]

app.get('/v1/people/:id', async (request, reply) => {
  if (token(request) === undefined) return refuse(reply, 401, 'Request is missing required authentication credential.')
  const row = read.get(account, request.params.id)
  if (row === undefined) return refuse(reply, 404, 'Requested entity was not found.')
  const mask = String(request.query.personFields ?? 'names').split(',')
  return answer(request, reply, render(request.params.id, row, JSON.parse(row.data), mask))
})

app.patch('/v1/people/:id(^[^:/]+)::updateContact', async (request, reply) => {
  if (token(request) === undefined) return refuse(reply, 401, 'Request is missing required authentication credential.')
  const id = request.params.id
  const row = read.get(account, id)
  if (row === undefined) return refuse(reply, 404, 'Requested entity was not found.')
  if (etagOfPerson(request.body.etag) !== row.etag) return refuse(reply, 400, 'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.')
  const contact = JSON.parse(row.data)
  for (const field of String(request.query.updatePersonFields).split(',')) contact[field] = request.body[field]
  const data = JSON.stringify(stored(contact))
  const updated = { data, etag: sourceEtag(data), update_time: now() }
  const [given, family] = keys(contact.names)
  write.run(data, updated.etag, updated.update_time, given, family, account, id)
  const mask = request.query.personFields === undefined ? ALL : String(request.query.personFields).split(',')
  return answer(request, reply, render(id, updated, contact, mask))
})

const address = await app.listen({ host: '127.0.0.1', port })
process.stdout.write(`same-work server listening on ${address}\n`)
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { app.close().then(() => process.exit(0)) })
