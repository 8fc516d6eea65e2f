// Vitest with the emulator in the test's own process: npx vitest run rename.vitest.test.mjs
// (npm install --save-dev /path/to/people-api-emulator @googleapis/people vitest)
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
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
beforeAll(async () => {
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
afterAll(() => emulator.close())

test('a rename is one update', async () => {
  const renamed = await rename(api, ada, 'Ada', 'Lovelace')
  expect(renamed.names[0].displayName).toBe('Ada Lovelace')
  const updates = emulator.requests({ method: 'people.people.updateContact' })
  expect(updates).toHaveLength(1)
  expect(updates[0].requestBody.names).toEqual([{ givenName: 'Ada', familyName: 'Lovelace' }])
  console.log(`renamed ${ada.resourceName} at ${emulator.url}`)
})

test('each test starts from the snapshot: the etag read before it works again', async () => {
  const renamed = await rename(api, ada, 'Augusta Ada', 'King')
  expect(renamed.names[0].displayName).toBe('Augusta Ada King')
})
