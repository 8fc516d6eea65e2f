/**
 * The real process on a file database: SIGKILL in the middle of a stream of writes, then a
 * restart on the same file; and SIGTERM under load. Every request that got a 2xx is there.
 */
import t from 'tap'
import Database from 'better-sqlite3'
import { Agent, request } from 'undici'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer, stop } from '../helpers/process.js'

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'pae-durable-')), 'people.db')

async function post (url: string, path: string, payload: unknown, token: string, dispatcher?: Agent): Promise<{ status: number, body: any }> {
  const res = await request(url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    ...(dispatcher ? { dispatcher } : {})
  })
  return { status: res.statusCode, body: await res.body.json() }
}

/** Every contact resource name of an account, through connections.list. */
async function allContacts (url: string, token: string): Promise<Set<string>> {
  const names = new Set<string>()
  let pageToken = ''
  do {
    const res = await fetch(`${url}/v1/people/me/connections?personFields=names&pageSize=1000${pageToken ? `&pageToken=${pageToken}` : ''}`, { headers: { authorization: `Bearer ${token}` } })
    const page = await res.json() as any
    for (const p of page.connections ?? []) names.add(p.resourceName)
    pageToken = page.nextPageToken ?? ''
  } while (pageToken)
  return names
}

t.test('SIGKILL mid-stream: every acknowledged write survives, and the file is intact', async t => {
  const db = tempDb()
  const server = await startServer(['--db', db, '--log-level', 'silent'])
  const acknowledged: string[] = []
  const writing = { on: true }
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; writing.on; i++) {
      try {
        const res = await post(server.url, '/v1/people:createContact', { names: [{ givenName: `W${w}-${i}` }] }, 'durable')
        if (res.status === 200) acknowledged.push(res.body.resourceName)
      } catch {
        return // the process is gone
      }
    }
  })
  await sleep(1500)
  server.child.kill('SIGKILL')
  writing.on = false
  await Promise.all(writers)
  await server.exited
  t.ok(acknowledged.length > 20, `${acknowledged.length} writes acknowledged before the kill`)

  const check = new Database(db, { readonly: true })
  t.equal(check.pragma('integrity_check', { simple: true }), 'ok')
  check.close()

  const restarted = await startServer(['--db', db, '--log-level', 'silent'])
  const stored = await allContacts(restarted.url, 'durable')
  const lost = acknowledged.filter(name => !stored.has(name))
  t.same(lost, [], 'no acknowledged contact is missing')
  t.equal(await stop(restarted), 0)
})

t.test('SIGTERM under load: in-flight requests are answered (2xx or the 503 envelope), then exit 0', async t => {
  const db = tempDb()
  // Debug logs name every request the server received and every response it sent.
  const server = await startServer(['--db', db, '--log-level', 'debug'])
  const outcomes: Array<{ status?: number, body?: any, error?: string }> = []
  // A fresh connection per request: a request either reached the server or was refused.
  const send = async (i: number): Promise<void> => {
    const agent = new Agent({ pipelining: 0 })
    try {
      const res = await post(server.url, '/v1/people:createContact', { names: [{ givenName: `T${i}` }] }, 'shutdown', agent)
      outcomes.push(res)
    } catch (err) {
      outcomes.push({ error: (err as NodeJS.ErrnoException).code ?? (err as Error).message })
    } finally {
      await agent.close().catch(() => {})
    }
  }
  const load = Array.from({ length: 300 }, (_, i) => sleep(i % 60).then(() => send(i)))
  await sleep(25)
  server.child.kill('SIGTERM')
  await Promise.all(load)
  t.equal(await server.exited, 0, 'exit code 0')
  const answered = outcomes.filter(o => o.status !== undefined)
  t.ok(answered.length > 0, `${answered.length} answered`)
  for (const o of answered) {
    if (o.status === 200) continue
    t.equal(o.status, 503)
    t.same(o.body, { error: { code: 503, message: 'The emulator is shutting down.', errors: [{ message: 'The emulator is shutting down.', domain: 'global', reason: 'backendError' }], status: 'UNAVAILABLE' } })
  }
  // A client error means the request never reached the server: refused once the listener
  // closed, or reset by the kernel while still in the listen backlog. The logs prove it:
  // every request the server received was answered.
  const refused = outcomes.filter(o => o.error !== undefined)
  t.same([...new Set(refused.map(o => o.error))].filter(e => !['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(e!)), [], 'connections refused or reset before they were accepted')
  const logs = server.stdout().split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))
  const received = new Set(logs.filter(l => l.msg === 'incoming request').map(l => l.reqId))
  const completed = new Set(logs.filter(l => l.msg === 'request completed').map(l => l.reqId))
  t.equal(received.size, answered.length, 'the server received exactly the requests that were answered')
  t.same([...received].filter(id => !completed.has(id)), [], 'every received request was answered')

  const created = answered.filter(o => o.status === 200).map(o => o.body.resourceName)
  const restarted = await startServer(['--db', db, '--log-level', 'silent'])
  const stored = await allContacts(restarted.url, 'shutdown')
  t.same(created.filter(name => !stored.has(name)), [], 'every 2xx is stored')
  t.equal(await stop(restarted), 0)
  const check = new Database(db, { readonly: true })
  t.equal(check.pragma('integrity_check', { simple: true }), 'ok')
  check.close()
})
