// node:test with the emulator in the test's own process: node --test rename.node.test.mjs
// (npm install --save-dev /path/to/people-api-emulator @googleapis/people)
import { after, before, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import { auth, people } from '@googleapis/people'
import { startEmulator } from 'people-api-emulator'

// The code under test: renames a contact with one update.
async function rename (api, person, givenName, familyName) {
  const { data } = await api.people.updateContact({
    resourceName: person.resourceName,
    updatePersonFields: 'names',
    requestBody: { etag: person.etag, names: [{ givenName, familyName }] }
  })
  return data
}

let emulator, api, ada
before(async () => {
  emulator = await startEmulator({ clock: 'fixed:2026-01-01T00:00:00Z', seed: 'suite' })
  const oauth2 = new auth.OAuth2()
  oauth2.setCredentials({ access_token: 'alice-token' })
  api = people({ version: 'v1', rootUrl: emulator.rootUrl, auth: oauth2 })
  ada = (await api.people.createContact({ requestBody: { names: [{ givenName: 'Ada' }] } })).data
  await emulator.snapshot('seeded') // the state every test starts from
})
beforeEach(async () => {
  await emulator.restore('seeded')
  emulator.clearRequests()
})
after(() => emulator.close())

test('a rename is one update', async () => {
  const renamed = await rename(api, ada, 'Ada', 'Lovelace')
  assert.equal(renamed.names[0].displayName, 'Ada Lovelace')
  const updates = emulator.requests({ method: 'people.people.updateContact' })
  assert.equal(updates.length, 1)
  assert.deepEqual(updates[0].requestBody.names, [{ givenName: 'Ada', familyName: 'Lovelace' }])
  console.log(`renamed ${ada.resourceName} at ${emulator.url}`)
})

test('each test starts from the snapshot: the etag read before it works again', async () => {
  const renamed = await rename(api, ada, 'Augusta Ada', 'King')
  assert.equal(renamed.names[0].displayName, 'Augusta Ada King')
})
