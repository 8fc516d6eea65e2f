/** Snapshots: POST/GET/DELETE /_emulator/snapshots and :restore (db/snapshots.ts, routes/snapshots.ts). */
import t, { type Test } from 'tap'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, bearer, body } from './helpers/app.js'

type App = Awaited<ReturnType<typeof build>>
const JSON_TYPE = { 'content-type': 'application/json' }
const EXAMPLE = JSON.parse(readFileSync(new URL('../fixtures/example.json', import.meta.url), 'utf8')) as Record<string, unknown>
const ALICE = { ...bearer('alice-token'), ...JSON_TYPE }

async function seeded (t: Test, config: Record<string, unknown> = {}): Promise<App> {
  const app = await build(t, { clock: 'fixed:2026-01-01T00:00:00Z', seed: 'snapshots', ...config })
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: EXAMPLE })).statusCode, 200)
  return app
}

async function control (app: App, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown): Promise<{ status: number, body: any }> {
  const res = await app.inject({ method, url, headers: JSON_TYPE, payload: payload === undefined ? undefined : JSON.stringify(payload) })
  return { status: res.statusCode, body: JSON.parse(res.body) }
}

async function create (app: App, givenName: string, token = 'alice-token'): Promise<any> {
  const res = await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer(token), ...JSON_TYPE }, payload: { names: [{ givenName }] } })
  t.equal(res.statusCode, 200)
  return body(res)
}

async function sync (app: App, token?: string, who = 'alice-token'): Promise<{ status: number, body: any }> {
  const res = await app.inject({ url: `/v1/people/me/connections?personFields=names&requestSyncToken=true${token === undefined ? '' : `&syncToken=${token}`}`, headers: bearer(who) })
  return { status: res.statusCode, body: body(res) }
}

const exported = async (app: App): Promise<string> => (await app.inject({ url: '/_emulator/export' })).body

t.test('save, list, restore and delete, with the documented answers', async t => {
  const app = await seeded(t)
  const saved = await control(app, 'POST', '/_emulator/snapshots', { name: 'seeded' })
  t.equal(saved.status, 200)
  t.same(Object.keys(saved.body), ['name', 'time', 'size', 'contacts'])
  t.match(saved.body, { name: 'seeded', time: /^2026-01-01T00:00:00\.\d{6}Z$/, contacts: 2 })
  t.ok(saved.body.size > 0, 'its size in bytes')
  t.same((await control(app, 'GET', '/_emulator/snapshots')).body, { snapshots: [saved.body] })
  const restored = await control(app, 'POST', '/_emulator/snapshots/seeded:restore')
  t.equal(restored.status, 200)
  t.same(restored.body, saved.body)
  t.same(await control(app, 'DELETE', '/_emulator/snapshots/seeded'), { status: 200, body: {} })
  t.same((await control(app, 'GET', '/_emulator/snapshots')).body, { snapshots: [] })
})

t.test('a restore brings back the whole state: contacts, groups, other contacts, the directory, accounts and tokens, the clock', async t => {
  const app = await seeded(t)
  const before = await exported(app)
  const [first] = JSON.parse(before).accounts[0].people
  const firstBefore = body(await app.inject({ url: `/v1/${first.resourceName as string}?personFields=names`, headers: bearer('alice-token') }))
  const clockBefore = (await control(app, 'GET', '/_emulator/clock')).body.now
  await control(app, 'POST', '/_emulator/snapshots', { name: 'seeded' })
  // Change everything a test could change.
  const created = await create(app, 'Later')
  await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: ALICE, payload: { contactGroup: { name: 'Later group' } } })
  const del = await app.inject({ method: 'DELETE', url: `/v1/${first.resourceName as string}:deleteContact`, headers: ALICE })
  t.equal(del.statusCode, 200)
  await app.inject({ method: 'POST', url: '/_emulator/accounts/alice/otherContacts', headers: JSON_TYPE, payload: { names: [{ givenName: 'Met later' }], emailAddresses: [{ value: 'later@example.org' }] } })
  await app.inject({ method: 'POST', url: '/_emulator/domains/example.com/profiles', headers: JSON_TYPE, payload: { names: [{ givenName: 'Hired later' }] } })
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'carol', tokens: [{ token: 'carol-token' }] }] } })
  await control(app, 'POST', '/_emulator/clock', { advance: '3d' })
  t.not(await exported(app), before)

  t.equal((await control(app, 'POST', '/_emulator/snapshots/seeded:restore')).status, 200)
  t.equal(await exported(app), before, 'the export is the one of the snapshot, byte for byte')
  t.equal((await control(app, 'GET', '/_emulator/clock')).body.now, clockBefore, 'the clock is back')
  const gone = await app.inject({ url: `/v1/${created.resourceName as string}?personFields=names`, headers: bearer('alice-token') })
  t.equal(gone.statusCode, 404)
  // carol was imported after the snapshot: her token is an undeclared one again (a new, empty account).
  t.same(body(await app.inject({ url: '/v1/people/me/connections?personFields=names', headers: bearer('carol-token') })), {})
  // What was read before the restore (cached renderings, tokens) is not served stale.
  const back = await app.inject({ url: `/v1/${first.resourceName as string}?personFields=names`, headers: bearer('alice-token') })
  t.equal(back.statusCode, 200)
  t.same(body(back), firstBefore)
  // An update with the etag of the snapshot's time works: etags are the snapshot's.
  const update = await app.inject({ method: 'PATCH', url: `/v1/${first.resourceName as string}:updateContact?updatePersonFields=names`, headers: ALICE, payload: { etag: firstBefore.etag, names: [{ givenName: 'Renamed' }] } })
  t.equal(update.statusCode, 200)
})

t.test('search finds what the snapshot holds, and nothing made after it', async t => {
  const app = await seeded(t)
  await create(app, 'Zebulon')
  await control(app, 'POST', '/_emulator/snapshots', { name: 's' })
  await create(app, 'Zephyr')
  const search = async (): Promise<string[]> => (body(await app.inject({ url: '/v1/people:searchContacts?query=ze&readMask=names', headers: bearer('alice-token') })).results ?? []).map((r: any) => r.person.names[0].givenName)
  t.same((await search()).sort(), ['Zebulon', 'Zephyr'])
  await control(app, 'POST', '/_emulator/snapshots/s:restore')
  t.same(await search(), ['Zebulon'])
})

t.test('sync tokens: one issued before the snapshot lists the changes up to it; one issued after it is expired; new changes follow', async t => {
  const app = await seeded(t)
  const t0 = (await sync(app)).body.nextSyncToken
  const a = await create(app, 'Before snapshot')
  await control(app, 'POST', '/_emulator/snapshots', { name: 's' })
  // bob's token is taken after the snapshot, but bob changes nothing: still valid after a restore.
  const bobToken = (await sync(app, undefined, 'bob-token')).body.nextSyncToken
  await create(app, 'After snapshot')
  const t1 = (await sync(app)).body.nextSyncToken
  await control(app, 'POST', '/_emulator/snapshots/s:restore')

  const fromT0 = await sync(app, t0)
  t.equal(fromT0.status, 200)
  t.same(fromT0.body.connections.map((p: any) => p.resourceName), [a.resourceName], 'the change between the token and the snapshot, not the undone one')
  const fromT1 = await sync(app, t1)
  t.equal(fromT1.status, 400, 'a token from the undone history is expired')
  t.equal(fromT1.body.error.details[0].reason, 'EXPIRED_SYNC_TOKEN')
  t.equal((await sync(app, bobToken, 'bob-token')).status, 200)

  const t2 = fromT0.body.nextSyncToken
  const c = await create(app, 'After restore')
  const fromT2 = await sync(app, t2)
  t.same(fromT2.body.connections.map((p: any) => p.resourceName), [c.resourceName], 'a change after the restore is listed')
  // The same holds for contact groups.
  const g1 = body(await app.inject({ url: '/v1/contactGroups?groupFields=name', headers: bearer('alice-token') })).nextSyncToken
  await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: ALICE, payload: { contactGroup: { name: 'Undone' } } })
  const g2 = body(await app.inject({ url: `/v1/contactGroups?groupFields=name&syncToken=${g1 as string}`, headers: bearer('alice-token') })).nextSyncToken
  await control(app, 'POST', '/_emulator/snapshots/s:restore')
  const groups = await app.inject({ url: `/v1/contactGroups?groupFields=name&syncToken=${g2 as string}`, headers: bearer('alice-token') })
  t.equal(groups.statusCode, 400)
  t.equal(body(groups).error.details[0].reason, 'EXPIRED_SYNC_TOKEN')
  // And for other contacts.
  const o1 = body(await app.inject({ url: '/v1/otherContacts?readMask=names&requestSyncToken=true', headers: bearer('alice-token') })).nextSyncToken
  await app.inject({ method: 'POST', url: '/_emulator/accounts/alice/otherContacts', headers: JSON_TYPE, payload: { names: [{ givenName: 'Met later' }] } })
  const o2 = body(await app.inject({ url: `/v1/otherContacts?readMask=names&syncToken=${o1 as string}`, headers: bearer('alice-token') })).nextSyncToken
  await control(app, 'POST', '/_emulator/snapshots/s:restore')
  t.equal((await app.inject({ url: `/v1/otherContacts?readMask=names&syncToken=${o2 as string}`, headers: bearer('alice-token') })).statusCode, 400)
})

t.test('a token issued after a restore is expired by a second restore of the same snapshot', async t => {
  const app = await seeded(t)
  await control(app, 'POST', '/_emulator/snapshots', { name: 's' })
  await control(app, 'POST', '/_emulator/snapshots/s:restore')
  await create(app, 'In the first restored line')
  const token = (await sync(app)).body.nextSyncToken
  await control(app, 'POST', '/_emulator/snapshots/s:restore')
  t.equal((await sync(app, token)).status, 400)
})

t.test('with a seed and a fixed clock, what follows a restore is byte-identical each time', async t => {
  const app = await seeded(t)
  await control(app, 'POST', '/_emulator/snapshots', { name: 's' })
  const run = async (): Promise<string[]> => {
    const out: string[] = []
    out.push(JSON.stringify(await create(app, 'Same')))
    out.push(JSON.stringify((await sync(app)).body))
    out.push(await exported(app))
    return out
  }
  const first = await run()
  await control(app, 'POST', '/_emulator/snapshots/s:restore')
  const second = await run()
  t.same(second.slice(0, 1), first.slice(0, 1), 'the same resource name and etag')
  t.equal(second[2], first[2], 'the same state')
  // A whole reset starts the lines of history again: after it, the emulator that restored
  // snapshots answers as one that never did.
  const fresh = await seeded(t)
  const again = async (emulator: App): Promise<string> => {
    t.equal((await control(emulator, 'POST', '/_emulator/reset')).status, 200)
    await emulator.inject({ method: 'POST', url: '/_emulator/import', payload: EXAMPLE })
    await create(emulator, 'After reset')
    return (await emulator.inject({ url: '/v1/people/me/connections?personFields=names&requestSyncToken=true', headers: bearer('alice-token') })).body
  }
  t.equal(await again(app), await again(fresh))
})

t.test('saving under a name that exists replaces that snapshot', async t => {
  const app = await seeded(t)
  await control(app, 'POST', '/_emulator/snapshots', { name: 's' })
  const later = await create(app, 'Later')
  const again = await control(app, 'POST', '/_emulator/snapshots', { name: 's' })
  t.equal(again.body.contacts, 3)
  t.equal((await control(app, 'GET', '/_emulator/snapshots')).body.snapshots.length, 1)
  await control(app, 'POST', '/_emulator/snapshots/s:restore')
  t.equal((await app.inject({ url: `/v1/${later.resourceName as string}?personFields=names`, headers: bearer('alice-token') })).statusCode, 200)
})

t.test('refusals: unknown snapshots, bad names and fields', async t => {
  const app = await seeded(t)
  const unknown = await control(app, 'POST', '/_emulator/snapshots/nope:restore')
  t.equal(unknown.status, 404)
  t.same(unknown.body.error.message, 'Snapshot "nope" was not found.')
  t.equal((await control(app, 'DELETE', '/_emulator/snapshots/nope')).status, 404)
  const expected = (shown: string): string => `Invalid snapshot name ${shown}: expected 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit.`
  const refusals: Array<[unknown, string]> = [
    [{}, expected('undefined')],
    [{ name: '' }, expected('""')],
    [{ name: 'a b' }, expected('"a b"')],
    [{ name: 'a:b' }, expected('"a:b"')],
    [{ name: 7 }, expected('7')],
    [{ name: 'x'.repeat(101) }, expected(`"${'x'.repeat(101)}"`)],
    [{ name: 's', extra: 1 }, 'Unknown snapshot field "extra": the body is {"name": "..."}.']
  ]
  for (const [payload, message] of refusals) {
    const res = await control(app, 'POST', '/_emulator/snapshots', payload)
    t.equal(res.status, 400, JSON.stringify(payload))
    t.same(res.body, { error: { code: 400, message, errors: [{ message, domain: 'global', reason: 'badRequest' }], status: 'INVALID_ARGUMENT' } })
  }
  const badPath = await control(app, 'DELETE', '/_emulator/snapshots/.hidden')
  t.equal(badPath.status, 400)
  t.equal(badPath.body.error.message, 'Invalid snapshot name ".hidden" in the path: expected 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit.')
  t.same((await control(app, 'GET', '/_emulator/snapshots')).body, { snapshots: [] }, 'nothing was saved')
  // The control plane's guard applies.
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/snapshots', payload: 'name=s', headers: { 'content-type': 'text/plain' } })).statusCode, 403)
})

t.test('the snapshots of a file database survive a restart', async t => {
  const db = join(mkdtempSync(join(tmpdir(), 'pae-snap-')), 'people.db')
  const first = await build(t, { db, clock: 'fixed:2026-01-01T00:00:00Z', seed: 's' })
  await first.inject({ method: 'POST', url: '/_emulator/import', payload: EXAMPLE })
  const before = await exported(first)
  await control(first, 'POST', '/_emulator/snapshots', { name: 'kept' })
  await create(first, 'After')
  await first.close()
  const second = await build(t, { db, clock: 'fixed:2026-01-01T00:00:00Z', seed: 's' })
  t.same((await control(second, 'GET', '/_emulator/snapshots')).body.snapshots.map((s: any) => s.name), ['kept'])
  t.equal((await control(second, 'POST', '/_emulator/snapshots/kept:restore')).status, 200)
  t.equal(await exported(second), before)
})

t.test('a restore and a mutation sent together run one after the other, never interleaved', async t => {
  const app = await seeded(t)
  await control(app, 'POST', '/_emulator/snapshots', { name: 's' })
  const [created, restored] = await Promise.all([
    app.inject({ method: 'POST', url: '/v1/people:createContact', headers: ALICE, payload: { names: [{ givenName: 'Racing' }] } }),
    control(app, 'POST', '/_emulator/snapshots/s:restore')
  ])
  t.equal(created.statusCode, 200)
  t.equal(restored.status, 200)
  const after = await app.inject({ url: `/v1/${body(created).resourceName as string}?personFields=names`, headers: bearer('alice-token') })
  const people = JSON.parse(await exported(app)).accounts[0].people.length
  // Either the contact was written first (and the restore undid it) or after the restore.
  t.ok((after.statusCode === 404 && people === 2) || (after.statusCode === 200 && people === 3), `status ${after.statusCode} with ${people} contacts`)
})

t.test('the snapshots may take as much as --max-storage: past it a save is a 429 and changes nothing', async t => {
  const app = await build(t, { maxStorageMiB: 16 })
  // About 6.7 MiB of contacts: two snapshots of it fit in 16 MiB, three do not.
  const people = Array.from({ length: 70 }, (_, i) => ({ names: [{ givenName: `Big${i}` }], biographies: [{ value: `${i} ${'lorem ipsum '.repeat(8000)}` }] }))
  const imported = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'big', tokens: [{ token: 'big-token' }], people }] } })
  t.equal(imported.statusCode, 200, imported.body.slice(0, 300))
  t.equal((await control(app, 'POST', '/_emulator/snapshots', { name: 'one' })).status, 200)
  t.equal((await control(app, 'POST', '/_emulator/snapshots', { name: 'two' })).status, 200)
  const full = await control(app, 'POST', '/_emulator/snapshots', { name: 'three' })
  t.equal(full.status, 429)
  t.equal(full.body.error.status, 'RESOURCE_EXHAUSTED')
  t.equal(full.body.error.message, 'The snapshots would hold more than 16 MiB (--max-storage bounds them as it bounds the state): delete one (DELETE /_emulator/snapshots/NAME) first.')
  t.equal(full.body.error.errors[0].reason, 'quotaExceeded', 'as the storage-full 429')
  t.same((await control(app, 'GET', '/_emulator/snapshots')).body.snapshots.map((s: any) => s.name), ['one', 'two'])
  // Deleting one makes room again.
  t.equal((await control(app, 'DELETE', '/_emulator/snapshots/one')).status, 200)
  t.equal((await control(app, 'POST', '/_emulator/snapshots', { name: 'three' })).status, 200)
  t.equal((await control(app, 'POST', '/_emulator/snapshots/two:restore')).status, 200)
  t.equal(JSON.parse(await exported(app)).accounts[0].people.length, 70)
})

t.test('a large restore runs in slices: health answers throughout, and the state is whole after it', async t => {
  const app = await build(t)
  const people = Array.from({ length: 12000 }, (_, i) => ({ names: [{ givenName: `Person${i}` }], emailAddresses: [{ value: `p${i}@example.com` }] }))
  const imported = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'many', tokens: [{ token: 'many-token' }], people }] } })
  t.equal(imported.statusCode, 200)
  const before = await exported(app)
  await control(app, 'POST', '/_emulator/snapshots', { name: 'many' })
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: JSON_TYPE })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const state = { restored: false }
  const restore = fetch(`${url}/_emulator/snapshots/many:restore`, { method: 'POST', headers: JSON_TYPE }).then(r => { state.restored = true; return r.status })
  let answered = 0
  do {
    const health = await fetch(`${url}/_emulator/health`)
    if (health.status === 200 && !state.restored) answered++
  } while (!state.restored)
  t.equal(await restore, 200)
  t.ok(answered >= 2, `health answered ${answered} times during the restore`)
  t.equal(await exported(app), before)
  const found = body(await app.inject({ url: '/v1/people:searchContacts?query=person11999&readMask=names', headers: bearer('many-token') }))
  t.equal(found.results.length, 1, 'search reads the index built again')
})

t.test('at most 100 snapshots; replacing one of them is still allowed', async t => {
  const app = await build(t)
  for (let i = 0; i < 100; i++) t.equal((await control(app, 'POST', '/_emulator/snapshots', { name: `s${i}` })).status, 200)
  const refused = await control(app, 'POST', '/_emulator/snapshots', { name: 'one-more' })
  t.equal(refused.status, 400)
  t.same(refused.body.error, {
    code: 400,
    message: 'The emulator already holds 100 snapshots, the most it keeps: delete one (DELETE /_emulator/snapshots/NAME) first.',
    errors: [{ message: 'The emulator already holds 100 snapshots, the most it keeps: delete one (DELETE /_emulator/snapshots/NAME) first.', domain: 'global', reason: 'failedPrecondition' }],
    status: 'FAILED_PRECONDITION'
  })
  t.equal((await control(app, 'POST', '/_emulator/snapshots', { name: 's7' })).status, 200, 'a name that exists is replaced')
  t.equal((await control(app, 'GET', '/_emulator/snapshots')).body.snapshots.length, 100)
})

t.test('a snapshot saved by another schema version is refused, and nothing changes', async t => {
  const app = await seeded(t)
  await control(app, 'POST', '/_emulator/snapshots', { name: 'old' })
  const version = app.db.pragma('user_version', { simple: true }) as number
  app.db.prepare('UPDATE snapshots.snapshot_index SET schema_version = ?').run(version - 1)
  const before = await exported(app)
  const refused = await control(app, 'POST', '/_emulator/snapshots/old:restore')
  t.equal(refused.status, 400)
  t.same(refused.body, { error: { code: 400, message: `Snapshot "old" was saved by an emulator whose database schema is version ${version - 1}; this one's is ${version}. Save it again.`, errors: [{ message: `Snapshot "old" was saved by an emulator whose database schema is version ${version - 1}; this one's is ${version}. Save it again.`, domain: 'global', reason: 'failedPrecondition' }], status: 'FAILED_PRECONDITION' } })
  t.equal(await exported(app), before)
})

t.test('sync tokens across a whole reset: none from before it, nor one from after it once a snapshot from before is restored', async t => {
  // (b) A token from before a whole reset, presented after it: expired (the positions started again).
  const app = await seeded(t)
  for (let i = 0; i < 5; i++) await create(app, `Before reset ${i}`)
  const before = (await sync(app)).body.nextSyncToken
  t.equal((await control(app, 'POST', '/_emulator/reset')).status, 200)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: EXAMPLE })).statusCode, 200)
  await create(app, 'After reset')
  const stale = await sync(app, before)
  t.equal(stale.status, 400, 'a token from before the reset')
  t.equal(stale.body.error.details[0].reason, 'EXPIRED_SYNC_TOKEN')

  // (a) Snapshot S, whole reset, a write, token TB, restore S: TB is expired.
  const other = await seeded(t)
  await create(other, 'In the snapshot')
  t.equal((await control(other, 'POST', '/_emulator/snapshots', { name: 's' })).status, 200)
  t.equal((await control(other, 'POST', '/_emulator/reset')).status, 200)
  t.equal((await other.inject({ method: 'POST', url: '/_emulator/import', payload: EXAMPLE })).statusCode, 200)
  await create(other, 'After the reset')
  const tb = (await sync(other)).body.nextSyncToken
  t.equal((await control(other, 'POST', '/_emulator/snapshots/s:restore')).status, 200)
  const fromTb = await sync(other, tb)
  t.equal(fromTb.status, 400, 'a token from the history the restore left')
  t.equal(fromTb.body.error.details[0].reason, 'EXPIRED_SYNC_TOKEN')
})

t.test('sync tokens across a reset of one account or an import of it, with a fixed clock: expired', async t => {
  const app = await seeded(t)
  const fromFixture = await build(t, { clock: 'fixed:2026-01-01T00:00:00Z', seed: 'snapshots' }, { fixturesDocument: EXAMPLE })
  for (const [emulator, what] of [[fromFixture, 'reset'], [app, 'import']] as const) {
    const gone = await create(emulator, 'Gone after the reset')
    const token = (await sync(emulator)).body.nextSyncToken
    if (what === 'reset') t.equal((await control(emulator, 'POST', '/_emulator/reset?account=alice')).status, 200)
    else t.equal((await emulator.inject({ method: 'POST', url: '/_emulator/import', payload: EXAMPLE })).statusCode, 200)
    t.equal((await emulator.inject({ url: `/v1/${gone.resourceName as string}?personFields=names`, headers: bearer('alice-token') })).statusCode, 404)
    const after = await sync(emulator, token)
    t.equal(after.status, 400, `a token from before the ${what} would miss the deletion`)
    t.equal(after.body.error.details[0].reason, 'EXPIRED_SYNC_TOKEN')
  }
  // The directory: a domain imported again.
  const directory = async (token?: string): Promise<{ status: number, body: any }> => {
    const res = await app.inject({ url: `/v1/people:listDirectoryPeople?readMask=names&sources=DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE&requestSyncToken=true${token === undefined ? '' : `&syncToken=${token}`}`, headers: bearer('alice-token') })
    return { status: res.statusCode, body: body(res) }
  }
  const first = await directory()
  t.equal(first.status, 200)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: EXAMPLE })).statusCode, 200)
  t.equal((await directory(first.body.nextSyncToken)).status, 400, 'a directory token from before its domain was imported again')
})

t.test('a run that resets between its steps gives the same bytes every time (fixed clock, seed)', async t => {
  const run = async (): Promise<string[]> => {
    const app = await seeded(t)
    const out: string[] = []
    for (let round = 0; round < 2; round++) {
      await create(app, 'Ada')
      const s = await sync(app)
      out.push(JSON.stringify(s.body), JSON.stringify((await sync(app, s.body.nextSyncToken)).body))
      await control(app, 'POST', '/_emulator/reset')
      await app.inject({ method: 'POST', url: '/_emulator/import', payload: EXAMPLE })
    }
    return out
  }
  const [a, b] = [await run(), await run()]
  t.same(a, b)
  t.equal(a[0], a[2], 'and each round after a reset answers as the first did')
})

t.test('a page token of a listing that ends with a sync token is refused in another history (a whole reset between its pages)', async t => {
  const app = await seeded(t)
  for (let i = 0; i < 3; i++) await create(app, `Page ${i}`)
  const first = body(await app.inject({ url: '/v1/people/me/connections?personFields=names&pageSize=1&requestSyncToken=true', headers: bearer('alice-token') }))
  t.type(first.nextPageToken, 'string')
  const groups = body(await app.inject({ url: '/v1/contactGroups?pageSize=1', headers: bearer('alice-token') }))
  t.type(groups.nextPageToken, 'string')
  t.equal((await control(app, 'POST', '/_emulator/reset')).status, 200)
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: EXAMPLE })).statusCode, 200)
  for (let i = 0; i < 3; i++) await create(app, `Page ${i}`)
  for (const url of [`/v1/people/me/connections?personFields=names&pageSize=1&requestSyncToken=true&pageToken=${first.nextPageToken as string}`, `/v1/contactGroups?pageSize=1&pageToken=${groups.nextPageToken as string}`]) {
    const res = await app.inject({ url, headers: bearer('alice-token') })
    t.equal(res.statusCode, 400, url)
    t.equal(body(res).error.message, 'Page token is invalid or was issued for a request with different parameters.')
  }
  // In its own history the listing goes on, page after page, to a sync token.
  let page = body(await app.inject({ url: '/v1/people/me/connections?personFields=names&pageSize=1&requestSyncToken=true', headers: bearer('alice-token') }))
  const names: string[] = page.connections.map((p: any) => p.resourceName)
  while (page.nextPageToken !== undefined) {
    page = body(await app.inject({ url: `/v1/people/me/connections?personFields=names&pageSize=1&requestSyncToken=true&pageToken=${page.nextPageToken as string}`, headers: bearer('alice-token') }))
    names.push(...page.connections.map((p: any) => p.resourceName))
  }
  t.ok(names.length >= 3)
  t.equal((await sync(app, page.nextSyncToken)).status, 200)
})

t.test('a token taken before its account existed is expired once the account is imported (what it holds sits at no position)', async t => {
  const app = await build(t, { clock: 'fixed:2026-01-01T00:00:00Z', seed: 'snapshots' })
  const urls = ['/v1/people/me/connections?personFields=names&requestSyncToken=true', '/v1/contactGroups', '/v1/otherContacts?readMask=names&requestSyncToken=true']
  const tokens: string[] = []
  for (const url of urls) tokens.push(body(await app.inject({ url, headers: bearer('imp-token') })).nextSyncToken)
  const imported = await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'imp', tokens: [{ token: 'imp-token' }], people: [{ names: [{ givenName: 'Ada' }] }], contactGroups: [{ name: 'Club' }], otherContacts: [{ names: [{ givenName: 'Met' }] }] }] } })
  t.equal(imported.statusCode, 200)
  for (let i = 0; i < urls.length; i++) {
    const res = await app.inject({ url: `${urls[i]!}${urls[i]!.includes('?') ? '&' : '?'}syncToken=${tokens[i]!}`, headers: bearer('imp-token') })
    t.equal(res.statusCode, 400, urls[i]!)
    t.equal(body(res).error.details[0].reason, 'EXPIRED_SYNC_TOKEN')
  }
  // An account stored by its own first write: such a token lists every change it made.
  const early = body(await app.inject({ url: urls[0]!, headers: bearer('writer-token') })).nextSyncToken
  const ada = await create(app, 'Ada', 'writer-token')
  const listed = body(await app.inject({ url: `${urls[0]!}&syncToken=${early as string}`, headers: bearer('writer-token') }))
  t.same(listed.connections.map((p: any) => p.resourceName), [ada.resourceName])
})

t.test('a change position is never handed out twice: not after an import, an account\'s reset or a restart, even when the highest one goes', async t => {
  // A contact's deletion after an import: its tombstone took the contact's own position.
  const app = await build(t)
  const a = body(await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer('u1'), ...JSON_TYPE }, payload: { names: [{ givenName: 'A' }] } }))
  const token = (await sync(app, undefined, 'u1')).body.nextSyncToken
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', headers: JSON_TYPE, payload: { accounts: [], domains: [{ domain: 'ex.com' }] } })).statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/${a.resourceName as string}:deleteContact`, headers: bearer('u1') })).statusCode, 200)
  const after = await sync(app, token, 'u1')
  t.equal(after.status, 200)
  t.same(after.body.connections?.map((p: any) => [p.resourceName, p.metadata?.deleted]), [[a.resourceName, true]], 'the deletion is listed')

  // An update after an import removed the account that held the highest position, then a
  // restore of a snapshot from before the update: the token that saw the update is expired.
  const other = await build(t)
  const ada = body(await other.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer('u1'), ...JSON_TYPE }, payload: { names: [{ givenName: 'A' }] } }))
  await other.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer('u2'), ...JSON_TYPE }, payload: { names: [{ givenName: 'X' }] } })
  t.equal((await control(other, 'POST', '/_emulator/snapshots', { name: 's' })).status, 200)
  t.equal((await other.inject({ method: 'POST', url: '/_emulator/import', headers: JSON_TYPE, payload: { accounts: [{ id: 'u2', tokens: [{ token: 'u2' }] }] } })).statusCode, 200)
  t.equal((await other.inject({ method: 'PATCH', url: `/v1/${ada.resourceName as string}:updateContact?updatePersonFields=names`, headers: { ...bearer('u1'), ...JSON_TYPE }, payload: { etag: ada.etag, names: [{ givenName: 'B' }] } })).statusCode, 200)
  const sawB = (await sync(other, undefined, 'u1')).body.nextSyncToken
  t.equal((await control(other, 'POST', '/_emulator/snapshots/s:restore')).status, 200)
  const restored = await sync(other, sawB, 'u1')
  t.equal(restored.status, 400, 'the update it saw was undone')
  t.equal(restored.body.error.details[0].reason, 'EXPIRED_SYNC_TOKEN')

  // A restart of a file database between a token and a deletion.
  const db = join(mkdtempSync(join(tmpdir(), 'pae-positions-')), 'people.db')
  const first = await build(t, { db })
  const c = body(await first.inject({ method: 'POST', url: '/v1/people:createContact', headers: { ...bearer('u1'), ...JSON_TYPE }, payload: { names: [{ givenName: 'C' }] } }))
  const before = (await sync(first, undefined, 'u1')).body.nextSyncToken
  await first.close()
  const second = await build(t, { db })
  t.equal((await second.inject({ method: 'DELETE', url: `/v1/${c.resourceName as string}:deleteContact`, headers: bearer('u1') })).statusCode, 200)
  const listed = await sync(second, before, 'u1')
  t.same(listed.body.connections?.map((p: any) => [p.resourceName, p.metadata?.deleted]), [[c.resourceName, true]], 'listed after the restart')
})

t.test('a restore writes only what differs: swapped group names, a reused rowid, counts; rows left alone keep their search entries', async t => {
  const app = await seeded(t)
  const group = async (name: string): Promise<any> => body(await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: ALICE, payload: { contactGroup: { name } } }))
  const rename = async (g: any, name: string): Promise<number> => (await app.inject({ method: 'PUT', url: `/v1/${g.resourceName as string}`, headers: ALICE, payload: { contactGroup: { name, etag: g.etag } } })).statusCode
  const chess = await group('Chess')
  const go = await group('Go')
  const last = await create(app, 'Zed')
  await control(app, 'POST', '/_emulator/snapshots', { name: 'seeded' })
  const before = await exported(app)
  // The two names swapped (a unique key two rows swap), the last contact deleted and another
  // created in its place (SQLite gives it the freed rowid), contacts and members counted again.
  t.equal(await rename(chess, 'Tmp'), 200)
  t.equal(await rename(go, 'Chess'), 200)
  const tmp = body(await app.inject({ url: `/v1/${chess.resourceName as string}`, headers: ALICE }))
  t.equal(await rename(tmp, 'Go'), 200)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/${last.resourceName as string}:deleteContact`, headers: ALICE })).statusCode, 200)
  await create(app, 'Reused')
  t.equal((await control(app, 'POST', '/_emulator/snapshots/seeded:restore')).status, 200)
  t.equal(await exported(app), before, 'the state is the snapshot\'s')
  const listed = (await sync(app)).body
  t.equal(listed.totalPeople, JSON.parse(before).accounts.find((a: any) => a.id === 'alice').people.length, 'the counts kept by triggers are the snapshot\'s')
  t.equal(listed.connections.length, listed.totalPeople)
  const search = async (q: string): Promise<string[]> => (body(await app.inject({ url: `/v1/people:searchContacts?query=${q}&readMask=names`, headers: bearer('alice-token') })).results ?? []).map((r: any) => r.person.names[0].givenName)
  t.same(await search('zed'), ['Zed'])
  t.same(await search('reused'), [])
  t.same(await search('ada'), ['Ada'], 'a contact no write touched is found as before')
  const groups = body(await app.inject({ url: '/v1/contactGroups', headers: bearer('alice-token') })).contactGroups.filter((g: any) => g.groupType === 'USER_CONTACT_GROUP').map((g: any) => [g.resourceName, g.name])
  t.same(groups.filter((g: string[]) => g[0] === chess.resourceName || g[0] === go.resourceName).sort(), [[chess.resourceName, 'Chess'], [go.resourceName, 'Go']].sort())
})

t.test('a snapshot an older version saved, in the form before its copies were keyed by rowid, is refused and changes nothing', async t => {
  const app = await seeded(t)
  await control(app, 'POST', '/_emulator/snapshots', { name: 'old' })
  // As an older version made the copy: emulator_rowid a plain column.
  app.db.exec('ALTER TABLE snapshots.s1_contacts RENAME TO s1_contacts_keyed')
  app.db.exec('CREATE TABLE snapshots.s1_contacts AS SELECT * FROM snapshots.s1_contacts_keyed')
  const before = await exported(app)
  const refused = await control(app, 'POST', '/_emulator/snapshots/old:restore')
  t.equal(refused.status, 400)
  t.same(refused.body, { error: { code: 400, message: 'Snapshot "old" was saved by an older version of the emulator, in a form this one does not restore. Save it again.', errors: [{ message: 'Snapshot "old" was saved by an older version of the emulator, in a form this one does not restore. Save it again.', domain: 'global', reason: 'failedPrecondition' }], status: 'FAILED_PRECONDITION' } })
  t.equal(await exported(app), before)
})

t.test('whole resets after the first write only what differs from the image the first kept: the same state, history started again every time', async t => {
  const app = await build(t, { clock: 'fixed:2026-01-01T00:00:00Z', seed: 'resets' }, { fixturesDocument: EXAMPLE })
  const start = await exported(app)
  const round = async (): Promise<{ state: string, answers: string[] }> => {
    const token = (await sync(app)).body.nextSyncToken
    await create(app, 'Between')
    const [contact] = JSON.parse(await exported(app)).accounts[0].people
    await app.inject({ method: 'DELETE', url: `/v1/${contact.resourceName as string}:deleteContact`, headers: bearer('alice-token') })
    t.equal((await control(app, 'POST', '/_emulator/reset')).status, 200)
    const state = await exported(app)
    // A token from before the reset is expired; the first answers after it are a new emulator's.
    const expired = await sync(app, token)
    const fresh = await sync(app)
    return { state, answers: [JSON.stringify(expired), JSON.stringify(fresh.body), JSON.stringify(await create(app, 'After'))] }
  }
  const first = await round() // replaces everything, and keeps the image
  const second = await round() // from the image
  const third = await round()
  t.equal(first.state, start, 'the fixtures\' state')
  t.equal(second.state, start)
  t.equal(third.state, start)
  t.match(JSON.parse(first.answers[0]!), { status: 400, body: { error: { status: 'FAILED_PRECONDITION' } } })
  t.same(second.answers, first.answers, 'byte-identical answers after each reset (fixed clock, seed)')
  t.same(third.answers, first.answers)
  t.same((await control(app, 'GET', '/_emulator/snapshots')).body, { snapshots: [] }, 'the image is no snapshot of the user\'s')
  const search = body(await app.inject({ url: '/v1/people:searchContacts?query=between&readMask=names', headers: bearer('alice-token') }))
  t.same(search, {}, 'nothing written before a reset is found after it')
})

t.test('a file database: the reset image of an earlier run is not used (its fixtures may have changed)', async t => {
  const db = join(mkdtempSync(join(tmpdir(), 'pae-reset-image-')), 'people.db')
  const first = await build(t, { db, clock: 'fixed:2026-01-01T00:00:00Z', seed: 's' }, { fixturesDocument: EXAMPLE })
  await control(first, 'POST', '/_emulator/reset')
  await control(first, 'POST', '/_emulator/reset')
  await first.close()
  const other = { accounts: [{ id: 'bob', tokens: [{ token: 'bob-token' }], people: [{ names: [{ givenName: 'Bob' }] }] }] }
  const second = await build(t, { db, clock: 'fixed:2026-01-01T00:00:00Z', seed: 's' }, { fixturesDocument: other })
  await control(second, 'POST', '/_emulator/reset')
  t.same(JSON.parse(await exported(second)).accounts.map((a: any) => a.id), ['bob'], 'the new fixtures')
  await create(second, 'Later', 'bob-token')
  await control(second, 'POST', '/_emulator/reset')
  t.same(JSON.parse(await exported(second)).accounts[0].people.map((p: any) => p.names[0].givenName), ['Bob'])
})

t.test('a restore that changes a membership row in place, the contact\'s own row unchanged, is seen by the next read (the contact cache)', async t => {
  const app = await build(t, { clock: 'fixed:2026-01-01T00:00:00Z', seed: 'x' })
  const doc = (group: string): unknown => ({
    accounts: [{
      id: 'x',
      tokens: [{ token: 'x-token' }],
      contactGroups: [{ resourceName: 'contactGroups/aaa1', name: 'One' }, { resourceName: 'contactGroups/aaa2', name: 'Two' }],
      people: [{ resourceName: 'people/c100', etag: '%EgUBAgMFBzcEAQIDBQcaBAECAwc=', metadata: { sources: [{ type: 'CONTACT', id: '64', etag: '#AAAAAAAAAAA=', updateTime: '2026-01-01T00:00:00Z' }] }, names: [{ givenName: 'Ada' }], memberships: [{ contactGroupMembership: { contactGroupResourceName: `contactGroups/${group}` } }] }]
    }]
  })
  const groups = async (): Promise<string[]> => body(await app.inject({ url: '/v1/people/c100?personFields=memberships', headers: bearer('x-token') })).memberships.map((m: any) => m.contactGroupMembership.contactGroupResourceName).sort()
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: doc('aaa1') as object })).statusCode, 200)
  await control(app, 'POST', '/_emulator/snapshots', { name: 's' })
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/import', payload: doc('aaa2') as object })).statusCode, 200)
  t.same(await groups(), ['contactGroups/aaa2'], 'read, and cached')
  t.equal((await control(app, 'POST', '/_emulator/snapshots/s:restore')).status, 200)
  t.same(await groups(), ['contactGroups/aaa1'], 'the snapshot\'s membership, not the cached one')
})

t.test('when the reset image does not fit in the snapshots\' storage, whole resets replace everything, as the first did', async t => {
  // About 6.7 MiB of start fixtures: two snapshots of it fill 16 MiB, and the image does not fit.
  const people = Array.from({ length: 70 }, (_, i) => ({ names: [{ givenName: `Big${i}` }], biographies: [{ value: `${i} ${'lorem ipsum '.repeat(8000)}` }] }))
  const app = await build(t, { maxStorageMiB: 16, clock: 'fixed:2026-01-01T00:00:00Z', seed: 'full' }, { fixturesDocument: { accounts: [{ id: 'big', tokens: [{ token: 'big-token' }], people }] } })
  const start = await exported(app)
  t.equal((await control(app, 'POST', '/_emulator/snapshots', { name: 'one' })).status, 200)
  t.equal((await control(app, 'POST', '/_emulator/snapshots', { name: 'two' })).status, 200)
  for (let round = 0; round < 2; round++) {
    await create(app, `Round ${round}`, 'big-token')
    t.same(await control(app, 'POST', '/_emulator/reset'), { status: 200, body: {} })
    t.equal(await exported(app), start, 'the start fixtures')
  }
  t.same((await control(app, 'GET', '/_emulator/snapshots')).body.snapshots.map((s: any) => s.name), ['one', 'two'])
  t.equal(app.snapshots.resetImage(), undefined, 'no image was kept')
})

t.test('in memory, the snapshots database is attached when first used: an emulator that never saves, restores or resets does not pay for it', async t => {
  const app = await build(t)
  const attached = (): string[] => (app.db.pragma('database_list') as Array<{ name: string }>).map(d => d.name).filter(name => name !== 'temp')
  t.same(attached(), ['main'], 'not at start')
  t.equal((await create(app, 'Ada')).names[0].givenName, 'Ada', 'the API works without it')
  t.equal((await control(app, 'GET', '/_emulator/snapshots')).status, 200)
  t.same(attached(), ['main', 'snapshots'], 'attached by the first call that reads them')
  t.equal((await control(app, 'POST', '/_emulator/snapshots', { name: 'one' })).status, 200)
  t.equal((await control(app, 'POST', '/_emulator/snapshots/one:restore')).status, 200)
  t.same(attached(), ['main', 'snapshots'], 'once')
})

t.test('a file database attaches its snapshots at start (a stale reset image is dropped there)', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pae-snap-attach-'))
  const app = await build(t, { db: join(dir, 'state.db') })
  t.same((app.db.pragma('database_list') as Array<{ name: string }>).map(d => d.name).filter(name => name !== 'temp'), ['main', 'snapshots'])
})
