// Production's failures on demand, with Google's own Node client: fault rules and quotas
// (docs/faults-and-quotas.md). node --test faults.node.test.mjs
import { after, before, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import { auth, people } from '@googleapis/people'
import { startEmulator } from 'people-api-emulator'

let emulator, api
before(async () => {
  // snippet: begin quotas-start
  emulator = await startEmulator({ clock: 'fixed:2026-01-01T00:00:00Z', quotas: 'on', quotaLimits: { critical_write: 5 } })
  // snippet: end quotas-start
  const oauth2 = new auth.OAuth2()
  oauth2.setCredentials({ access_token: 'alice-token' })
  api = people({ version: 'v1', rootUrl: emulator.rootUrl, auth: oauth2 })
})
beforeEach(async () => {
  await emulator.reset() // the state, and what the quotas have spent
  await emulator.faults.clear() // rules outlive resets: they are the test's set-up
})
after(() => emulator.close())

// snippet: begin faults
test('a 429 on updateContact reaches the code: the client does not retry a PATCH', async () => {
  const { data: ada } = await api.people.createContact({ requestBody: { names: [{ givenName: 'Ada' }] } })
  await emulator.faults.add({ method: 'people.people.updateContact', error: 'RATE_LIMIT_EXCEEDED' })
  const update = { etag: ada.etag, names: [{ givenName: 'Ada', familyName: 'Lovelace' }] }
  await assert.rejects(api.people.updateContact({ resourceName: ada.resourceName, updatePersonFields: 'names', requestBody: update }),
    err => err.status === 429 && err.response.data.error.status === 'RESOURCE_EXHAUSTED')
})

test('a 429 on contactGroups.update is retried by the client (a PUT), which then succeeds', async () => {
  const { data: club } = await api.contactGroups.create({ requestBody: { contactGroup: { name: 'Book club' } } })
  const rule = await emulator.faults.add({ method: 'people.contactGroups.update', error: 'RATE_LIMIT_EXCEEDED' })
  const { data: renamed } = await api.contactGroups.update({ resourceName: club.resourceName, requestBody: { contactGroup: { name: 'Readers', etag: club.etag } } })
  assert.equal(renamed.name, 'Readers')
  assert.equal((await emulator.faults.list()).find(r => r.id === rule.id).hits, 1)
})

test('a write stored although the client saw a 500: the next read has the new etag', async () => {
  const { data: ada } = await api.people.createContact({ requestBody: { names: [{ givenName: 'Ada' }] } })
  await emulator.faults.add({ method: 'people.people.updateContact', when: 'after', error: 'INTERNAL' })
  const update = { etag: ada.etag, names: [{ givenName: 'Ada', familyName: 'Lovelace' }] }
  await assert.rejects(api.people.updateContact({ resourceName: ada.resourceName, updatePersonFields: 'names', requestBody: update }), err => err.status === 500)
  const { data: now } = await api.people.get({ resourceName: ada.resourceName, personFields: 'names' })
  assert.equal(now.names[0].displayName, 'Ada Lovelace')
  assert.notEqual(now.etag, ada.etag)
})
// snippet: end faults

// snippet: begin quotas
test('five contact writes a minute, then Google\'s 429 until the emulator clock moves on', async () => {
  for (let i = 0; i < 5; i++) await api.people.createContact({ requestBody: {} })
  await assert.rejects(api.people.createContact({ requestBody: {} }), err => err.status === 429)
  await emulator.clock.advance('1m')
  await api.people.createContact({ requestBody: {} }) // served again
})
// snippet: end quotas
