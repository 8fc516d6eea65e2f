import t from 'tap'
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jsonLines, LINES_WAIT_MS } from '../src/logger.js'

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

function destination (): { fd: number, text: () => string } {
  const file = join(mkdtempSync(join(tmpdir(), 'pae-log-')), 'out.log')
  const fd = openSync(file, 'w')
  return { fd, text: () => readFileSync(file, 'utf8') }
}

t.test('lines gather briefly and go out together; nothing waits once the batch is out', async t => {
  const { fd, text } = destination()
  const lines = jsonLines(fd)
  lines.stream.write('{"n":1}\n')
  lines.stream.write('{"n":2}\n')
  lines.stream.write('{"n":3}\n')
  t.equal(text(), '', 'not written line by line')
  for (let i = 0; i < 200 && text().length < 24; i++) await sleep(LINES_WAIT_MS * 5)
  t.equal(text(), '{"n":1}\n{"n":2}\n{"n":3}\n', 'written, in order, without more lines pushing them')
  lines.stream.write('{"n":4}\n')
  for (let i = 0; i < 200 && !text().includes('"n":4'); i++) await sleep(LINES_WAIT_MS * 5)
  t.match(text(), /\{"n":4\}\n$/, 'a later lone line too')
  lines.stop()
  closeSync(fd)
})

t.test('stop writes out what has gathered, at once', async t => {
  const { fd, text } = destination()
  const lines = jsonLines(fd)
  for (let i = 0; i < 100; i++) lines.stream.write(`{"i":${i}}\n`)
  lines.stop()
  t.equal(text().split('\n').filter(Boolean).length, 100, 'every line, before stop returns')
  lines.stop()
  t.equal(text().split('\n').filter(Boolean).length, 100, 'a second stop writes nothing twice')
  closeSync(fd)
})

t.test('a destination that cannot be written drops lines and never throws', async t => {
  const { fd } = destination()
  closeSync(fd)
  const lines = jsonLines(fd)
  lines.stream.write('{"lost":true}\n')
  await sleep(LINES_WAIT_MS * 20)
  t.doesNotThrow(() => { lines.stop() })
})

t.test('many destinations share one exit listener, gone when the last stops', async t => {
  const before = process.listenerCount('exit')
  const all = Array.from({ length: 20 }, () => jsonLines(destination().fd))
  t.equal(process.listenerCount('exit'), before + 1)
  for (const lines of all) lines.stop()
  t.equal(process.listenerCount('exit'), before)
})
