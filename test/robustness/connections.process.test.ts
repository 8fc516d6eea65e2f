/**
 * What Node's HTTP parser refuses is answered in Google's envelope; a request that does not
 * arrive in time is cut off with one; on shutdown, idle and never-used connections are closed
 * at once and the process exits 0.
 */
import t from 'tap'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { build } from '../helpers/app.js'
import { startServer } from '../helpers/process.js'

/** Sends raw bytes, resolves with everything the server sent back before closing. */
async function raw (port: number, chunks: Array<string | Buffer>, gapMs = 0): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let got = ''
    socket.on('data', d => { got += d.toString() })
    socket.on('close', () => resolve(got))
    socket.on('error', err => { if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') resolve(got); else reject(err) })
    socket.on('connect', () => {
      let i = 0
      const next = (): void => {
        if (i >= chunks.length) return
        socket.write(chunks[i++]!)
        // No timer after the last chunk: it would keep the test's process alive for its gap.
        if (i < chunks.length) setTimeout(next, gapMs)
      }
      next()
    })
  })
}

function envelope (response: string): { status: number, headers: string, body: any } {
  const [head, ...rest] = response.split('\r\n\r\n')
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head!)?.[1]), headers: head!, body: JSON.parse(rest.join('\r\n\r\n')) }
}

t.test('errors of the HTTP parser are answered in Google\'s envelope', async t => {
  const app = await build(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  const post = 'POST /v1/people:createContact HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\n'
  const cases: Array<[string, string, number, string]> = [
    ['a bad chunk size', post + 'Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n', 400, 'The request could not be read as HTTP/1.1 (HPE_INVALID_CHUNK_SIZE).'],
    ['two Content-Lengths', post + 'Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400, 'The request could not be read as HTTP/1.1 (HPE_UNEXPECTED_CONTENT_LENGTH).'],
    ['Transfer-Encoding and Content-Length', post + 'Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n', 400, 'The request could not be read as HTTP/1.1 (HPE_INVALID_CONTENT_LENGTH).'],
    ['a header block over 16 KB', `GET /v1/contactGroups HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17000)}\r\n\r\n`, 431, 'The request\'s headers are too large: they may hold at most 16 KB.'],
    ['not HTTP at all', 'HELLO THERE\r\n\r\n', 400, 'The request could not be read as HTTP/1.1 (HPE_INVALID_METHOD).']
  ]
  for (const [what, bytes, status, message] of cases) {
    const res = envelope(await raw(port, [bytes]))
    t.equal(res.status, status, what)
    t.match(res.headers, /content-type: application\/json; charset=UTF-8/i, what)
    t.match(res.headers, /connection: close/i)
    t.equal(res.body.error.code, status)
    t.equal(res.body.error.status, 'INVALID_ARGUMENT')
    t.equal(res.body.error.message, message, what)
  }
})

t.test('a request whose headers or body stall is cut off with a 408 in the envelope', async t => {
  const app = await build(t, {}, { connectionLimits: { requestMs: 1500, headersMs: 800 } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  const slowHeaders = envelope(await raw(port, ['GET /v1/contactGroups HTTP/1.1\r\nHost: x\r\n', 'Authorization: Bearer t\r\n'], 5000))
  t.equal(slowHeaders.status, 408)
  t.equal(slowHeaders.body.error.code, 408)
  t.match(slowHeaders.body.error.message, /^The request did not arrive in time/)
  const slowBody = envelope(await raw(port, ['POST /v1/people:createContact HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"names":'], 5000))
  t.equal(slowBody.status, 408)
  t.equal(slowBody.body.error.status, 'INVALID_ARGUMENT')
  t.same(app.accounts.exportAll(), [], 'nothing was written')
})

t.test('SIGTERM closes idle and never-used connections at once and exits 0; a request still arriving gets the 503', async t => {
  const server = await startServer(['--log-level', 'silent'])
  const { port } = new URL(server.url)
  // A connection opened ahead and never used, an idle keep-alive one, and one whose body stalls.
  const unused = net.connect(Number(port), '127.0.0.1')
  await new Promise(resolve => unused.on('connect', resolve))
  unused.on('error', () => {})
  const keptAlive = net.connect(Number(port), '127.0.0.1')
  keptAlive.on('error', () => {})
  await new Promise<void>(resolve => keptAlive.on('connect', () => { keptAlive.write('GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n'); keptAlive.once('data', () => resolve()) }))
  const partialHeaders = raw(Number(port), ['GET /v1/contactGroups HTTP/1.1\r\nHost: x\r\n'], 60000)
  const stalled = raw(Number(port), ['POST /v1/people:createContact HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"names":'], 60000)
  await new Promise(resolve => setTimeout(resolve, 200))
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0, 'exit 0')
  // (Exit 0: the close finished; after its 10 s grace close-with-grace would exit 1.)
  t.equal(await partialHeaders, '', 'a request whose headers never arrived whole is dropped')
  const cut = envelope(await stalled)
  t.equal(cut.status, 503)
  t.equal(cut.body.error.message, 'The emulator is shutting down.')
  unused.destroy()
  keptAlive.destroy()
})
