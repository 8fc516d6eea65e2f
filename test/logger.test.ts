import t, { type Test } from 'tap'
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FULL_RETRY_MS, jsonLines, LINES_WAIT_MS, MAX_WAITING_BYTES, type WriteSome } from '../src/logger.js'

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

/** A pipe to a process that starts reading (into a file) only when told to (a line on fd 3). */
interface SlowReader { fd: number, read: () => void, end: () => void, done: Promise<string> }

async function slowReader (t: Test): Promise<SlowReader> {
  const { spawn } = await import('node:child_process')
  const out = join(mkdtempSync(join(tmpdir(), 'pae-log-')), 'read.log')
  const child = spawn(process.execPath, ['-e', `
    const fs = require('fs'); const out = fs.createWriteStream(${JSON.stringify(out)});
    process.stdin.pause();
    require('net').Socket({ fd: 3 }).on('data', () => { process.stdin.pipe(out); process.stdin.resume() });
    process.stdin.on('end', () => out.end(() => process.exit(0)))
  `], { stdio: ['pipe', 'inherit', 'inherit', 'pipe'] })
  t.teardown(() => { child.kill() })
  const fd = (child.stdin as unknown as { _handle: { fd: number } })._handle.fd
  const done = new Promise<string>(resolve => child.once('exit', () => { resolve(readFileSync(out, 'utf8')) }))
  return { fd, read: () => { (child.stdio[3] as NodeJS.WritableStream).write('go\n') }, end: () => { child.stdin?.end() }, done }
}

t.test('a pipe that is not read is not waited for: lines wait, in order, and go once it reads', async t => {
  const reader = await slowReader(t)
  const lines = jsonLines(reader.fd)
  const line = (i: number): string => JSON.stringify({ i, pad: 'x'.repeat(1000) }) + '\n'
  // Far more than a pipe holds by default (64 KiB): written while nobody reads, the writes
  // must not block (this test would hang if they did).
  for (let i = 0; i < 1000; i++) lines.stream.write(line(i))
  await sleep(LINES_WAIT_MS * 5)
  for (let i = 1000; i < 1100; i++) lines.stream.write(line(i))
  reader.read()
  // However fast the reader is (a loaded machine, a larger pipe), the lines go out on their
  // own, a pipeful at a time: waited for here by what is left, not by a clock.
  while (lines.pending() > 0) await sleep(FULL_RETRY_MS)
  lines.stop()
  reader.end()
  const got = (await reader.done).split('\n').filter(Boolean).map(l => (JSON.parse(l) as { i: number }).i)
  t.equal(got.length, 1100, 'every line')
  t.same(got, Array.from({ length: 1100 }, (_, i) => i), 'in order')
})

/**
 * A stdout that takes nothing until it is opened (what a full pipe answers: EAGAIN), then
 * `perCall` bytes a write at most: the tests of what waits and what is dropped depend neither on
 * the kernel's pipe sizes nor on how fast a reader runs.
 */
function gate (perCall = Infinity): { write: WriteSome, open: () => void, text: () => string, writes: () => number } {
  let isOpen = false
  let writes = 0
  const got: Buffer[] = []
  const write: WriteSome = (_fd, bytes) => {
    writes++
    if (!isOpen) return bytes
    const taken = bytes.subarray(0, Math.min(bytes.length, perCall))
    got.push(Buffer.from(taken))
    return taken.length === bytes.length ? null : bytes.subarray(taken.length)
  }
  return { write, open: () => { isOpen = true }, text: () => Buffer.concat(got).toString('utf8'), writes: () => writes }
}

t.test('a stdout that takes part of each write gets every line, in order', async t => {
  const out = gate(777)
  const lines = jsonLines(-1, out.write)
  out.open()
  for (let i = 0; i < 300; i++) lines.stream.write(JSON.stringify({ i }) + '\n')
  lines.stop()
  t.same(out.text().split('\n').filter(Boolean).map(l => (JSON.parse(l) as { i: number }).i), Array.from({ length: 300 }, (_, i) => i))
})

/**
 * More than MAX_WAITING_BYTES of lines written to a stdout that takes nothing, which then
 * opens; `then` runs once what waited has gone out, and the close follows. Returns what it got, the lines counting the dropped
 * ones, and how many lines were written.
 */
async function overflow (extra: number, then: (lines: ReturnType<typeof jsonLines>) => void = () => {}): Promise<{ text: string, notes: string[], count: number }> {
  const out = gate()
  const lines = jsonLines(-1, out.write)
  const line = JSON.stringify({ pad: 'y'.repeat(4000) }) + '\n'
  const count = Math.ceil(MAX_WAITING_BYTES / line.length) + extra
  for (let i = 0; i < count; i++) lines.stream.write(line)
  // The gathered lines have tried to go out (and been refused) at least once; then the reader
  // reads, and what waited goes out by itself (the retries), waited for by what is left.
  while (out.writes() === 0) await sleep(LINES_WAIT_MS)
  out.open()
  while (lines.pending() > 0) await sleep(FULL_RETRY_MS)
  then(lines)
  lines.stop()
  const text = out.text()
  return { text, notes: text.split('\n').filter(l => l.includes('log lines were dropped')), count }
}

t.test('past MAX_WAITING_BYTES waiting for a pipe, lines are dropped and counted', async t => {
  const { text, notes } = await overflow(500, lines => { lines.stream.write('{"after":true}\n') })
  t.equal(notes.length, 1, 'one line says how many were dropped')
  t.match(notes[0]!, /"level":40/)
  t.ok(text.endsWith('{"after":true}\n'), 'lines go on after')
})

t.test('lines dropped for a full pipe are counted at close, even with no line after them', async t => {
  const { text, notes, count } = await overflow(100)
  t.equal(notes.length, 1)
  const kept = text.split('\n').filter(l => l.includes('"pad"')).length
  t.equal(kept + Number(/"msg":"(\d+) log lines were dropped/.exec(notes[0]!)![1]), count, 'every line either written or counted')
  t.ok(text.endsWith(notes[0]! + '\n'), 'the count comes after the lines written')
})
