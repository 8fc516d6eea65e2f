/**
 * An HTTP batch's answer is sent as it is made: a batch of large pages holds one page in
 * memory at a time, not the whole answer (which here is about a hundred megabytes).
 */
import t from 'tap'
import { request } from 'node:http'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { build, bearer } from './helpers/app.js'

const MiB = 1024 * 1024
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
/** The memory in use (the heap and buffers outside it) once everything unreachable is gone. */
function liveMemory (): number {
  gc()
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

t.test('a batch of 40 pages of 1,000 contacts (about 100 MB of answer) holds about one page at a time', async t => {
  const bio = 'b'.repeat(1000)
  const people = Array.from({ length: 1000 }, (_, i) => ({
    names: [{ givenName: `Person${i}`, familyName: 'Large' }],
    biographies: [{ value: bio }],
    urls: Array.from({ length: 5 }, (_, j) => ({ value: `https://example.com/${i}/${j}/${'u'.repeat(80)}` }))
  }))
  const app = await build(t)
  const imported = await app.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: { accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }], people }] } })
  t.equal(imported.statusCode, 200)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as { port: number }).port

  const calls = 40
  const part = '--b\r\nContent-Type: application/http\r\n\r\nGET /v1/people/me/connections?personFields=names,biographies,urls&pageSize=1000 HTTP/1.1\r\n\r\n'
  const payload = part.repeat(calls) + '--b--\r\n'
  // The contacts' renderings are cached by a first read, as any read would.
  t.equal((await app.inject({ url: '/v1/people/me/connections?personFields=names,biographies,urls&pageSize=1000', headers: bearer('alice-token') })).statusCode, 200)
  const before = liveMemory()
  let most = 0
  let received = 0
  let nextSample = 0
  let answered = 0
  let carry = ''
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/batch', headers: { ...bearer('alice-token'), 'content-type': 'multipart/mixed; boundary=b' } }, res => {
      res.on('data', (chunk: Buffer) => {
        received += chunk.length
        // Parts answered so far (a status line may straddle two chunks).
        const text = carry + chunk.toString('latin1')
        answered += text.split('HTTP/1.1 200 OK').length - 1
        carry = text.slice(-20)
        if (carry.includes('HTTP/1.1 200 OK')) carry = carry.slice(carry.lastIndexOf('HTTP/1.1 200 OK') + 1)
        if (received >= nextSample) {
          most = Math.max(most, liveMemory() - before)
          nextSample = received + 4 * MiB
        }
      })
      res.on('end', () => { resolve(res.statusCode ?? 0) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(payload)
  })
  t.equal(status, 200)
  t.equal(answered, calls, 'every call answered')
  t.ok(received > 80 * MiB, `an answer of ${(received / MiB).toFixed(0)} MiB`)
  t.ok(most < 64 * MiB, `at most ${(most / MiB).toFixed(1)} MiB more in memory while it was sent`)

  // A small answer is sent whole, with its length; one past a megabyte is streamed, even when
  // one call makes it so.
  const small = await fetch(`http://127.0.0.1:${port}/batch`, { method: 'POST', headers: { ...bearer('alice-token'), 'content-type': 'multipart/mixed; boundary=b' }, body: '--b\r\nContent-Type: application/http\r\n\r\nGET /v1/contactGroups HTTP/1.1\r\n\r\n--b--\r\n' })
  t.ok(Number(small.headers.get('content-length')) > 0, 'a small answer has its length')
  await small.arrayBuffer()
  const one = await fetch(`http://127.0.0.1:${port}/batch`, { method: 'POST', headers: { ...bearer('alice-token'), 'content-type': 'multipart/mixed; boundary=b' }, body: part + '--b--\r\n' })
  t.equal(one.headers.get('content-length'), null, 'a large one is streamed')
  t.equal(one.headers.get('transfer-encoding'), 'chunked')
  t.ok((await one.arrayBuffer()).byteLength > MiB)
})

t.test('SIGTERM during a streamed batch: the calls not yet run answer 503 at once, a client that stopped reading is cut off, exit 0', async t => {
  const { startServer, stop } = await import('./helpers/process.js')
  const { connect } = await import('node:net')
  const bio = 'b'.repeat(1000)
  const people = Array.from({ length: 1000 }, (_, i) => ({ names: [{ givenName: `P${i}` }], biographies: [{ value: bio }], urls: Array.from({ length: 3 }, (_, j) => ({ value: `https://example.com/${i}/${j}/${'u'.repeat(900)}` })) }))
  const part = '--b\r\nContent-Type: application/http\r\n\r\nGET /v1/people/me/connections?personFields=names,biographies,urls&pageSize=1000 HTTP/1.1\r\n\r\n'
  const batch = part.repeat(40) + '--b--\r\n'
  for (const reads of [true, false]) {
    const server = await startServer(['--log-level', 'warn'])
    t.teardown(() => { server.child.kill('SIGKILL') })
    const imported = await fetch(`${server.url}/_emulator/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accounts: [{ id: 'big', tokens: [{ token: 'big-token' }], people }] }) })
    t.equal(imported.status, 200)
    // Every call after the first is held (five minutes) until the signal: the close comes while
    // the batch is under way, however fast the machine.
    const held = await fetch(`${server.url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'people.people.connections.list', after: 1, times: 0, delayMs: 300000 }) })
    t.equal(held.status, 201)
    const port = Number(new URL(server.url).port)
    let received = ''
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST /batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer big-token\r\nContent-Type: multipart/mixed; boundary=b\r\nContent-Length: ${Buffer.byteLength(batch)}\r\n\r\n${batch}`)
    })
    const closed = new Promise<void>(resolve => socket.on('close', () => { resolve() }))
    socket.on('error', () => {})
    // The answer has begun (its first bytes have come) before the signal; then a client that
    // does not read takes nothing more.
    await new Promise<void>(resolve => socket.once('data', (chunk: Buffer) => { received += chunk.toString('latin1'); resolve() }))
    if (reads) socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1') })
    else socket.pause()
    t.equal(await stop(server), 0, reads ? 'a reading client: exit 0' : 'a client that stopped reading: cut off, exit 0')
    if (reads) {
      await closed
      // (The raw bytes of a chunked answer: the closing delimiter, then the last chunk's end.)
      t.match(received, /--batch_[\w-]+--\r\n\r\n0\r\n\r\n$/, 'the whole answer, to its closing delimiter')
      t.ok(received.includes('The emulator is shutting down.'), 'the calls not yet run got the 503')
      t.equal(received.split('Content-Type: application/http').length - 1, 40, 'every call answered')
    }
    socket.destroy()
    await closed
  }
})
