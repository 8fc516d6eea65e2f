// The ceiling the emulator is measured against: a bare Fastify 5 server with no emulator
// logic and Fastify's default logging (off). For each operation of the benchmark it has one
// route that parses a body of the same kind and answers the emulator's own answer to that
// operation — captured from the emulator before the runs and passed in a file — with the
// values the request changes (etag, names, group name) put in, serialised as the emulator
// serialised it (indented, as Google answers by default, or compact for prettyPrint=false):
// a response of the same size. Plain JavaScript, so that it starts as fast as Fastify can.
//
//   node bench/baseline.mjs PORT [ROUTES.json]
//
// ROUTES.json: [{ "method", "path" (with :id), "kind", "status", "headers", "answer", "indent" }, …]
//   kind "person": the answer with the request's id, a new etag and the body's names;
//   kind "group": with a new etag and the body's contactGroup.name;
//   kind "static": the answer as it is (a page of connections, a preflight's empty answer).
// Without the file (start-up is measured so) it has only its health route.
import Fastify from 'fastify'
import { readFileSync } from 'node:fs'

const port = Number(process.argv[2] ?? 0)
const routes = process.argv[3] === undefined ? [] : JSON.parse(readFileSync(process.argv[3], 'utf8'))

let version = 0
/** An etag of the captured one's length that differs from the last. */
const etag = (captured) => captured.slice(0, -2) + String(version++ % 100).padStart(2, '0')

/** The captured items with the request's values over them, one item per value sent. */
function merged (captured, sent) {
  if (!Array.isArray(sent) || !Array.isArray(captured) || captured.length === 0) return captured
  return sent.map((item, i) => ({ ...captured[Math.min(i, captured.length - 1)], ...item }))
}

const build = {
  person: (r, request) => ({ ...r.answer, resourceName: 'people/' + request.params.id, etag: etag(r.answer.etag), names: merged(r.answer.names, request.body?.names) }),
  group: (r, request) => {
    const name = request.body.contactGroup.name
    return { ...r.answer, etag: etag(r.answer.etag), name, formattedName: name }
  },
  static: (r) => r.answer
}

const app = Fastify({ logger: false })
app.get('/_emulator/health', async () => ({ status: 'ok' }))
for (const r of routes) {
  app.route({
    method: r.method,
    url: r.path,
    handler: async (request, reply) => {
      reply.code(r.status ?? 200)
      for (const [name, value] of Object.entries(r.headers ?? {})) reply.header(name, value)
      if (r.answer === undefined) return reply.send()
      reply.header('content-type', 'application/json; charset=UTF-8')
      return JSON.stringify(build[r.kind](r, request), null, r.indent === 0 ? undefined : r.indent)
    }
  })
}

const address = await app.listen({ host: '127.0.0.1', port })
process.stdout.write(`baseline listening on ${address}\n`)
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { app.close().then(() => process.exit(0)) })
