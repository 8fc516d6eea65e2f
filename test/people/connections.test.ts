/** people.connections.list: pages, orders, sync tokens, expiry (FIDELITY.md: people.connections.list). */
import t from 'tap'
import { bearer, body, build } from '../helpers/app.js'
import { manualClock } from '../helpers/clock.js'
import { apiError, createContact, update } from '../helpers/people.js'
import { assertConforms } from '../helpers/schema.js'

const BASE = '/v1/people/me/connections'

async function list (t: any, app: any, query: string, token = 'test-token'): Promise<any> {
  const res = await app.inject({ url: `${BASE}?${query}`, headers: bearer(token) })
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  assertConforms(t, 'ListConnectionsResponse', body(res))
  return body(res)
}

async function error (app: any, query: string, resource = 'people/me'): Promise<any> {
  return body(await app.inject({ url: `/v1/${resource}/connections?${query}`, headers: bearer() }))
}

const given = (page: any): string[] => (page.connections ?? []).map((p: any) => p.names?.[0]?.givenName)

t.test('only people/me; personFields required with the exact message', async t => {
  const app = await build(t)
  t.same(await error(app, 'personFields=names', 'people/c123'), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Resource name "people/c123" is not valid for connections: only "people/me" has connections.'))
  t.same(await error(app, ''), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'personFields mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/people.connections/list.'))
  t.same(await error(app, 'personFields=names,bogus'), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Invalid personFields mask path: "bogus". Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/get.'))
  t.same(await list(t, app, 'personFields=names'), {}, 'an empty account lists nothing')
})

t.test('pageSize 1 to 1000, default 100; pages cover every contact once', async t => {
  const app = await build(t)
  const created = []
  for (let i = 0; i < 105; i++) created.push(await createContact(t, app, { names: [{ givenName: `P${String(i).padStart(3, '0')}` }] }))
  const first = await list(t, app, 'personFields=names')
  t.equal(first.connections.length, 100)
  t.equal(first.totalPeople, 105)
  t.equal(first.totalItems, 105)
  t.ok(first.nextPageToken)
  t.notOk(first.nextSyncToken, 'no sync token unless asked for')
  const second = await list(t, app, `personFields=names&pageToken=${first.nextPageToken}`)
  t.equal(second.connections.length, 5)
  t.notOk(second.nextPageToken)
  const seen = [...first.connections, ...second.connections].map((p: any) => p.resourceName)
  t.same(seen, created.map(c => c.resourceName), 'LAST_MODIFIED_ASCENDING by default: the order of creation')
  for (const size of ['-1', '1001']) t.same(await error(app, `personFields=names&pageSize=${size}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'pageSize must be between 1 and 1000.'))
  const one = await list(t, app, 'personFields=names&pageSize=1')
  t.equal(one.connections.length, 1)
})

t.test('the four sort orders', async t => {
  const app = await build(t)
  const zed = await createContact(t, app, { names: [{ givenName: 'Zed', familyName: 'Adams' }] })
  await createContact(t, app, { names: [{ givenName: 'Émile', familyName: 'Zola' }] })
  await createContact(t, app, { names: [{ givenName: 'bob', familyName: 'Marley' }] })
  await createContact(t, app, { emailAddresses: [{ value: 'nameless@example.com' }] })
  await update(app, zed.resourceName, { etag: zed.etag }, 'updatePersonFields=nicknames')
  t.same(given(await list(t, app, 'personFields=names&sortOrder=LAST_MODIFIED_ASCENDING')), ['Émile', 'bob', undefined, 'Zed'])
  t.same(given(await list(t, app, 'personFields=names&sortOrder=LAST_MODIFIED_DESCENDING')), ['Zed', undefined, 'bob', 'Émile'])
  t.same(given(await list(t, app, 'personFields=names&sortOrder=FIRST_NAME_ASCENDING')), ['bob', 'Émile', 'Zed', undefined], 'case and accents folded; no name last')
  t.same(given(await list(t, app, 'personFields=names&sortOrder=LAST_NAME_ASCENDING')), ['Zed', 'bob', 'Émile', undefined])
  const paged: string[] = []
  let token = ''
  do {
    const page = await list(t, app, `personFields=names&sortOrder=FIRST_NAME_ASCENDING&pageSize=1${token ? `&pageToken=${token}` : ''}`)
    paged.push(...given(page))
    token = page.nextPageToken ?? ''
  } while (token)
  t.same(paged, ['bob', 'Émile', 'Zed', undefined], 'page by page, the same order')
})

t.test('page tokens: stable, and bound to the other parameters', async t => {
  const app = await build(t)
  for (const n of ['A', 'B', 'C']) await createContact(t, app, { names: [{ givenName: n }] })
  const first = await list(t, app, 'personFields=names&pageSize=2')
  const again = await list(t, app, `personFields=names&pageSize=2&pageToken=${first.nextPageToken}`)
  t.same(given(again), ['C'])
  t.same(given(await list(t, app, `personFields=names&pageSize=2&pageToken=${first.nextPageToken}`)), ['C'], 'the same token gives the same page')
  await createContact(t, app, { names: [{ givenName: 'D' }] })
  t.same(given(await list(t, app, `personFields=names&pageSize=2&pageToken=${first.nextPageToken}`)), ['C', 'D'], 'a keyset cursor: a contact added later is not skipped')
  const message = 'Page token is invalid or was issued for a request with different parameters.'
  for (const other of ['personFields=names,emailAddresses&pageSize=2', 'personFields=names&pageSize=3', 'personFields=names&pageSize=2&sortOrder=LAST_NAME_ASCENDING']) {
    t.same(await error(app, `${other}&pageToken=${first.nextPageToken}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', message), other)
  }
  t.same(await error(app, 'personFields=names&pageToken=bogus'), apiError(400, 'INVALID_ARGUMENT', 'badRequest', message))
})

t.test('a sync loop: full sync, then only changes, deletions as tombstones', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const bob = await createContact(t, app, { names: [{ givenName: 'Bob' }] })
  const cy = await createContact(t, app, { names: [{ givenName: 'Cy' }] })
  const full1 = await list(t, app, 'personFields=names&requestSyncToken=true&pageSize=2')
  t.notOk(full1.nextSyncToken, 'the sync token comes with the last page only')
  const full2 = await list(t, app, `personFields=names&requestSyncToken=true&pageSize=2&pageToken=${full1.nextPageToken}`)
  t.ok(full2.nextSyncToken)
  const token = full2.nextSyncToken

  const nothing = await list(t, app, `personFields=names&syncToken=${token}`)
  t.same(Object.keys(nothing), ['nextSyncToken'], 'no change, nothing listed')

  await update(app, bob.resourceName, { etag: bob.etag, names: [{ givenName: 'Robert' }] }, 'updatePersonFields=names')
  await app.inject({ method: 'DELETE', url: `/v1/${cy.resourceName}:deleteContact`, headers: bearer() })
  const dan = await createContact(t, app, { names: [{ givenName: 'Dan' }] })
  const changes = await list(t, app, `personFields=names&syncToken=${token}`)
  t.same(changes.connections.map((p: any) => p.resourceName), [bob.resourceName, cy.resourceName, dan.resourceName])
  t.equal(changes.connections[0].names[0].givenName, 'Robert')
  t.same(changes.connections[1], { resourceName: cy.resourceName, metadata: { sources: [{ type: 'CONTACT', id: cy.metadata.sources[0].id }], deleted: true } })
  t.equal(changes.totalItems, 3)
  t.notOk(changes.connections.find((p: any) => p.resourceName === ada.resourceName), 'an unchanged contact is not listed')

  const next = await list(t, app, `personFields=names&syncToken=${changes.nextSyncToken}`)
  t.notOk(next.connections, 'the next token starts after those changes')

  const paged = await list(t, app, `personFields=names&syncToken=${token}&pageSize=2`)
  t.equal(paged.connections.length, 2)
  t.notOk(paged.nextSyncToken)
  const rest = await list(t, app, `personFields=names&syncToken=${token}&pageSize=2&pageToken=${paged.nextPageToken}`)
  t.same(rest.connections.map((p: any) => p.resourceName), [dan.resourceName])
  t.ok(rest.nextSyncToken)
})

t.test('a sync token must be used with the parameters of the request that asked for it', async t => {
  const app = await build(t)
  const token = (await list(t, app, 'personFields=names&requestSyncToken=true')).nextSyncToken
  const message = 'Sync token was issued for a request with different parameters: personFields, sortOrder and sources must match the request that asked for it.'
  t.same(await error(app, `personFields=names,emailAddresses&syncToken=${token}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', message))
  t.same(await error(app, `personFields=names&sortOrder=LAST_NAME_ASCENDING&syncToken=${token}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', message))
  t.same(await error(app, 'personFields=names&syncToken=bogus'), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Sync token is invalid.'))
  const groupsToken = body(await app.inject({ url: '/v1/contactGroups', headers: bearer() })).nextSyncToken
  t.same(await error(app, `personFields=names&syncToken=${groupsToken}`), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Sync token is invalid.'), 'a contact-group token is not a connections token')
})

t.test('a sync token expires after 7 days of emulator time, with EXPIRED_SYNC_TOKEN', async t => {
  const clock = manualClock()
  const app = await build(t, {}, { clock })
  await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const token = (await list(t, app, 'personFields=names&requestSyncToken=true')).nextSyncToken
  clock.advanceMs(7 * 24 * 3600 * 1000 - 1)
  await list(t, app, `personFields=names&syncToken=${token}`)
  clock.advanceMs(1000)
  const expired = await app.inject({ url: `${BASE}?personFields=names&syncToken=${token}`, headers: bearer() })
  t.equal(expired.statusCode, 400)
  const message = 'Sync token is expired. Clear local cache and retry call without the sync token.'
  t.same(body(expired), {
    error: {
      code: 400,
      message,
      errors: [{ message, domain: 'global', reason: 'failedPrecondition' }],
      status: 'FAILED_PRECONDITION',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'EXPIRED_SYNC_TOKEN', domain: 'people.googleapis.com' }]
    }
  })
})

t.test('accounts never see each other\'s connections or changes', async t => {
  const app = await build(t)
  await createContact(t, app, { names: [{ givenName: 'Mine' }] })
  const otherToken = (await list(t, app, 'personFields=names&requestSyncToken=true', 'other')).nextSyncToken
  await createContact(t, app, { names: [{ givenName: 'Still mine' }] })
  t.same(await list(t, app, 'personFields=names', 'other'), {})
  t.same(Object.keys(await list(t, app, `personFields=names&syncToken=${otherToken}`, 'other')), ['nextSyncToken'])
})

t.test('a sync token from before the account was reset is expired', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'alice', tokens: [{ token: 'alice' }] }] } })
  const token = (await list(t, app, 'personFields=names&requestSyncToken=true', 'alice')).nextSyncToken
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'alice', tokens: [{ token: 'alice' }] }] } })
  const res = await app.inject({ url: `${BASE}?personFields=names&syncToken=${token}`, headers: bearer('alice') })
  t.equal(res.statusCode, 400)
  t.equal(body(res).error.details[0].reason, 'EXPIRED_SYNC_TOKEN', 'the client is told to sync in full again')
})
