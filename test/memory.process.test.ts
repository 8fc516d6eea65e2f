import t from 'tap'
import { spawnSync } from 'node:child_process'
import { runInNewContext } from 'node:vm'
import { BUSY_NEW_SPACE_BYTES, collectStartupGarbage, holdYoungGeneration, limitHeapGrowth, STARTUP_GARBAGE_BYTES } from '../src/memory.js'

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

t.test('the young generation grows to its busy size only under load, and stays there', async t => {
  // A fresh process: V8's heap sizes are per process.
  const script = `
    import v8 from 'node:v8'
    import { holdYoungGeneration, growYoungGenerationWhenBusy } from ${JSON.stringify(new URL('../src/memory.ts', import.meta.url).href)}
    const size = () => v8.getHeapSpaceStatistics().find(s => s.space_name === 'new_space').space_size
    holdYoungGeneration()
    const sizes = { start: size() }
    const observer = growYoungGenerationWhenBusy()
    await new Promise(resolve => setTimeout(resolve, 50))
    sizes.idle = size()
    // Requests' worth of garbage in short turns, with a little kept alive each time.
    let kept = []
    for (let turn = 0; turn < 4000 && size() < ${BUSY_NEW_SPACE_BYTES}; turn++) {
      for (let i = 0; i < 300; i++) { kept.push({ i, text: 'x'.repeat(40) + i }); if (kept.length > 5000) kept = [] }
      await new Promise(resolve => setImmediate(resolve))
    }
    await new Promise(resolve => setTimeout(resolve, 20))
    sizes.busy = size()
    // More load, with much more surviving: without the hold, enough to grow it again.
    for (let turn = 0; turn < 1000; turn++) {
      for (let i = 0; i < 300; i++) { kept.push({ i, text: 'x'.repeat(40) + i }); if (kept.length > 60000) kept = [] }
      await new Promise(resolve => setImmediate(resolve))
    }
    sizes.after = size()
    sizes.observer = observer !== undefined
    process.stdout.write(JSON.stringify(sizes))
  `
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' })
  t.equal(child.stderr, '')
  const sizes = JSON.parse(child.stdout) as { start: number, idle: number, busy: number, after: number, observer: boolean }
  t.ok(sizes.observer)
  t.ok(sizes.start < BUSY_NEW_SPACE_BYTES && sizes.idle === sizes.start, 'an idle process stays small')
  t.ok(sizes.busy >= BUSY_NEW_SPACE_BYTES, `grown under load (${sizes.busy} bytes)`)
  t.equal(sizes.after, sizes.busy, 'and held once grown')
})
