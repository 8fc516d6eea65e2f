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
 * Rows: updateContact, people.get, createContact, contactGroups.update, connections.list,
 * people.get with an Origin (CORS) and the preflight before a cross-origin update, and the
 * cheap variants the earlier figures were taken with; what a setting saves (--journal-size 0,
 * --log-level warn); a 100-part /batch against the same calls one by one; snapshot restore;
 * start-up; updateContact and people.get with 20,000 contacts and the memory held then.
 */
import autocannon from 'autocannon'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { measureStartup } from './startup.js'
import { measureBatch, type BatchFigures } from './batch.js'
import { measureSnapshots, type SnapshotFigures } from './snapshots.js'
import { contactsFixture, emulatorArgs, logFile, root, start, stop, TOKEN, type Server } from './servers.js'

const DURATION = Number(process.env.BENCH_SECONDS ?? 4)
/**
 * Unmeasured load before each operation's measured runs, on both servers: the throughput
 * wanted is that of a warmed-up process (start-up is measured on its own). A fresh emulator
 * reaches its steady rate only after V8 has optimised its request path.
 */
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 8)
/**
 * Rounds per figure: the median of them is reported. Single runs on this 2-core machine vary
 * by ±20 % and more; the median of 7 moves less from one run of the bench to the next than
 * that of 5.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const CONNECTIONS = 10
/**
 * BENCH_ONLY=updateContact,people.get runs just those parts (and leaves RESULTS.md alone): the
 * operations' names below, and settings, batch, snapshots, scale, start-up.
 */
const ONLY = process.env.BENCH_ONLY?.split(',').map(s => s.trim()).filter(Boolean)
const selected = (name: string): boolean => ONLY === undefined || ONLY.includes(name)
const AUTHORIZATION = `Bearer ${TOKEN}`
/** The origin of the cross-origin rows: a web app in development. */
const ORIGIN = 'http://localhost:5173'

function rssMb (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
}

interface Result { reqs: number, p50: number, p99: number, failures: number, statuses: Record<string, number> }

/** Resources (contacts, groups) each operation spreads its requests over: two per connection. */
const SLOTS = CONNECTIONS * 2

interface Slot { index: number, etag?: string }

interface Request { method: string, path: string, body?: string, token?: string, headers?: Record<string, string> }

/** A request's headers, a new object each time: its credential, its own headers, and the body's type. */
function headersOf (r: Request): Record<string, string> {
  const headers: Record<string, string> = { authorization: r.token === undefined ? AUTHORIZATION : `Bearer ${r.token}`, ...r.headers }
  if (r.body !== undefined) headers['content-type'] = 'application/json'
  return headers
}

/**
 * Runs one operation. Requests take a free slot (one resource each) and give it back with the
 * response, so no two requests in flight touch the same resource and each can carry the etag
 * of the slot's last response: every update is a real, successful one. (autocannon resets a
 * connection's context after each request, so the state lives here, not in the context.)
 */
async function load (seconds: number, url: string, request: (slot: Slot) => Request, expect: number, chain: boolean, etags?: string[]): Promise<Result> {
  const slots: Slot[] = Array.from({ length: SLOTS }, (_, index) => ({ index, etag: etags?.[index] }))
  const free = [...slots]
  const statuses: Record<string, number> = {}
  let firstFailure = ''
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{
      setupRequest: (req: any, ctx: Record<string, any>) => {
        const slot = free.shift()!
        ctx.slot = slot
        const r = request(slot)
        // Fresh header objects every time: autocannon writes content-length into the one it is given.
        return { ...req, method: r.method, path: r.path, body: r.body, headers: headersOf(r) }
      },
      onResponse: (status: number, body: string, ctx: Record<string, any>) => {
        statuses[status] = (statuses[status] ?? 0) + 1
        if (status === expect) {
          if (chain) ctx.slot.etag = (JSON.parse(body) as { etag: string }).etag
        } else if (!firstFailure) firstFailure = `${status} ${body.slice(0, 300)}`
        free.push(ctx.slot)
      }
    }]
  } as any)
  if (firstFailure) process.stderr.write(`first failure: ${firstFailure}\n`)
  const failures = Object.entries(statuses).reduce((n, [status, count]) => Number(status) === expect ? n : n + count, 0) + result.errors + result.timeouts
  return { reqs: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failures, statuses }
}

/** Values never sent before, across every run of the bench. */
let serial = 0
/** Area codes of US numbers (all valid, so every number gets its canonicalForm). */
const AREAS = [212, 415, 617, 312, 206, 303, 512, 702]
/** A valid US phone number not sent before, written as people type them. */
function phone (n: number): string {
  const line = String(n % 10000).padStart(4, '0')
  const exchange = 200 + Math.floor(n / 10000) % 790
  const area = AREAS[Math.floor(n / 7_900_000) % AREAS.length]!
  return `+1 ${area} ${exchange} ${line}`
}

/** A realistic edit: the name, both email addresses and the phone number all new. */
function personEdit (etag?: string): string {
  const n = ++serial
  return JSON.stringify({
    ...(etag === undefined ? {} : { etag }),
    names: [{ givenName: `Ada ${n}`, familyName: 'Lovelace' }],
    emailAddresses: [{ value: `ada.${n}@example.com`, type: 'home' }, { value: `a.lovelace.${n}@example.org`, type: 'work' }],
    phoneNumbers: [{ value: phone(n), type: 'mobile' }]
  })
}
const nameEdit = (etag?: string): string => JSON.stringify({ etag, names: [{ givenName: `Ada ${++serial}`, familyName: 'Lovelace' }] })
const groupEdit = (slot: Slot): string => JSON.stringify({ contactGroup: { etag: slot.etag, name: `Group ${slot.index} v${++serial}` } })

const contact = (index: number): string => `people/c${1000000 + index}`
const group = (index: number): string => `contactGroups/${(0xb000 + index).toString(16)}`
const GET_FIELDS = 'names,emailAddresses,phoneNumbers,organizations,memberships,metadata'

/** An operation as the emulator serves it; the baseline has a route of the same kind for it. */
interface Operation {
  /** What BENCH_ONLY names it by. */
  name: string
  /** Its row in the table. */
  label: string
  request: (slot: Slot) => Request
  /** The baseline's route: how it puts the request's values in its captured answer. */
  kind: 'person' | 'group' | 'static'
  /** The status every request must get. */
  expect: number
  /** The resource (as a GET path with a read mask) whose etag a slot's first request carries. */
  etagOf?: (index: number) => string
  /** Work before each run against the emulator (not measured). */
  before?: (url: string) => Promise<void>
  /** The least ratio to the baseline wanted. */
  target?: number
}

async function resetEmulator (url: string): Promise<void> {
  const reset = await fetch(`${url}/_emulator/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } })
  if (reset.status !== 200) throw new Error(`reset: ${reset.status}`)
}

const OPERATIONS: Operation[] = [
  {
    name: 'updateContact',
    label: 'updateContact',
    kind: 'person',
    expect: 200,
    target: 0.5,
    etagOf: i => `${contact(i)}?personFields=names`,
    request: slot => ({ method: 'PATCH', path: `/v1/${contact(slot.index)}:updateContact?updatePersonFields=names,emailAddresses,phoneNumbers`, body: personEdit(slot.etag) })
  },
  {
    name: 'people.get',
    label: 'people.get',
    kind: 'person',
    expect: 200,
    target: 0.8,
    request: slot => ({ method: 'GET', path: `/v1/${contact(slot.index)}?personFields=${GET_FIELDS}` })
  },
  {
    name: 'createContact',
    label: 'createContact',
    kind: 'person',
    expect: 200,
    target: 0.35,
    // One account per slot: a single account would reach Google's 25,000-contact limit within
    // seconds. Each run starts from the start fixtures (a reset, not measured): the runs
    // together would pass the 100,000 contacts the emulator holds at most.
    before: resetEmulator,
    request: slot => ({ method: 'POST', path: '/v1/people:createContact', body: personEdit(), token: `bench-create-${slot.index}` })
  },
  {
    name: 'contactGroups.update',
    label: 'contactGroups.update',
    kind: 'group',
    expect: 200,
    target: 0.5,
    etagOf: i => group(i),
    request: slot => ({ method: 'PUT', path: `/v1/${group(slot.index)}`, body: groupEdit(slot) })
  },
  {
    name: 'connections.list',
    label: 'connections.list (pages of 100)',
    kind: 'static',
    expect: 200,
    request: () => ({ method: 'GET', path: '/v1/people/me/connections?personFields=names,emailAddresses,phoneNumbers,metadata&pageSize=100' })
  },
  {
    name: 'cors',
    label: 'people.get with an Origin (CORS)',
    kind: 'person',
    expect: 200,
    request: slot => ({ method: 'GET', path: `/v1/${contact(slot.index)}?personFields=${GET_FIELDS}`, headers: { origin: ORIGIN } })
  },
  {
    name: 'preflight',
    label: 'CORS preflight of updateContact (OPTIONS)',
    kind: 'static',
    expect: 200,
    request: slot => ({ method: 'OPTIONS', path: `/v1/${contact(slot.index)}:updateContact?updatePersonFields=names`, headers: { origin: ORIGIN, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type' } })
  },
  {
    name: 'updateContact-compact',
    label: 'updateContact, names only, prettyPrint=false',
    kind: 'person',
    expect: 200,
    etagOf: i => `${contact(i)}?personFields=names`,
    request: slot => ({ method: 'PATCH', path: `/v1/${contact(slot.index)}:updateContact?updatePersonFields=names&personFields=names,emailAddresses,phoneNumbers,metadata&prettyPrint=false`, body: nameEdit(slot.etag) })
  },
  {
    name: 'people.get-compact',
    label: 'people.get, prettyPrint=false',
    kind: 'person',
    expect: 200,
    request: slot => ({ method: 'GET', path: `/v1/${contact(slot.index)}?personFields=names,emailAddresses,phoneNumbers,metadata&prettyPrint=false` })
  }
]

/** The current etag of each slot's resource, so that its first request is a real update too. */
async function currentEtags (url: string, path: (slot: number) => string): Promise<string[]> {
  return await Promise.all(Array.from({ length: SLOTS }, async (_, slot) => {
    const res = await fetch(`${url}/v1/${path(slot)}`, { headers: { authorization: AUTHORIZATION } })
    if (!res.ok) throw new Error(`cannot read ${path(slot)}: ${res.status}`)
    return ((await res.json()) as { etag: string }).etag
  }))
}

/** One run of an operation against the emulator. */
async function runEmulator (op: Operation, url: string, seconds: number): Promise<Result> {
  await op.before?.(url)
  const etags = op.etagOf === undefined ? undefined : await currentEtags(url, op.etagOf)
  return await load(seconds, url, op.request, op.expect, op.etagOf !== undefined, etags)
}

/** The baseline's path for an operation: one route per operation. */
const basePath = (op: Operation): string => `/b/${OPERATIONS.indexOf(op)}`

async function runBaseline (op: Operation, url: string, seconds: number): Promise<Result> {
  return await load(seconds, url, slot => ({ ...op.request(slot), path: `${basePath(op)}/${slot.index}` }), op.expect, op.etagOf !== undefined)
}

/**
 * The baseline's routes, in a file for its command line: each operation's answer as the
 * emulator gives it (one request, on a slot's resource, before the runs), or the headers of
 * an answer without a body (the preflight's).
 */
async function captureRoutes (url: string, ops: Operation[]): Promise<string[]> {
  const routes: unknown[] = []
  for (const op of ops) {
    await op.before?.(url)
    const slot: Slot = { index: 0, etag: op.etagOf === undefined ? undefined : (await currentEtags(url, op.etagOf))[0] }
    const r = op.request(slot)
    const res = await fetch(url + r.path, { method: r.method, headers: headersOf(r), body: r.body })
    const text = await res.text()
    if (res.status !== op.expect) throw new Error(`${op.label}: ${res.status} ${text.slice(0, 300)}`)
    const route: Record<string, unknown> = { method: r.method, path: `${basePath(op)}/:id`, kind: op.kind, status: res.status }
    if (text === '') {
      route.headers = Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'))
    } else {
      route.answer = JSON.parse(text)
      route.indent = text.startsWith('{\n') ? 2 : 0
    }
    if (op.name === 'updateContact' && (route.answer as { phoneNumbers?: Array<{ canonicalForm?: string }> }).phoneNumbers?.[0]?.canonicalForm === undefined) {
      throw new Error('updateContact: the phone numbers sent must be valid ones (the answer has no canonicalForm)')
    }
    routes.push(route)
  }
  const file = join(mkdtempSync(join(tmpdir(), 'pae-bench-routes-')), 'routes.json')
  writeFileSync(file, JSON.stringify(routes))
  return [file]
}

/** The round with the median throughput; failures of every round count. */
function medianOf (results: Result[]): Result {
  const sorted = [...results].sort((a, b) => a.reqs - b.reqs)
  const median = sorted[Math.floor(sorted.length / 2)]!
  return { ...median, failures: results.reduce((n, r) => n + r.failures, 0) }
}

interface Row { operation: string, baseline?: Result, baselineLabel?: string, emulator: Result, ratio: number, of: string, target?: string, met?: boolean, spread: [number, number] }

/** The lowest and highest of per-round ratios: how much the machine's noise moved the figure. */
function spreadOf (ratios: number[]): [number, number] {
  return [Math.min(...ratios), Math.max(...ratios)]
}

function fmt (n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1)
}

/** Warm-up, then ROUNDS rounds of `a` and `b` alternating: the median of each and the ratios of single rounds. */
async function sideBySide (a: (seconds: number) => Promise<Result>, b: (seconds: number) => Promise<Result>, failures: string[], what: string): Promise<{ a: Result, b: Result, spread: [number, number] }> {
  const warm = [await a(WARMUP), await b(WARMUP)]
  const as: Result[] = []
  const bs: Result[] = []
  for (let round = 0; round < ROUNDS; round++) {
    as.push(await a(DURATION))
    bs.push(await b(DURATION))
  }
  const ma = medianOf(as)
  const mb = medianOf(bs)
  for (const r of [...warm, ma, mb]) if (r.failures > 0) { failures.push(`${what}: ${r.failures} requests failed`); break }
  process.stderr.write(`${what}: rounds ${bs.map((r, i) => `${fmt(r.reqs)}/${fmt(as[i]!.reqs)}`).join(' ')}\n`)
  return { a: ma, b: mb, spread: spreadOf(bs.map((r, i) => r.reqs / as[i]!.reqs)) }
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
    snapshots = await measureSnapshots(own.url, ROUNDS * 5)
    await stop(own)
    process.stderr.write(`snapshot of 1,000 contacts: save ${snapshots.saveMs.toFixed(1)} ms, restore median ${snapshots.restoreMs.toFixed(1)} ms\n`)
  }

  // 20,000 contacts in one account, against 1,000 (the figures above).
  let rss = 0
  let large: Server | undefined
  if (selected('scale')) {
    large = await start(emulatorArgs(contactsFixture(20000, SLOTS)), logFile('scale'))
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
      rows.push({ operation: `${op.name}, 20,000 contacts`, emulator: emu, ratio, of: '1k', spread: spreadOf(rounds.map(r => r.reqs / at1k.reqs)), target: '≥ 0.8 × at 1,000', met: ratio >= 0.8 })
      process.stderr.write(`${op.name} at 20k: ${fmt(emu.reqs)} req/s, ratio to 1k ${ratio.toFixed(2)}\n`)
    }
    rss = rssMb(large.child.pid!)
    await stop(large)
  }

  const startup = selected('start-up') ? await measureStartup() : undefined

  const figures = [
    ...rows.map(r => `| ${r.operation} | ${r.baseline ? fmt(r.baseline.reqs) : '—'} | ${fmt(r.emulator.reqs)} | ${r.emulator.p50} / ${r.emulator.p99} | ${r.ratio.toFixed(2)} × ${r.of === 'baseline' ? 'baseline' : 'at 1,000'} | ${r.spread[0].toFixed(2)}–${r.spread[1].toFixed(2)} | ${r.target ? `${r.target} ${r.met ? '✓' : '✗'}` : ''} |`),
    ...(startup ? [`| start-up to first response (1,000 contacts) | ${startup.baselineMs.toFixed(0)} ms | ${startup.emulatorMs.toFixed(0)} ms | | ${(startup.emulatorMs / startup.baselineMs).toFixed(2)} × baseline | ${startup.spread[0].toFixed(2)}–${startup.spread[1].toFixed(2)} | ≤ 1.3 × ${startup.emulatorMs / startup.baselineMs <= 1.3 ? '✓' : '✗'} |`] : []),
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
    ...(batch ? [`| /batch of 100 people.get, against the same 100 one by one on a keep-alive connection | ${batch.sequentialMs.toFixed(1)} ms | ${batch.batchMs.toFixed(1)} ms | ${(batch.batchMs / batch.sequentialMs).toFixed(2)} × one by one | ${batch.spread[0].toFixed(2)}–${batch.spread[1].toFixed(2)} |`] : []),
    ...(snapshots ? [`| restore of a snapshot of 1,000 contacts (POST /_emulator/snapshots/NAME:restore), median of ${snapshots.rounds} | saving it: ${snapshots.saveMs.toFixed(1)} ms | ${snapshots.restoreMs.toFixed(1)} ms | | ${snapshots.fastestMs.toFixed(1)}–${snapshots.slowestMs.toFixed(1)} ms |`] : [])
  ].join('\n')

  const missed = rows.filter(r => r.met === false).map(r => r.operation)
  if (startup && startup.emulatorMs / startup.baselineMs > 1.3) missed.push('start-up')
  if (large && rss >= 150) missed.push('memory')

  if (ONLY !== undefined) {
    // A partial run prints what it measured and leaves bench/RESULTS.md alone.
    process.stdout.write(`${table}\n\n${other}\n`)
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
      table,
      '',
      other,
      ''
    ].join('\n')
    writeFileSync(join(root, 'bench', 'RESULTS.md'), doc)
    process.stdout.write(doc + '\n')
  }
  if (missed.length > 0) process.stdout.write(`targets missed: ${missed.join(', ')}\n`)
  if (failures.length > 0) {
    process.stdout.write(`failed requests:\n${failures.join('\n')}\n`)
    process.exitCode = 1
  }
}

await main()
