/** Many accounts writing at once never see each other's data. */
import t from 'tap'
import { Agent, request } from 'undici'
import { build } from '../helpers/app.js'

t.test('20 accounts writing concurrently: each sees exactly its own contacts and groups', async t => {
  const app = await build(t)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const agent = new Agent({ connections: 32 })
  t.teardown(() => agent.close())
  const call = async (token: string, method: string, path: string, payload?: unknown): Promise<any> => {
    const res = await request(address + path, {
      method: method as 'GET',
      dispatcher: agent,
      headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      body: payload === undefined ? undefined : JSON.stringify(payload)
    })
    const body = await res.body.json() as any
    if (res.statusCode !== 200) throw new Error(`${method} ${path}: ${res.statusCode} ${JSON.stringify(body)}`)
    return body
  }
  const accounts = Array.from({ length: 20 }, (_, i) => `acct-${i}`)
  // Interleave everyone's writes: contacts with the same names in every account, and a
  // group of the same name (names are unique per account, not across accounts).
  await Promise.all(accounts.flatMap(a => [
    call(a, 'POST', '/v1/contactGroups', { contactGroup: { name: 'Team' } }),
    ...Array.from({ length: 10 }, (_, i) => call(a, 'POST', '/v1/people:createContact', { names: [{ givenName: `Shared${i}`, familyName: a }] }))
  ]))
  for (const a of accounts) {
    const list = await call(a, 'GET', '/v1/people/me/connections?personFields=names&pageSize=1000')
    t.equal(list.totalItems, 10, `${a} has 10 contacts`)
    t.ok(list.connections.every((p: any) => p.names[0].familyName === a), `${a} sees only its own`)
    const found = await call(a, 'GET', '/v1/people:searchContacts?readMask=names&pageSize=30&query=shared')
    t.ok(found.results.every((r: any) => r.person.names[0].familyName === a), `${a}'s search finds only its own`)
    const groups = await call(a, 'GET', '/v1/contactGroups?groupFields=name')
    t.equal(groups.contactGroups.filter((g: any) => g.name === 'Team').length, 1)
  }
  // Another account's resource is simply not found.
  const mine = (await call('acct-0', 'GET', '/v1/people/me/connections?personFields=names')).connections[0]
  const res = await request(`${address}/v1/${mine.resourceName}?personFields=names`, { dispatcher: agent, headers: { authorization: 'Bearer acct-1' } })
  t.equal(res.statusCode, 404)
  await res.body.dump()
})
