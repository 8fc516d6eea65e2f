import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { runInNewContext } from 'node:vm'
import { collectStartupGarbage, holdYoungGeneration, LAUNCH_FLAGS, limitHeapGrowth, STARTUP_GARBAGE_BYTES } from '../src/memory.js'
import { emulatorArgs } from '../bench/servers.js'

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

t.test('every way of launching the server passes the same V8 options, and this node takes them', async t => {
  const root = new URL('../', import.meta.url)
  const flags = LAUNCH_FLAGS.join(' ')
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }
  t.equal(pkg.scripts.start, `node ${flags} dist/server.mjs`, 'npm start')
  t.match(readFileSync(new URL('Dockerfile', root), 'utf8'), `ENTRYPOINT ["node", ${LAUNCH_FLAGS.map(f => JSON.stringify(f)).join(', ')}, "dist/server.mjs"]`, 'the Docker image')
  const shebang = `#!/usr/bin/env -S node ${flags}\n`
  t.ok(readFileSync(new URL('src/server.ts', root), 'utf8').startsWith(shebang), 'the bin (src/server.ts)')
  t.ok(readFileSync(new URL('dist/server.mjs', root), 'utf8').startsWith(shebang), 'the bin (dist/server.mjs)')
  t.same(emulatorArgs('--port', '0').slice(0, LAUNCH_FLAGS.length + 1), [...LAUNCH_FLAGS, 'dist/server.mjs'], 'the benchmarks')
  // The young generation is the size asked for, and node says nothing about the option.
  const child = spawnSync(process.execPath, [...LAUNCH_FLAGS, '-e', "process.stdout.write(String(require('v8').getHeapSpaceStatistics().find(s => s.space_name === 'new_space').space_size))"], { encoding: 'utf8' })
  t.equal(child.stderr, '')
  t.equal(Number(child.stdout), 8 * 1024 * 1024)
})
