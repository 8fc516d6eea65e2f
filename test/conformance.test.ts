/**
 * The official client against a real port: what a user's code sees. Later issues add the
 * happy paths of each method here as they replace 501s.
 */
import t from 'tap'
import { auth, people } from '@googleapis/people'
import type { FastifyInstance } from 'fastify'
import { build, credentialsMissingBody } from './helpers/app.js'

async function listen (t: { teardown: (fn: () => unknown) => void }): Promise<{ app: FastifyInstance, rootUrl: string }> {
  const app = await build(t)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, rootUrl: address + '/' }
}

function client (rootUrl: string, token?: string): ReturnType<typeof people> {
  const oauth2 = new auth.OAuth2()
  if (token !== undefined) oauth2.setCredentials({ access_token: token })
  // No retries: the client would retry a 5xx on GET/PUT, which only slows these tests.
  return people({ version: 'v1', rootUrl, retry: false, ...(token !== undefined ? { auth: oauth2 } : {}) })
}

/** The error the client throws, with the HTTP status and parsed body. */
async function failure (promise: Promise<unknown>): Promise<{ status: number, data: any }> {
  try {
    await promise
  } catch (err) {
    const e = err as { status?: number, code?: number, response?: { status: number, data: unknown } }
    return { status: e.response!.status, data: e.response!.data }
  }
  throw new Error('the call succeeded')
}

t.test('a call without credentials gets the 401 of §7', async t => {
  const { rootUrl } = await listen(t)
  const res = await failure(client(rootUrl).people.get({ resourceName: 'people/me', personFields: 'names' }))
  t.equal(res.status, 401)
  t.same(res.data, credentialsMissingBody('google.people.v1.PeopleService.GetPerson'))
})

t.test('unimplemented methods answer 501 UNIMPLEMENTED through the client', async t => {
  const { rootUrl } = await listen(t)
  const api = client(rootUrl, 'conformance-token')
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['people.people.updateContact', () => api.people.updateContact({ resourceName: 'people/c1', updatePersonFields: 'names', requestBody: { etag: '%x', names: [{ givenName: 'Ada' }] } })],
    ['people.contactGroups.update', () => api.contactGroups.update({ resourceName: 'contactGroups/abc', requestBody: { contactGroup: { name: 'x' } } })],
    ['people.people.getBatchGet', () => api.people.getBatchGet({ resourceNames: ['people/c1', 'people/c2'], personFields: 'names' })],
    ['people.contactGroups.members.modify', () => api.contactGroups.members.modify({ resourceName: 'contactGroups/abc', requestBody: { resourceNamesToAdd: ['people/c1'] } })]
  ]
  for (const [id, call] of calls) {
    const res = await failure(call())
    t.equal(res.status, 501, id)
    t.equal(res.data.error.status, 'UNIMPLEMENTED')
    t.equal(res.data.error.message, `Method ${id} is not implemented by this emulator. GET /_emulator/fidelity lists what is emulated.`)
  }
})

t.test('a read-only token gets 403 on a mutation through the client', async t => {
  const { app, rootUrl } = await listen(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', payload: { accounts: [{ id: 'ro', tokens: [{ token: 'ro', scopes: ['https://www.googleapis.com/auth/contacts.readonly'] }] }] } })
  const res = await failure(client(rootUrl, 'ro').people.deleteContact({ resourceName: 'people/c1' }))
  t.equal(res.status, 403)
  t.equal(res.data.error.details[0].metadata.method, 'google.people.v1.PeopleService.DeleteContact')
})
