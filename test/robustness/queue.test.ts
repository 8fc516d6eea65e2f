/** The per-account mutation queue: order, independence, bounds (issue "concurrency"). */
import t from 'tap'
import type { RouteHandlerMethod } from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import { MutationQueue } from '../../src/plugins/mutation-queue.js'
import { bearer, body, build, rateLimitBody } from '../helpers/app.js'

t.test('one account: completion order is arrival order, even when tasks await', async t => {
  const queue = new MutationQueue(1000)
  const started: number[] = []
  const finished: number[] = []
  const delays = [30, 1, 20, 0, 10, 5, 25, 2, 15, 0]
  await Promise.all(delays.map((delay, i) => queue.run('a', async () => {
    started.push(i)
    t.equal(started.length - finished.length, 1, 'one task at a time')
    await sleep(delay)
    finished.push(i)
  })))
  t.same(started, delays.map((_, i) => i))
  t.same(finished, delays.map((_, i) => i))
  t.equal(queue.size, 0, 'an idle account is forgotten')
})

t.test('a failing task does not stop the ones behind it', async t => {
  const queue = new MutationQueue(10)
  const out: string[] = []
  const results = await Promise.allSettled([
    queue.run('a', async () => { out.push('1'); throw new Error('boom') }),
    queue.run('a', () => { out.push('2'); return 2 })
  ])
  t.equal(results[0].status, 'rejected')
  t.same(results[1], { status: 'fulfilled', value: 2 })
  t.same(out, ['1', '2'])
})

t.test('different accounts proceed independently', async t => {
  const queue = new MutationQueue(10)
  const order: string[] = []
  let releaseSlow!: () => void
  const slow = queue.run('slow', async () => { await new Promise<void>(resolve => { releaseSlow = resolve }); order.push('slow') })
  await queue.run('fast', () => { order.push('fast') })
  t.same(order, ['fast'], 'another account was not held up')
  t.equal(queue.depth('slow'), 1)
  releaseSlow()
  await slow
  t.same(order, ['fast', 'slow'])
})

t.test('a full queue refuses with the write-quota 429 and forgets nothing it accepted', async t => {
  const queue = new MutationQueue(3)
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  const accepted = [1, 2, 3].map(i => queue.run('a', async () => { await gate; return i }))
  const refused = await queue.run('a', () => 4).then(() => undefined, (err: unknown) => err)
  t.match(refused, { status: 'RESOURCE_EXHAUSTED', httpStatus: 429 })
  t.equal(queue.depth('a'), 3)
  release()
  t.same(await Promise.all(accepted), [1, 2, 3])
  t.equal(await queue.run('a', () => 5), 5, 'room again once the queue drained')
  t.equal(queue.size, 0)
})

t.test('runSync: at once, without a promise, when the account is idle; behind the queue otherwise', async t => {
  const queue = new MutationQueue(2)
  t.equal(queue.runSync('a', () => 1), 1, 'the value itself')
  t.throws(() => queue.runSync('a', () => { throw new Error('boom') }), /boom/, 'its error thrown here')
  t.equal(queue.size, 0)
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  const order: string[] = []
  const slow = queue.run('a', async () => { await gate; order.push('slow') })
  const queued = queue.runSync('a', () => { order.push('sync'); return 2 })
  t.ok(queued instanceof Promise, 'queued: a promise')
  t.equal(queue.runSync('b', () => 3), 3, 'another account is not held up')
  const refused = await Promise.resolve().then(() => queue.runSync('a', () => 4)).then(() => undefined, (err: unknown) => err)
  t.match(refused, { status: 'RESOURCE_EXHAUSTED', httpStatus: 429 }, 'a full queue refuses')
  release()
  await slow
  t.equal(await queued, 2)
  t.same(order, ['slow', 'sync'], 'in arrival order')
})

t.test('through HTTP: Google\'s critical-write 429 envelope, other accounts unaffected', async t => {
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  const slowCreate: RouteHandlerMethod = async (request) => await request.server.mutations.run(request.account!.id, async () => { await gate; return {} })
  const app = await build(t, { maxQueuedMutations: 2 }, { implementations: { 'people.people.createContact': slowCreate } })
  const send = (token: string): Promise<any> => app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(token), payload: {} })
  const first = [send('a'), send('a')]
  await sleep(20)
  const refused = await send('a')
  t.equal(refused.statusCode, 429)
  t.same(body(refused), rateLimitBody('Critical write requests (Contact Creates and Updates)', 'CriticalWritesPerMinutePerProjectPerUser', 'people.googleapis.com/critical_write_requests'))
  const other = send('b')
  release()
  t.same((await Promise.all([...first, other])).map(r => r.statusCode), [200, 200, 200])
})

t.test('through HTTP: an account\'s mutations complete in the order they arrived', async t => {
  const done: number[] = []
  const probe: RouteHandlerMethod = async (request) => {
    const n = (request.body as { n: number }).n
    return await request.server.mutations.run(request.account!.id, async () => {
      await sleep((n * 7) % 11)
      done.push(n)
      return { n }
    })
  }
  const app = await build(t, {}, { implementations: { 'people.people.createContact': probe } })
  const sent = Array.from({ length: 20 }, (_, n) => app.inject({ method: 'POST', url: '/v1/people:createContact', headers: bearer(), payload: { n } }))
  await Promise.all(sent)
  t.same(done, Array.from({ length: 20 }, (_, n) => n))
})

t.test('through HTTP: updateContact and contactGroups.update wait behind a mutation still running, then answer as usual', async t => {
  let release!: () => void
  let gate = Promise.resolve()
  const slowDelete: RouteHandlerMethod = async (request) => await request.server.mutations.run(request.account!.id, async () => { await gate; return {} })
  const app = await build(t, {}, { implementations: { 'people.people.deleteContact': slowDelete } })
  const created = body(await app.inject({ method: 'POST', url: '/v1/people:createContact?personFields=names', headers: bearer(), payload: { names: [{ givenName: 'Ada' }] } }))
  const group = body(await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(), payload: { contactGroup: { name: 'Club' } } }))
  gate = new Promise<void>(resolve => { release = resolve })
  const slow = app.inject({ method: 'DELETE', url: '/v1/people/c1:deleteContact', headers: bearer() })
  await sleep(20)
  const update = app.inject({ method: 'PATCH', url: `/v1/${created.resourceName}:updateContact?updatePersonFields=names&personFields=names`, headers: bearer(), payload: { etag: created.etag, names: [{ givenName: 'Augusta' }] } })
  const rename = app.inject({ method: 'PUT', url: `/v1/${group.resourceName}`, headers: bearer(), payload: { contactGroup: { etag: group.etag, name: 'Society' } } })
  await sleep(20)
  t.equal(app.mutations.depth('test-token'), 3, 'both queued behind the running one')
  release()
  const [, updated, renamed] = await Promise.all([slow, update, rename])
  t.equal(updated.statusCode, 200)
  t.equal(body(updated).names[0].givenName, 'Augusta')
  t.equal(renamed.statusCode, 200)
  t.equal(body(renamed).name, 'Society')
  const stale = await app.inject({ method: 'PATCH', url: `/v1/${created.resourceName}:updateContact?updatePersonFields=names`, headers: bearer(), payload: { etag: created.etag, names: [{ givenName: 'Again' }] } })
  t.equal(stale.statusCode, 400, 'the queued update was stored: the old etag is stale')
})
