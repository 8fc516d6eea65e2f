// The scenario every test runner below plays against the installed package: the official
// client against emulator.rootUrl, assertions on emulator.requests(), a snapshot restored
// before each test, and a close at the end. `lib` is the package as the runner loaded it.
const assert = require('node:assert/strict')

module.exports = function scenario ({ startEmulator, people, auth }) {
  let emulator
  let api
  let seeded
  return {
    async setUp () {
      emulator = await startEmulator({
        port: 0,
        fixtures: { accounts: [{ id: 'alice', tokens: [{ token: 'alice-token' }] }] },
        clock: 'fixed:2026-01-01T00:00:00Z',
        seed: 'suite'
      })
      assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.equal(emulator.rootUrl, emulator.url + '/')
      const oauth2 = new auth.OAuth2()
      oauth2.setCredentials({ access_token: 'alice-token' })
      api = people({ version: 'v1', rootUrl: emulator.rootUrl, auth: oauth2, retry: false })
      seeded = (await api.people.createContact({ personFields: 'names', requestBody: { names: [{ givenName: 'Seeded' }] } })).data
      await emulator.snapshot('seeded')
    },
    async beforeEach () {
      await emulator.restore('seeded')
      emulator.clearRequests()
    },
    tests: {
      async 'updateContact through the official client is in the journal' () {
        const updated = await api.people.updateContact({
          resourceName: seeded.resourceName,
          updatePersonFields: 'names',
          personFields: 'names',
          requestBody: { etag: seeded.etag, names: [{ givenName: 'Renamed' }] }
        })
        assert.equal(updated.data.names[0].givenName, 'Renamed')
        const [entry, ...rest] = emulator.requests({ method: 'people.people.updateContact' })
        assert.equal(rest.length, 0)
        assert.equal(entry.account, 'alice')
        assert.equal(entry.status, 200)
        assert.equal(entry.httpMethod, 'PATCH')
        assert.equal(entry.path, `/v1/${seeded.resourceName}:updateContact`)
        assert.deepEqual(entry.requestBody, { etag: seeded.etag, names: [{ givenName: 'Renamed' }] })
        assert.deepEqual(entry.responseBody, updated.data)
        assert.equal(JSON.stringify(emulator.requests()).includes('alice-token'), false, 'no token in the journal')
      },
      async 'each test starts from the snapshot: the old etag works again, the clock is back' () {
        const again = await api.people.updateContact({
          resourceName: seeded.resourceName,
          updatePersonFields: 'names',
          requestBody: { etag: seeded.etag, names: [{ givenName: 'Renamed again' }] }
        })
        assert.equal(again.status, 200)
        assert.equal(emulator.requests().length, 1, 'the journal was cleared before the test')
        const time = emulator.clock.now()
        await emulator.clock.advance('8d')
        assert.equal(emulator.clock.now() > time, true)
      },
      async 'a stale etag is Google\'s 400, and the journal says so' () {
        await api.people.updateContact({ resourceName: seeded.resourceName, updatePersonFields: 'names', requestBody: { etag: seeded.etag, names: [{ givenName: 'First' }] } })
        await assert.rejects(api.people.updateContact({
          resourceName: seeded.resourceName,
          updatePersonFields: 'names',
          requestBody: { etag: seeded.etag, names: [{ givenName: 'Late' }] }
        }), (err) => err.status === 400)
        const [entry, ...rest] = emulator.requests({ status: 400 })
        assert.equal(rest.length, 0)
        assert.equal(entry.error.status, 'FAILED_PRECONDITION')
        assert.equal(entry.method, 'people.people.updateContact')
      },
      async 'a token minted by emulator.oauth: the account\'s, listed as a grant, refused once revoked' () {
        const tokens = await emulator.oauth.mintTokens({ account: 'alice', scopes: ['openid', 'email', 'https://www.googleapis.com/auth/contacts'] })
        assert.match(tokens.access_token, /^ya29\./)
        assert.match(tokens.refresh_token, /^1\/\/0/)
        const signedIn = new auth.OAuth2()
        signedIn.setCredentials({ access_token: tokens.access_token })
        const asAlice = people({ version: 'v1', rootUrl: emulator.rootUrl, auth: signedIn, retry: false })
        const me = await asAlice.people.get({ resourceName: 'people/me', personFields: 'emailAddresses' })
        assert.equal(me.data.emailAddresses[0].value, 'alice@example.com')
        const listed = await asAlice.people.connections.list({ resourceName: 'people/me', personFields: 'names' })
        assert.equal(listed.data.connections[0].resourceName, seeded.resourceName, 'alice\'s contacts')
        const { grants } = await emulator.oauth.grants('alice')
        assert.deepEqual(grants.map(g => [g.clientId, g.refreshTokens]), [['people-api-emulator', 1]])
        await emulator.oauth.revoke('alice', 'people-api-emulator')
        await assert.rejects(asAlice.people.get({ resourceName: 'people/me', personFields: 'names' }), (err) => err.status === 401)
      },
      async 'export, reset and import' () {
        const doc = await emulator.export()
        await emulator.reset()
        const listed = await api.people.connections.list({ resourceName: 'people/me', personFields: 'names' })
        assert.equal(listed.data.connections, undefined, 'the start fixtures hold no contacts')
        await emulator.import(doc)
        const back = await api.people.connections.list({ resourceName: 'people/me', personFields: 'names' })
        assert.equal(back.data.connections.length, 1)
      }
    },
    async tearDown () {
      await emulator.close()
    }
  }
}
