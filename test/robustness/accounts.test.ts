/**
 * Accounts at the edges: a reset or import landing while a write is under way, a fixture token
 * that another account holds, a token that moved while its request waited.
 */
import t from 'tap'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bearer, body, build } from '../helpers/app.js'

function fixtureFile (doc: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pae-accounts-')), 'fixtures.json')
  writeFileSync(file, JSON.stringify(doc))
  return file
}

const JSON_HEADERS = { 'content-type': 'application/json' }

/**
 * POSTs a createContact whose body arrives in two halves, and runs `meanwhile` once the
 * first half is in (the server has resolved the account by then).
 */
async function writeAcross (port: number, token: string, meanwhile: () => Promise<unknown>): Promise<{ status: number, body: any }> {
  const payload = JSON.stringify({ names: [{ givenName: 'Slow' }], biographies: [{ value: 'x'.repeat(1000) }], urls: Array.from({ length: 200 }, (_, i) => ({ value: `https://example.com/${i}` })) })
  return await new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v1/people:createContact', headers: { ...bearer(token), 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, res => {
      let text = ''
      res.on('data', (d: Buffer) => { text += d.toString() })
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }))
    })
    req.on('error', reject)
    req.write(payload.slice(0, 500))
    setTimeout(() => {
      meanwhile().then(() => req.end(payload.slice(500)), reject)
    }, 20)
  })
}

t.test('a reset landing while a write\'s body arrives: the write is stored, never a 5xx', async t => {
  const app = await build(t, { fixtures: fixtureFile({ accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }] }] }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  for (const token of ['walk-in', 'alice-token']) {
    for (let i = 0; i < 5; i++) {
      // The account exists when the request arrives, and is gone (or new again) when it writes.
      await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(token), payload: { contactGroup: { name: `G${i}` } } })
      const res = await writeAcross(port, token, async () => await app.inject({ method: 'POST', url: '/_emulator/reset', headers: JSON_HEADERS }))
      t.equal(res.status, 200, `${token}: ${JSON.stringify(res.body).slice(0, 200)}`)
      const list = body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer(token) }))
      t.same(list.connections.map((p: any) => p.resourceName), [res.body.resourceName], 'the write is stored, after the reset')
    }
  }
})

t.test('an import that moves a token away while its write waits: 401, nothing written', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'alice', tokens: [{ token: 'shared-token' }] }] } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  const res = await writeAcross(port, 'shared-token', async () =>
    await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'alice' }, { id: 'bob', tokens: [{ token: 'shared-token' }] }] } }))
  t.equal(res.status, 401)
  t.equal(res.body.error.status, 'UNAUTHENTICATED')
  const exported = body(await app.inject({ url: '/_emulator/export' }))
  t.same(exported.accounts.map((a: any) => [a.id, a.people?.length ?? 0]), [['alice', 0], ['bob', 0]], 'nothing was written to either account')
})

t.test('reset of an account whose fixture token another account now holds: 409, nothing changes', async t => {
  const app = await build(t, { fixtures: fixtureFile({ accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }], contactGroups: [{ name: 'Fixture' }] }] }) })
  // Alice is replaced without her token; the token, now undeclared, names its own account.
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'alice', contactGroups: [{ name: 'Imported' }] }] } })
  t.equal((await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer('alice-token'), payload: { contactGroup: { name: 'Walk-in' } } })).statusCode, 200)
  const before = (await app.inject({ url: '/_emulator/export' })).body
  const res = await app.inject({ method: 'POST', url: '/_emulator/reset?account=alice', headers: JSON_HEADERS })
  t.equal(res.statusCode, 409)
  t.same(body(res).error, {
    code: 409,
    message: 'Cannot reset account "alice": its fixture\'s token "alice-token" now belongs to account "alice-token". Reset that account first (POST /_emulator/reset?account=alice-token), or reset everything.',
    errors: [{ message: 'Cannot reset account "alice": its fixture\'s token "alice-token" now belongs to account "alice-token". Reset that account first (POST /_emulator/reset?account=alice-token), or reset everything.', domain: 'global', reason: 'duplicate' }],
    status: 'ALREADY_EXISTS'
  })
  t.equal((await app.inject({ url: '/_emulator/export' })).body, before, 'nothing changed')
  // As the message says: reset the other account, then alice.
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset?account=alice-token', headers: JSON_HEADERS })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset?account=alice', headers: JSON_HEADERS })).statusCode, 200)
  const groups = body(await app.inject({ url: '/v1/contactGroups?groupFields=name', headers: bearer('alice-token') })).contactGroups
  t.ok(groups.some((g: any) => g.name === 'Fixture'), 'alice is back to her fixture, with her token')
})
