/**
 * npm run bench: the emulator as a user runs it against a bare Fastify server
 * (bench/baseline.mjs), side by side in one run, with autocannon on 127.0.0.1. Every request
 * must succeed: a failure is reported and fails the bench. Writes bench/RESULTS.md and prints
 * the same table.
 *
 * The emulator runs as `npm start` runs it: every setting at its default (log level info, the
 * request journal on), its log written to a file. The headline requests are those of a real
 * client: Google's default answer (indented JSON), default read masks, and updates that
 * change names, email addresses and phone numbers with new values every time (a phone number
 * never sent before), each chaining the etag of the last answer for its contact. The baseline
 * answers each operation with the emulator's own answer to it (captured before the runs),
 * serialised the same way: a response of the same size.
 *
 * First, what a test suite waits for: startEmulator() to its first answer, warm and in a fresh
 * process, against a bare Fastify app (bench/library.ts), close(), reset and restore of 1,000
 * contacts, the server's start-up. Then rows: updateContact, people.get, createContact, contactGroups.update, connections.list,
 * people.get with an Origin (CORS) and the preflight before a cross-origin update, and the
 * cheap variants the earlier figures were taken with; what a setting saves (--journal-size 0,
 * --log-level warn); a 100-part /batch against the same calls one by one; snapshot restore;
 * start-up; updateContact and people.get with 20,000 contacts and the memory held then.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { measureStartup } from './startup.js'
import { measureLibrary, type LibraryFigures } from './library.js'
import { measureBatch, type BatchFigures } from './batch.js'
import { measureSnapshots, type SnapshotFigures } from './snapshots.js'
import { contactsFixture, emulatorArgs, logFile, root, start, stop, TOKEN } from './servers.js'
import { DURATION, fmt, medianOf, ONLY, ROUNDS, rssMb, selected, sideBySide, SLOTS, spreadOf, WARMUP, CONNECTIONS, type Result, type Row } from './load.js'
import { captureRoutes, OPERATIONS, runBaseline, runEmulator } from './operations.js'

/** updateContact and people.get with 20,000 contacts in one account, against the figures at 1,000; the resident memory then. */
async function measureScale (small: Record<string, Result>, rows: Row[], failures: string[]): Promise<{ rss: number }> {
  const large = await start(emulatorArgs(contactsFixture(20000, SLOTS)), logFile('scale'))
  for (const op of OPERATIONS.slice(0, 2)) {
    const warm = await runEmulator(op, large.url, WARMUP)
    if (warm.failures > 0) failures.push(`${op.name} at 20,000 (warm-up): ${warm.failures} requests failed`)
    const rounds: Result[] = []
    for (let round = 0; round < ROUNDS; round++) rounds.push(await runEmulator(op, large.url, DURATION))
    const emu = medianOf(rounds)
    if (emu.failures > 0) failures.push(`${op.name} at 20,000: ${emu.failures} requests failed`)
    const at1k = small[op.name]
    if (at1k === undefined) {
      process.stdout.write(`${op.name} at 20,000 contacts: ${fmt(emu.reqs)} req/s (run ${op.name} too for the ratio to 1,000)\n`)
      continue
    }
    const ratio = emu.reqs / at1k.reqs
    rows.push({ operation: `${op.name}, 20,000 contacts`, emulator: emu, ratio, of: 'at 1,000', spread: spreadOf(rounds.map(r => r.reqs / at1k.reqs)), target: '≥ 0.8 × at 1,000', met: ratio >= 0.8 })
    process.stderr.write(`${op.name} at 20k: ${fmt(emu.reqs)} req/s, ratio to 1k ${ratio.toFixed(2)}\n`)
  }
  const rss = rssMb(large.child.pid!)
  await stop(large)
  return { rss }
}

/** Warm starts of the emulator and of the bare Fastify app, alternating (a few milliseconds each). */
const WARM_STARTS = 140

/** Where bench/RESULTS.md's history begins: written by hand, what moved which figure, kept by every run. */
const HISTORY = '## History'

/** The history section of bench/RESULTS.md as it is (empty if there is none). */
function history (file: string): string {
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return ''
  }
  const at = text.indexOf(`\n${HISTORY}\n`)
  return at === -1 ? '' : text.slice(at + 1)
}

/** Writes bench/RESULTS.md (a whole run) or prints the table (BENCH_ONLY); returns the targets missed. */
function report (rows: Row[], settingRows: Row[], m: { startup?: Awaited<ReturnType<typeof measureStartup>>, scale?: { rss: number }, batch?: BatchFigures, snapshots?: SnapshotFigures, library?: LibraryFigures }): string[] {
  const { startup, batch, snapshots, library } = m
  const rss = m.scale?.rss ?? 0
  const large = m.scale !== undefined
  const mark = (met: boolean): string => met ? '✓' : '✗'
  const ms = (value: number): string => `${value.toFixed(1)} ms`
  // What a suite waits for, first: an emulator per test file, a clean state per test, the server's start-up.
  const waits = [
    '| what a test suite waits for | reference | emulator | ratio | single runs | target |',
    '|---|---:|---:|---:|---:|---|',
    ...(library
      ? [`| startEmulator() to its first answer, warm (library mode), median of ${WARM_STARTS} | ${ms(library.warmBareMs)} (bare Fastify app) | ${ms(library.warmMs)} | ${(library.warmMs / library.warmBareMs).toFixed(2)} × | ${library.warmSpread[0].toFixed(2)}–${library.warmSpread[1].toFixed(2)} × | ≤ 2 × ${mark(library.warmMs / library.warmBareMs <= 2)} |`,
          `| startEmulator() to its first answer in a fresh process, import included, median of ${ROUNDS} | ${ms(library.coldBareMs)} (bare Fastify app) | ${ms(library.coldMs)} | ${(library.coldMs / library.coldBareMs).toFixed(2)} × | ${library.coldSpread[0].toFixed(2)}–${library.coldSpread[1].toFixed(2)} × | ≤ 1.3 × ${mark(library.coldMs / library.coldBareMs <= 1.3)} |`,
          `| close() | | ${ms(library.closeMs)} | | ${library.closeSpread[0].toFixed(1)}–${library.closeSpread[1].toFixed(1)} ms | ≤ 5 ms ${mark(library.closeMs <= 5)} |`]
      : []),
    ...(snapshots
      ? [`| whole reset to a 1,000-contact fixture after a test's writes (POST /_emulator/reset), median of ${snapshots.rounds} | | ${ms(snapshots.resetMs)} | | ${snapshots.resetFastestMs.toFixed(1)}–${snapshots.resetSlowestMs.toFixed(1)} ms | ≤ 10 ms ${mark(snapshots.resetMs <= 10)} |`,
          `| restore of a snapshot of 1,000 contacts after a test's writes (POST /_emulator/snapshots/NAME:restore), median of ${snapshots.rounds} | saving it: ${ms(snapshots.saveMs)} | ${ms(snapshots.restoreMs)} | | ${snapshots.fastestMs.toFixed(1)}–${snapshots.slowestMs.toFixed(1)} ms | ≤ 10 ms ${mark(snapshots.restoreMs <= 10)} |`]
      : []),
    ...(startup ? [`| server start-up, spawn to the first answer (node dist/server.mjs, 1,000 contacts) | ${startup.baselineMs.toFixed(0)} ms (bare Fastify server) | ${startup.emulatorMs.toFixed(0)} ms | ${(startup.emulatorMs / startup.baselineMs).toFixed(2)} × | ${startup.spread[0].toFixed(2)}–${startup.spread[1].toFixed(2)} × | ≤ 1.3 × ${mark(startup.emulatorMs / startup.baselineMs <= 1.3)} |`] : [])
  ].join('\n')
  const figures = [
    ...rows.map(r => `| ${r.operation} | ${r.baseline ? fmt(r.baseline.reqs) : '—'} | ${fmt(r.emulator.reqs)} | ${r.emulator.p50} / ${r.emulator.p99} | ${r.ratio.toFixed(2)} × ${r.of} | ${r.spread[0].toFixed(2)}–${r.spread[1].toFixed(2)} | ${r.target ? `${r.target} ${r.met ? '✓' : '✗'}` : ''} |`),
    ...(large ? [`| resident memory, 20,000 contacts | | ${rss.toFixed(0)} MB | | | | < 150 MB ${rss < 150 ? '✓' : '✗'} |`] : [])
  ]
  const table = [
    '| operation | baseline req/s | emulator req/s | p50 / p99 ms | ratio | single runs | target |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...figures
  ].join('\n')
  const other = [
    '| measure | reference | emulator | ratio | single runs |',
    '|---|---:|---:|---:|---:|',
    ...settingRows.map(r => `| ${r.operation} | ${fmt(r.baseline!.reqs)} req/s (${r.baselineLabel}) | ${fmt(r.emulator.reqs)} req/s | ${r.ratio.toFixed(2)} × default | ${r.spread[0].toFixed(2)}–${r.spread[1].toFixed(2)} |`),
    ...(batch ? [`| /batch of 100 people.get, against the same 100 one by one on a keep-alive connection | ${batch.sequentialMs.toFixed(1)} ms | ${batch.batchMs.toFixed(1)} ms | ${(batch.batchMs / batch.sequentialMs).toFixed(2)} × one by one | ${batch.spread[0].toFixed(2)}–${batch.spread[1].toFixed(2)} |`] : [])
  ].join('\n')

  const missed = rows.filter(r => r.met === false).map(r => r.operation)
  if (startup && startup.emulatorMs / startup.baselineMs > 1.3) missed.push('start-up')
  if (library && library.warmMs / library.warmBareMs > 2) missed.push('warm start')
  if (library && library.coldMs / library.coldBareMs > 1.3) missed.push('cold start')
  if (library && library.closeMs > 5) missed.push('close')
  if (snapshots && snapshots.resetMs > 10) missed.push('reset')
  if (snapshots && snapshots.restoreMs > 10) missed.push('restore')
  if (large && rss >= 150) missed.push('memory')

  if (ONLY !== undefined) {
    // A partial run prints what it measured and leaves bench/RESULTS.md alone.
    process.stdout.write(`${waits}\n\n${table}\n\n${other}\n`)
  } else {
    const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`
    const doc = [
      '# Benchmark results',
      '',
      `Measured by \`npm run bench\` on ${machine}: autocannon, ${CONNECTIONS} connections, ${DURATION} s per run after ${WARMUP} s of unmeasured warm-up per operation and server, median of ${ROUNDS} runs (baseline and emulator alternating).`,
      'The emulator runs as `npm start` runs it, every setting at its default (log level info, request journal on), its log written to a file;',
      'requests are a real client\'s: Google\'s default indented answer, default read masks, updates of names, email addresses and phone numbers with values never sent before, each carrying the etag of the last answer.',
      'The baseline is a bare Fastify 5 server (bench/baseline.mjs) that parses the same body and answers the emulator\'s own answer to the operation, serialised the same way (a response of the same size).',
      '"single runs" is the lowest and highest of the ratios of single runs (each emulator run against the reference run just before it): the noise of the machine, which the median damps.',
      'Every request of every run succeeded.',
      '',
      waits,
      '',
      table,
      '',
      other,
      ''
    ].join('\n')
    const file = join(root, 'bench', 'RESULTS.md')
    writeFileSync(file, [doc, history(file)].filter(part => part !== '').join('\n'))
    process.stdout.write(doc + '\n')
  }
  return missed
}

async function main (): Promise<void> {
  const rows: Row[] = []
  const failures: string[] = []
  const ops = OPERATIONS.filter(op => selected(op.name))

  // 1,000 contacts: each operation against the baseline and the emulator, alternating.
  const emulator = await start(emulatorArgs(contactsFixture(1000, SLOTS)), logFile('emulator'))
  const baseline = await start(['bench/baseline.mjs', '0', ...await captureRoutes(emulator.url, ops)])
  const small: Record<string, Result> = {}
  for (const op of ops) {
    const { a: base, b: emu, spread } = await sideBySide(s => runBaseline(op, baseline.url, s), s => runEmulator(op, emulator.url, s), failures, op.label)
    small[op.name] = emu
    const ratio = emu.reqs / base.reqs
    rows.push({ operation: op.label, baseline: base, emulator: emu, ratio, of: 'baseline', spread, ...(op.target === undefined ? {} : { target: `≥ ${op.target} × baseline`, met: ratio >= op.target }) })
    process.stderr.write(`${op.label}: ${fmt(emu.reqs)} req/s (baseline ${fmt(base.reqs)}), ratio ${ratio.toFixed(2)}\n`)
  }
  await stop(baseline)

  // The same work written inline (bench/samework.mjs, nothing of the emulator's code): the
  // realistic update and the get against it, on a fresh emulator of the same fixture.
  if (selected('same-work')) {
    const fixture = contactsFixture(1000, SLOTS)
    const fresh = await start(emulatorArgs(fixture), logFile('emulator-same-work'))
    const same = await start(['bench/samework.mjs', '0', fixture], logFile('same-work'))
    for (const op of OPERATIONS.filter(op => op.name === 'updateContact' || op.name === 'people.get')) {
      const { a: inline, b: emu, spread } = await sideBySide(s => runEmulator(op, same.url, s), s => runEmulator(op, fresh.url, s), failures, `${op.label} against the same work inline`)
      const ratio = emu.reqs / inline.reqs
      rows.push({ operation: `${op.label} (the same work inline: bench/samework.mjs)`, baseline: inline, emulator: emu, ratio, of: 'same work', spread, target: '≥ 0.95 × same work', met: ratio >= 0.95 })
      process.stderr.write(`${op.label}: ${fmt(emu.reqs)} req/s (same work inline ${fmt(inline.reqs)}), ratio ${ratio.toFixed(2)}\n`)
    }
    await stop(same)
    await stop(fresh)
  }

  // What a setting saves: the headline update against an emulator with one setting changed.
  const update = OPERATIONS[0]!
  const settings: Array<{ flags: string[], says: string }> = [
    { flags: ['--journal-size', '0'], says: 'the request journal off (--journal-size 0)' },
    { flags: ['--log-level', 'warn'], says: 'no request log lines (--log-level warn)' }
  ]
  const settingRows: Row[] = []
  if (selected('settings')) {
    for (const setting of settings) {
      // Both fresh, with the same fixture: the emulator above holds what createContact made.
      const dflt = await start(emulatorArgs(contactsFixture(1000, SLOTS)), logFile('default'))
      const other = await start([...emulatorArgs(contactsFixture(1000, SLOTS)), ...setting.flags], logFile('setting'))
      const { a: atDefault, b: changed, spread } = await sideBySide(s => runEmulator(update, dflt.url, s), s => runEmulator(update, other.url, s), failures, `updateContact, ${setting.says}`)
      settingRows.push({ operation: `updateContact with ${setting.says}`, baseline: atDefault, baselineLabel: 'default settings', emulator: changed, ratio: changed.reqs / atDefault.reqs, of: 'default', spread })
      await stop(other)
      await stop(dflt)
    }
  }

  // HTTP batch: 100 people.get in one POST /batch against the same 100 sent one by one.
  let batch: BatchFigures | undefined
  if (selected('batch')) {
    batch = await measureBatch(emulator.url, { rounds: ROUNDS, warmupSeconds: WARMUP })
    if (batch.failures > 0) failures.push(`batch: ${batch.failures} calls failed`)
    process.stderr.write(`batch of 100 people.get: ${batch.batchMs.toFixed(1)} ms, one by one ${batch.sequentialMs.toFixed(1)} ms\n`)
  }
  await stop(emulator)

  // Snapshots of a 1,000-contact state (an emulator of its own: the one above holds what
  // createContact made): save once, restore ROUNDS × 5 times.
  let snapshots: SnapshotFigures | undefined
  if (selected('snapshots')) {
    const own = await start(emulatorArgs(contactsFixture(1000, SLOTS)), logFile('snapshots'))
    snapshots = await measureSnapshots(own.url, ROUNDS * 5, TOKEN)
    await stop(own)
    process.stderr.write(`snapshot of 1,000 contacts: save ${snapshots.saveMs.toFixed(1)} ms, restore median ${snapshots.restoreMs.toFixed(1)} ms, whole reset median ${snapshots.resetMs.toFixed(1)} ms\n`)
  }

  // 20,000 contacts in one account, against 1,000 (the figures above).
  const scale = selected('scale') ? await measureScale(small, rows, failures) : undefined

  const startup = selected('start-up') ? await measureStartup() : undefined

  // An emulator per test file: startEmulator() warm and in a fresh process, against a bare Fastify app.
  const library = selected('library-start') ? measureLibrary(WARM_STARTS, ROUNDS) : undefined
  if (library) process.stderr.write(`startEmulator to first answer: warm ${library.warmMs.toFixed(1)} ms (bare ${library.warmBareMs.toFixed(1)}), fresh process ${library.coldMs.toFixed(0)} ms (bare ${library.coldBareMs.toFixed(0)}), close ${library.closeMs.toFixed(1)} ms\n`)

  const missed = report(rows, settingRows, { startup, scale, batch, snapshots, library })
  if (missed.length > 0) process.stdout.write(`targets missed: ${missed.join(', ')}\n`)
  if (failures.length > 0) {
    process.stdout.write(`failed requests:\n${failures.join('\n')}\n`)
    process.exitCode = 1
  }
}

await main()
