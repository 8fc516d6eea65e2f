import t from 'tap'
import { runInNewContext } from 'node:vm'
import { collectStartupGarbage, holdYoungGeneration, limitHeapGrowth, STARTUP_GARBAGE_BYTES } from '../src/memory.js'

t.test('a start-up that left much behind gets one full collection; the collector is not left exposed', async t => {
  let garbage: unknown[] | undefined = Array.from({ length: 300000 }, (_, i) => ({ i, text: 'x'.repeat(20) + i }))
  t.ok(garbage.length)
  garbage = undefined
  const before = process.memoryUsage().heapUsed
  t.equal(collectStartupGarbage(0), true)
  t.ok(process.memoryUsage().heapUsed < before, 'the garbage is gone')
  t.equal(runInNewContext('typeof gc'), 'undefined', 'no gc in contexts created afterwards')
})

t.test('a small start-up is left alone', async t => {
  t.equal(collectStartupGarbage(Number.MAX_SAFE_INTEGER), false)
  t.ok(STARTUP_GARBAGE_BYTES >= 16 * 1024 * 1024)
})

t.test('with the young generation held and the growth of the heap limited, a busy heap keeps working', async t => {
  holdYoungGeneration()
  limitHeapGrowth()
  let kept = 0
  for (let i = 0; i < 200000; i++) kept += JSON.stringify({ i, names: [{ givenName: 'Ada' + i }] }).length
  t.ok(kept > 0)
})
