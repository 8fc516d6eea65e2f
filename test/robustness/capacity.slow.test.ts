/**
 * What the emulator may hold, and what one request may cost: a contact, a photo, a document,
 * the whole emulator (contacts and storage). Every limit is checked before work that would
 * break it, answers a clear 4xx and changes nothing; the largest state the emulator accepts
 * comes back through its own export and import; health answers throughout an import.
 */
import t from 'tap'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bearer, body, build } from '../helpers/app.js'

const JSON_TYPE = { 'content-type': 'application/json' }

/** `count` small contacts (as a fixture document holds them), in accounts of up to 25,000. */
function document (count: number, perAccount = 25000, prefix = 'acc'): { accounts: Array<Record<string, unknown>> } {
  const accounts: Array<Record<string, unknown>> = []
  for (let start = 0; start < count; start += perAccount) {
    const n = Math.min(perAccount, count - start)
    accounts.push({
      id: `${prefix}${accounts.length}`,
      tokens: [{ token: `${prefix}${accounts.length}-token` }],
      people: Array.from({ length: n }, (_, i) => ({ names: [{ givenName: `G${start + i}`, familyName: 'F' }], emailAddresses: [{ value: `p${start + i}@example.com` }] }))
    })
  }
  return { accounts }
}

t.test('a document over the limits is refused before any work', async t => {
  const app = await build(t)
  // 60 accounts of 25,000 empty contacts: 4.5 MB of JSON, 1.5 million contacts.
  const huge = { accounts: Array.from({ length: 60 }, (_, i) => ({ id: `a${i}`, people: Array.from({ length: 25000 }, () => ({})) })) }
  const res = await app.inject({ method: 'POST', url: '/_emulator/import', payload: huge })
  t.equal(res.statusCode, 400)
  t.equal(body(res).error.message, 'Invalid fixture document: accounts: a document may hold at most 100000 contacts in all (as many as the emulator may hold); this one holds 1500000')
  const many = { accounts: Array.from({ length: 10001 }, (_, i) => ({ id: `a${i}` })) }
  const manyRes = await app.inject({ method: 'POST', url: '/_emulator/import', payload: many })
  t.equal(body(manyRes).error.message, 'Invalid fixture document: accounts: a document may name at most 10000 accounts; this one names 10001')
  t.same(app.accounts.exportAll(), [], 'nothing was stored')
})

t.test('a contact over 128 KB and a photo over 2 MiB are refused, and nothing changes', async t => {
  const app = await build(t)
  const big = { emailAddresses: Array.from({ length: 200 }, (_, i) => ({ value: `${i}${'x'.repeat(900)}@example.com` })) }
  const created = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: big })
  t.equal(created.statusCode, 400)
  t.match(body(created).error.message, /^The contact is too large: its data takes \d+ bytes, and a contact may hold at most 131072 \(128 KB\)\.$/)
  const ada = body(await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: { names: [{ givenName: 'Ada' }] } }))
  const updated = await app.inject({ method: 'PATCH', url: `/v1/${ada.resourceName as string}:updateContact?updatePersonFields=emailAddresses`, headers: bearer(), payload: { etag: ada.etag, ...big } })
  t.equal(updated.statusCode, 400)
  t.match(body(updated).error.message, /^The contact is too large/)
  t.equal(body(await app.inject({ url: `/v1/${ada.resourceName as string}?personFields=emailAddresses,names`, headers: bearer() })).etag === undefined, false)
  t.same(body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer() })).totalItems, 1, 'only Ada')
  const imported = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'x', people: [{}, big] }] } })
  t.equal(imported.statusCode, 400)
  t.match(body(imported).error.message, /^Invalid fixture document: accounts\[0\]\.people\[1\]: the contact's data takes \d+ bytes; a contact may hold at most 131072 \(128 KB\)$/)
  // A PNG signature and 2 MiB and one byte.
  const photo = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2 * 1024 * 1024 - 7)])
  const uploaded = await app.inject({ method: 'PATCH', url: `/v1/${ada.resourceName as string}:updateContactPhoto`, headers: bearer(), payload: { photoBytes: photo.toString('base64') } })
  t.equal(uploaded.statusCode, 400)
  t.equal(body(uploaded).error.message, 'photoBytes is too large: the photo takes 2097153 bytes, and a photo may take at most 2097152 (2 MiB).')
})

t.test('past --max-storage, writes that add data are 429 and change nothing; deletes go on', async t => {
  const app = await build(t, { maxStorageMiB: 16 })
  const bio = 'y'.repeat(1000)
  const contact = { biographies: [{ value: bio }], urls: Array.from({ length: 40 }, (_, i) => ({ value: `https://example.com/${i}/${bio}` })) }
  const created: string[] = []
  let refused: any
  for (let i = 0; i < 1000 && refused === undefined; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: contact })
    if (res.statusCode === 200) created.push(body(res).resourceName)
    else refused = res
  }
  t.equal(refused?.statusCode, 429)
  t.same(body(refused).error, {
    code: 429,
    message: 'The emulator\'s storage is full: it holds the 16 MiB --max-storage allows. Delete contacts, reset, or start the emulator with a larger --max-storage.',
    errors: [{ message: 'The emulator\'s storage is full: it holds the 16 MiB --max-storage allows. Delete contacts, reset, or start the emulator with a larger --max-storage.', domain: 'global', reason: 'quotaExceeded' }],
    status: 'RESOURCE_EXHAUSTED'
  })
  t.ok(app.storageBudget.usedBytes() <= 16 * 1024 * 1024 * 1.25, 'never past the hard ceiling')
  const count = body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer() })).totalItems
  t.equal(count, created.length, 'the refused write stored nothing')
  t.equal((await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(), payload: { contactGroup: { name: 'More' } } })).statusCode, 429)
  // Deletes still work, and make room again.
  for (const name of created.slice(0, created.length / 2)) {
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/${name}:deleteContact`, headers: bearer() })).statusCode, 200)
  }
  let again = 0
  for (let i = 0; i < 64 && again === 0; i++) again = (await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: {} })).statusCode === 200 ? 1 : 0
  t.equal(again, 1, 'room again after deletes')
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', headers: JSON_TYPE })).statusCode, 200, 'reset works when full')
})

for (const db of [':memory:', 'a file']) {
  t.test(`one write that would take the database past its ceiling in one step is a 429 too, and changes nothing (${db})`, async t => {
    const dir = mkdtempSync(join(tmpdir(), 'pae-capacity-'))
    t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
    const app = await build(t, { maxStorageMiB: 16, db: db === ':memory:' ? db : join(dir, 'people.db') })
    const bio = 'y'.repeat(1000)
    const contact = { biographies: [{ value: bio }], urls: Array.from({ length: 40 }, (_, i) => ({ value: `https://example.com/${i}/${bio}` })) }
    // About 12 of the 16 MiB: under the budget, so that the check before each write lets the next one through.
    let refused = 0
    while (app.storageBudget.usedBytes() < 12 * 1024 * 1024 && refused === 0) {
      if ((await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: contact })).statusCode !== 200) refused++
    }
    t.equal(refused, 0, 'filled to 12 MiB')
    const count = async (): Promise<number> => body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer() })).totalItems
    const before = await count()
    const usedBefore = app.storageBudget.usedBytes()
    // 200 contacts of ~41 KB: about 8 MiB in one transaction, past the 20 MiB ceiling.
    const batch = await app.inject({ method: 'POST', url: '/v1/people:batchCreateContacts', headers: bearer(), payload: { contacts: Array.from({ length: 200 }, () => ({ contactPerson: contact })), readMask: 'names' } })
    t.equal(batch.statusCode, 429, 'the budget\'s 429, not a 503')
    t.equal(body(batch).error.status, 'RESOURCE_EXHAUSTED')
    t.match(body(batch).error.message, /^The emulator's storage is full: it holds the 16 MiB --max-storage allows\./)
    t.equal(await count(), before, 'nothing was stored')
    // An import that crosses it in one step, likewise.
    const imported = await app.inject({ method: 'POST', url: '/_emulator/import', headers: JSON_TYPE, payload: { accounts: [{ id: 'big', people: Array.from({ length: 220 }, () => contact) }] } })
    t.equal(imported.statusCode, 429)
    t.equal((await app.inject({ url: '/_emulator/accounts/big' })).statusCode, 404, 'nothing imported')
    t.ok(app.storageBudget.usedBytes() <= usedBefore + 64 * 1024)
    // A small write still fits.
    t.equal((await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: {} })).statusCode, 200)
  })
}

t.test('the largest state the emulator accepts comes back through export and import, and health answers throughout', async t => {
  const app = await build(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const full = JSON.stringify(document(100000))
  // Health requests one after the other while the import runs: they are answered before it ends.
  const run = { importing: true }
  let healthDuring = 0
  const health = (async () => {
    while (run.importing) {
      const res = await request(`${url}/_emulator/health`)
      await res.body.text()
      if (run.importing && res.statusCode === 200) healthDuring++
    }
  })()
  const imported = await request(`${url}/_emulator/import`, { method: 'POST', headers: JSON_TYPE, body: full })
  run.importing = false
  await health
  t.equal(imported.statusCode, 200, await imported.body.text())
  t.ok(healthDuring >= 3, `health answered ${healthDuring} times during the import`)
  t.equal(app.contacts.total(), 100000)
  // Full: one more contact, or an import that would add any, is refused.
  const one = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer('newcomer'), payload: {} })
  t.equal(one.statusCode, 400)
  t.equal(body(one).error.message, 'The emulator already holds 100000 contacts, the most it may hold: delete contacts or reset.')
  t.equal(app.accounts.accountExists('newcomer'), false, 'the refused first write stored no account')
  const more = await app.inject({ method: 'POST', url: '/_emulator/import', payload: document(1, 1, 'extra') })
  t.equal(more.statusCode, 400)
  t.equal(body(more).error.message, 'Invalid fixture document: the emulator would hold 100001 contacts, more than the 100000 it may hold.')
  // Export → reset → import gives the same state back.
  const exported = await request(`${url}/_emulator/export`)
  const text = await exported.body.text()
  t.equal(exported.statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', headers: JSON_TYPE })).statusCode, 200)
  t.equal(app.contacts.total(), 0)
  const back = await request(`${url}/_emulator/import`, { method: 'POST', headers: JSON_TYPE, body: text })
  t.equal(back.statusCode, 200, (await back.body.text()).slice(0, 300))
  t.equal(app.contacts.total(), 100000)
  const again = await request(`${url}/_emulator/export`)
  t.ok((await again.body.text()) === text, 'the same export, byte for byte')
})
