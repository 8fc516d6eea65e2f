/**
 * Tombstones do not grow without bound: those older than a sync token's lifetime go, and so
 * do an account's oldest beyond its bound — a sync token from before those is expired.
 */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { bearer, body, build } from '../helpers/app.js'

const tombstones = (app: FastifyInstance, account?: string): number =>
  (app.db.prepare(`SELECT count(*) AS n FROM changes WHERE deleted = 1${account === undefined ? '' : ' AND account_id = ?'}`).get(...(account === undefined ? [] : [account])) as { n: number }).n

async function churn (app: FastifyInstance, count: number, token = 'test-token'): Promise<void> {
  for (let i = 0; i < count; i++) {
    const created = body(await app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(token), payload: { names: [{ givenName: `C${i}` }] } }))
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/${created.resourceName as string}:deleteContact`, headers: bearer(token) })).statusCode, 200)
  }
}

async function syncToken (app: FastifyInstance, token = 'test-token'): Promise<string> {
  return body(await app.inject({ url: '/v1/people/me/connections?personFields=names&requestSyncToken=true', headers: bearer(token) })).nextSyncToken
}

t.test('tombstones older than a sync token\'s lifetime are pruned', async t => {
  const app = await build(t, { clock: 'fixed:2026-01-01T00:00:00Z' })
  await churn(app, 5)
  await app.inject({ method: 'DELETE', url: '/v1/contactGroups/' + body(await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(), payload: { contactGroup: { name: 'Gone' } } })).resourceName.split('/')[1], headers: bearer() })
  t.equal(tombstones(app), 6, 'five contacts and a group')
  app.pruneTombstones()
  t.equal(tombstones(app), 6, 'young ones stay')
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/clock', headers: { 'content-type': 'application/json' }, payload: { advance: '6d' } })).statusCode, 200)
  t.equal(tombstones(app), 6, '6 days old: a sync token issued before them is still valid')
  await app.inject({ method: 'POST', url: '/_emulator/clock', headers: { 'content-type': 'application/json' }, payload: { advance: '1d' } })
  t.equal(tombstones(app), 1, 'the newest is exactly 7 days old: a sync token issued with it is valid a microsecond more')
  await app.inject({ method: 'POST', url: '/_emulator/clock', headers: { 'content-type': 'application/json' }, payload: { advance: '1s' } })
  t.equal(tombstones(app), 0, 'older than 7 days: gone')
})

t.test('beyond an account\'s bound the oldest tombstones go, and a sync token from before them is expired', async t => {
  const app = await build(t, {}, { tombstonesPerAccount: 10 })
  const before = await syncToken(app)
  await churn(app, 30)
  await churn(app, 3, 'other-token')
  app.pruneTombstones()
  t.equal(tombstones(app, 'test-token'), 10, 'the 10 newest are kept')
  t.equal(tombstones(app, 'other-token'), 3, 'another account keeps its own')
  const expired = await app.inject({ url: `/v1/people/me/connections?personFields=names&syncToken=${before}`, headers: bearer() })
  t.equal(expired.statusCode, 400)
  t.equal(body(expired).error.status, 'FAILED_PRECONDITION')
  t.equal(body(expired).error.details[0].reason, 'EXPIRED_SYNC_TOKEN')
  // A token from after the pruning lists later deletions as before.
  const after = await syncToken(app)
  await churn(app, 2)
  const changes = body(await app.inject({ url: `/v1/people/me/connections?personFields=names&syncToken=${after}`, headers: bearer() }))
  t.equal(changes.connections.filter((p: any) => p.metadata?.deleted === true).length, 2)
  // Under churn the log stays within the bound at each pruning.
  await churn(app, 25)
  app.pruneTombstones()
  t.equal(tombstones(app, 'test-token'), 10)
})

t.test('a position held only by a pruned tombstone is never handed out again, even after a restart', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'positions-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const db = join(dir, 'emulator.db')
  const first = await buildApp({ db, clock: 'fixed:2026-01-01T00:00:00Z' }, { logger: false })
  const created = body(await first.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: { names: [{ givenName: 'Kept' }] } }))
  const gone = body(await first.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: { names: [{ givenName: 'Gone' }] } }))
  t.equal((await first.inject({ method: 'DELETE', url: `/v1/${gone.resourceName as string}:deleteContact`, headers: bearer() })).statusCode, 200)
  // The tombstone holds the highest position; a token is taken at it, then it is pruned while the token is valid.
  await first.inject({ method: 'POST', url: '/_emulator/clock', headers: { 'content-type': 'application/json' }, payload: { advance: '6d' } })
  const token = await syncToken(first)
  await first.inject({ method: 'POST', url: '/_emulator/clock', headers: { 'content-type': 'application/json' }, payload: { advance: '2d' } })
  t.equal(tombstones(first), 0, 'pruned')
  await first.close()
  const second = await buildApp({ db, clock: 'fixed:2026-01-09T00:00:00Z' }, { logger: false })
  t.teardown(() => second.close())
  const changed = await second.inject({ method: 'PATCH', url: `/v1/${created.resourceName as string}:updateContact?updatePersonFields=names`, headers: bearer(), payload: { etag: created.etag, names: [{ givenName: 'Changed' }] } })
  t.equal(changed.statusCode, 200, changed.body)
  const synced = body(await second.inject({ url: `/v1/people/me/connections?personFields=names&syncToken=${token}`, headers: bearer() }))
  t.same(synced.connections?.map((p: any) => p.names[0].givenName), ['Changed'], 'the change after the token is listed')
})
