/** Etag races over a real port: exactly one winner, no lost update, ever. */
import t from 'tap'
import { Agent, request } from 'undici'
import { build } from '../helpers/app.js'

interface Res { status: number, body: any }

async function listen (t: any): Promise<{ app: any, call: (method: string, path: string, payload?: unknown, token?: string) => Promise<Res> }> {
  const app = await build(t)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const agent = new Agent({ connections: 64 })
  t.teardown(() => agent.close())
  const call = async (method: string, path: string, payload?: unknown, token = 'racer'): Promise<Res> => {
    const res = await request(address + path, {
      method: method as 'GET',
      dispatcher: agent,
      headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      body: payload === undefined ? undefined : JSON.stringify(payload)
    })
    return { status: res.statusCode, body: await res.body.json() }
  }
  return { app, call }
}

t.test('50 concurrent updates of one contact with one etag: exactly one 200, 49 FAILED_PRECONDITION', async t => {
  const { call } = await listen(t)
  const ada = (await call('POST', '/v1/people:createContact', { names: [{ givenName: 'Ada' }] })).body
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    call('PATCH', `/v1/${ada.resourceName}:updateContact?updatePersonFields=nicknames`, { etag: ada.etag, nicknames: [{ value: `n${i}` }] })))
  t.equal(results.filter(r => r.status === 200).length, 1)
  const losers = results.filter(r => r.status !== 200)
  t.equal(losers.length, 49)
  t.ok(losers.every(r => r.status === 400 && r.body.error.status === 'FAILED_PRECONDITION'))
  const winner = results.find(r => r.status === 200)!.body.nicknames[0].value
  const now = (await call('GET', `/v1/${ada.resourceName}?personFields=nicknames`)).body
  t.equal(now.nicknames[0].value, winner, 'the stored value is the winner\'s')
})

t.test('50 concurrent renames of one group with one etag: exactly one 200', async t => {
  const { call } = await listen(t)
  const group = (await call('POST', '/v1/contactGroups', { contactGroup: { name: 'Club' } })).body
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    call('PUT', `/v1/${group.resourceName}`, { contactGroup: { etag: group.etag, name: `Club ${i}` } })))
  t.equal(results.filter(r => r.status === 200).length, 1)
  t.ok(results.filter(r => r.status !== 200).every(r => r.status === 400 && r.body.error.status === 'FAILED_PRECONDITION'))
})

t.test('read-modify-write clients that retry on a stale etag never lose an increment', async t => {
  const { call } = await listen(t)
  const counter = (await call('POST', '/v1/people:createContact', { userDefined: [{ key: 'count', value: '0' }] })).body
  const clients = 6
  const increments = 8
  let retries = 0
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = 0; i < increments; i++) {
      for (;;) {
        const current = (await call('GET', `/v1/${counter.resourceName}?personFields=userDefined`)).body
        const value = Number(current.userDefined[0].value)
        const res = await call('PATCH', `/v1/${counter.resourceName}:updateContact?updatePersonFields=userDefined`, { etag: current.etag, userDefined: [{ key: 'count', value: String(value + 1) }] })
        if (res.status === 200) break
        t.equal(res.body.error.status, 'FAILED_PRECONDITION')
        retries++
      }
    }
  }))
  const final = (await call('GET', `/v1/${counter.resourceName}?personFields=userDefined`)).body
  t.equal(final.userDefined[0].value, String(clients * increments), `every increment counted (${retries} retries)`)
})

t.test('concurrent membership changes keep counts and memberships in agreement', async t => {
  const { call } = await listen(t)
  const group = (await call('POST', '/v1/contactGroups', { contactGroup: { name: 'Club' } })).body
  const people = await Promise.all(Array.from({ length: 30 }, (_, i) => call('POST', '/v1/people:createContact', { names: [{ givenName: `P${i}` }] })))
  const names = people.map(p => p.body.resourceName)
  await Promise.all([
    ...names.map(n => call('POST', `/v1/${group.resourceName}/members:modify`, { resourceNamesToAdd: [n] })),
    ...names.slice(0, 10).map(n => call('POST', `/v1/${group.resourceName}/members:modify`, { resourceNamesToRemove: [n] }))
  ])
  const read = (await call('GET', `/v1/${group.resourceName}?maxMembers=100`)).body
  const members = new Set<string>(read.memberResourceNames ?? [])
  t.equal(read.memberCount ?? 0, members.size)
  for (const n of names) {
    const p = (await call('GET', `/v1/${n}?personFields=memberships`)).body
    const inGroup = p.memberships.some((m: any) => m.contactGroupMembership.contactGroupResourceName === group.resourceName)
    t.equal(inGroup, members.has(n), `${n}: the contact and the group agree`)
  }
})

t.test('answers leave together at the end of a turn of the event loop, and a lone request is not held back', async t => {
  const { call } = await listen(t)
  const lone = await call('POST', '/v1/people:createContact', { names: [{ givenName: 'Ada' }] })
  t.equal(lone.status, 200)
  const results = await Promise.all(Array.from({ length: 64 }, () => call('GET', `/v1/${lone.body.resourceName}?personFields=names`)))
  t.ok(results.every(r => r.status === 200 && r.body.names[0].givenName === 'Ada'), 'every answer, each whole')
  const errors = await Promise.all(Array.from({ length: 8 }, () => call('GET', '/v1/people/c1?personFields=names')))
  t.ok(errors.every(r => r.status === 404 && r.body.error.status === 'NOT_FOUND'), 'errors too')
  const afterIdle = await call('GET', `/v1/${lone.body.resourceName}?personFields=names`)
  t.equal(afterIdle.status, 200)
})
