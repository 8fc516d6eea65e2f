/** The discovery document served by the emulator, for discovery-based clients. */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { body, build } from './helpers/app.js'

const original = JSON.parse(readFileSync(new URL('../spec/people-v1.discovery.json', import.meta.url), 'utf8'))

t.test('served at both of Google\'s paths, with rootUrl and baseUrl rewritten to the emulator', async t => {
  const app = await build(t)
  for (const url of ['/$discovery/rest?version=v1', '/discovery/v1/apis/people/v1/rest']) {
    const res = await app.inject({ url, headers: { host: 'emulator:9999' } })
    t.equal(res.statusCode, 200, url)
    const doc = body(res)
    t.equal(doc.rootUrl, 'http://emulator:9999/')
    t.equal(doc.baseUrl, 'http://emulator:9999/')
    t.same({ ...doc, rootUrl: original.rootUrl, baseUrl: original.baseUrl }, original, 'nothing else changes')
  }
})

t.test('another version is 404; no credentials are needed', async t => {
  const app = await build(t, { strictAccounts: true })
  const res = await app.inject({ url: '/$discovery/rest?version=v2' })
  t.equal(res.statusCode, 404)
  t.equal(body(res).error.message, 'No discovery document for people version "v2": this emulator serves v1.')
  t.equal((await app.inject({ url: '/discovery/v1/apis/people/v3/rest' })).statusCode, 404)
  t.equal((await app.inject({ url: '/$discovery/rest?version=v1&prettyPrint=false&fields=revision' })).body, '{"revision":"20251117"}')
})

t.test('a method path of the served document, joined to its rootUrl, reaches the emulator', async t => {
  const app = await build(t)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  // What a discovery-based client (Python's build(), …) does with the document.
  const doc = await (await fetch(`${address}/$discovery/rest?version=v1`)).json() as any
  const method = doc.resources.contactGroups.methods.list
  const res = await fetch(doc.rootUrl + method.path, { headers: { authorization: 'Bearer discovered' } })
  t.equal(res.status, 200)
  t.equal(((await res.json()) as any).totalItems, 8)
})
