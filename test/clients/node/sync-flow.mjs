// A contact-sync flow through Google's Node clients, run three times: `googleapis` and
// `@googleapis/people` pointed at the emulator with `rootUrl`, and `googleapis` built at run
// time from the discovery document the emulator serves (`discoverAPI`).
// Usage: node sync-flow.mjs ROOT_URL TOKEN_PREFIX. It prints a JSON report of what the clients
// surfaced, one entry per client; test/clients.process.test.ts checks it.
import { google } from 'googleapis'
import { auth as peopleAuth, people } from '@googleapis/people'

const [rootUrl, prefix] = process.argv.slice(2)

function credentials (OAuth2, token) {
  const oauth2 = new OAuth2()
  oauth2.setCredentials({ access_token: token })
  return oauth2
}

/** What the client's error (a GaxiosError, with Google's envelope as its response data) tells of a call that fails. */
async function failure (call) {
  try {
    await call
  } catch (err) {
    return { type: err.constructor.name, status: err.status, message: err.message, reason: err.response.data.error.errors[0].reason }
  }
  throw new Error('the call succeeded')
}

async function syncFlow (api) {
  const report = {}

  // Create a contact, then take a full sync of the connections.
  const { data: ada } = await api.people.createContact({
    personFields: 'names,emailAddresses',
    requestBody: { names: [{ givenName: 'Ada', familyName: 'Lovelace' }], emailAddresses: [{ value: 'ada@example.com' }] }
  })
  report.created = ada.resourceName
  const { data: bob } = await api.people.createContact({ requestBody: { names: [{ givenName: 'Bob' }] } })
  const { data: full } = await api.people.connections.list({ resourceName: 'people/me', personFields: 'names', requestSyncToken: true })
  report.listed = full.connections.length
  report.gotSyncToken = full.nextSyncToken !== undefined

  // Read, then update with the etag just read.
  const { data: got } = await api.people.get({ resourceName: ada.resourceName, personFields: 'names,emailAddresses' })
  got.names[0].givenName = 'Augusta Ada'
  const { data: updated } = await api.people.updateContact({ resourceName: ada.resourceName, updatePersonFields: 'names', requestBody: got })
  report.updatedName = updated.names[0].displayName
  report.etagChanged = updated.etag !== got.etag

  // The etag of the first read is stale now.
  report.staleEtag = await failure(api.people.updateContact({ resourceName: ada.resourceName, updatePersonFields: 'names', requestBody: got }))

  // Contact groups: create, rename, a duplicate name, members.
  const { data: club } = await api.contactGroups.create({ requestBody: { contactGroup: { name: 'Book club' } } })
  const { data: renamed } = await api.contactGroups.update({
    resourceName: club.resourceName, requestBody: { contactGroup: { name: 'Readers', etag: club.etag } }
  })
  report.renamed = renamed.name
  const { data: chess } = await api.contactGroups.create({ requestBody: { contactGroup: { name: 'Chess' } } })
  report.duplicateName = await failure(api.contactGroups.update({
    resourceName: chess.resourceName, requestBody: { contactGroup: { name: 'Readers' } }
  }))
  await api.contactGroups.members.modify({ resourceName: renamed.resourceName, requestBody: { resourceNamesToAdd: [ada.resourceName] } })
  const { data: group } = await api.contactGroups.get({ resourceName: renamed.resourceName, maxMembers: 10 })
  report.memberCount = group.memberCount
  report.members = group.memberResourceNames

  // Delete one contact; the incremental sync shows the update and the tombstone.
  await api.people.deleteContact({ resourceName: bob.resourceName })
  const { data: changes } = await api.people.connections.list({
    resourceName: 'people/me', personFields: 'names', syncToken: full.nextSyncToken, requestSyncToken: true
  })
  report.syncChanged = changes.connections.filter(p => !p.metadata?.deleted).map(p => p.resourceName)
  report.syncDeleted = changes.connections.filter(p => p.metadata?.deleted).map(p => p.resourceName)

  // Search: an empty query first, as Google asks, to warm the cache.
  await api.people.searchContacts({ query: '', readMask: 'names' })
  const { data: found } = await api.people.searchContacts({ query: 'augu', readMask: 'names' })
  report.searchFound = (found.results ?? []).map(r => r.person.resourceName)

  // Delete: the contact is gone.
  await api.people.deleteContact({ resourceName: ada.resourceName })
  report.afterDelete = await failure(api.people.get({ resourceName: ada.resourceName, personFields: 'names' }))
  return report
}

// snippet: begin node-clients
const clients = {
  googleapis: google.people({ version: 'v1', rootUrl, auth: credentials(google.auth.OAuth2, `${prefix}-googleapis`) }),
  '@googleapis/people': people({ version: 'v1', rootUrl, auth: credentials(peopleAuth.OAuth2, `${prefix}-people`) }),
  discoverAPI: await google.discoverAPI(`${rootUrl}$discovery/rest?version=v1`, { auth: credentials(google.auth.OAuth2, `${prefix}-discovered`) })
}
// snippet: end node-clients
const report = {}
for (const [name, api] of Object.entries(clients)) report[name] = await syncFlow(api)
console.log(JSON.stringify(report))
