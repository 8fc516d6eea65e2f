// Google's Node client against the emulator: npm install @googleapis/people, then
// node quickstart.mjs (the emulator at 127.0.0.1:8090, or wherever PEOPLE_EMULATOR_URL says).
// snippet: begin quickstart
import { auth, people } from '@googleapis/people'

const emulator = process.env.PEOPLE_EMULATOR_URL ?? 'http://127.0.0.1:8090'
const oauth2 = new auth.OAuth2()
oauth2.setCredentials({ access_token: 'alice-token' }) // any token: it names its own account
const api = people({ version: 'v1', rootUrl: emulator + '/', auth: oauth2 })

const { data: ada } = await api.people.createContact({ requestBody: { names: [{ givenName: 'Ada' }] } })
console.log('created', ada.resourceName, ada.names[0].displayName)
const update = (etag, familyName) => api.people.updateContact({
  resourceName: ada.resourceName, updatePersonFields: 'names', requestBody: { etag, names: [{ givenName: 'Ada', familyName }] }
})
const { data: renamed } = await update(ada.etag, 'Lovelace')
console.log('renamed to', renamed.names[0].displayName)
try {
  await update(ada.etag, 'King') // the same etag again: it is stale now
} catch (err) {
  console.log('refused:', err.status, err.message)
}
// snippet: end quickstart
