/**
 * The parity run (conformance/): the scenarios pass against the emulator, report a difference
 * when the endpoint answers otherwise, and leave nothing behind; the command as CI runs it.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import type { FastifyInstance } from 'fastify'
import { body, build } from './helpers/app.js'
import { runParity } from '../conformance/parity.js'
import { SCENARIOS } from '../conformance/scenarios.js'

async function listen (t: Parameters<typeof build>[0]): Promise<{ app: FastifyInstance, rootUrl: string }> {
  const app = await build(t)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, rootUrl: address + '/' }
}

async function leftOver (app: FastifyInstance, token: string): Promise<{ contacts: number, groups: number }> {
  const exported = body(await app.inject({ url: '/_emulator/export' }))
  const account = exported.accounts.find((a: any) => a.tokens?.some((k: any) => k.token === token))
  return { contacts: account?.contacts?.length ?? 0, groups: account?.groups?.length ?? 0 }
}

t.test('every scenario passes against the emulator, and the run deletes what it created', async t => {
  const { app, rootUrl } = await listen(t)
  const report = await runParity({ rootUrl, token: 'parity', pollMs: 0 })
  t.same(report.scenarios.map(s => [s.name, s.result, s.differences]), SCENARIOS.map(s => [s.name, 'pass', []]))
  t.equal(report.passed, SCENARIOS.length)
  t.equal(report.differs, 0)
  t.ok(report.cleanup.contacts >= 3 && report.cleanup.groups === 2, `it created contacts (${report.cleanup.contacts}) and groups (${report.cleanup.groups})`)
  t.same(report.cleanup.left, [])
  t.same(await leftOver(app, 'parity'), { contacts: 0, groups: 0 }, 'the account is as empty as before')
  t.ok(app.journal.entries({ account: 'parity' }).length > 40, 'the calls went to the emulator')
})

t.test('an endpoint that answers otherwise is reported, with the difference, and still cleaned up', async t => {
  const { app, rootUrl } = await listen(t)
  // A stand-in for a behaviour that differs: every rename of a group answers a 500.
  app.faults.add({ method: 'people.contactGroups.update', times: 0, error: 'INTERNAL' })
  const report = await runParity({ rootUrl, token: 'parity', pollMs: 0 })
  const differs = report.scenarios.filter(s => s.result === 'differs')
  t.same(differs.map(s => s.name), ['contactGroups.update: rename, etags, names unique, system groups'])
  t.match(differs[0]!.differences[0], { check: 'contactGroups.update with the current etag', evidence: 'documented', expected: '2xx', got: /^500 / })
  t.equal(report.passed, SCENARIOS.length - 1)
  t.same(report.cleanup.left, [])
  t.same(await leftOver(app, 'parity'), { contacts: 0, groups: 0 })
  const only = await runParity({ rootUrl, token: 'parity', pollMs: 0, only: 'HTTP batch' })
  t.same(only.scenarios.map(s => s.result), ['pass'], '--only runs the scenarios named')
})

function run (args: string[]): Promise<{ code: number | null, out: string, err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'conformance/run.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    child.on('error', reject)
    child.on('close', code => { resolve({ code, out, err }) })
  })
}

t.test('npm run conformance: against an emulator of its own by default; --target needs --token', async t => {
  const ok = await run([])
  t.equal(ok.code, 0, ok.err)
  t.match(ok.out, /^parity run against http:\/\/127\.0\.0\.1:\d+\/ \(an emulator started for the run\)\n/)
  for (const s of SCENARIOS) t.ok(ok.out.includes(`pass     ${s.name}\n`), s.name)
  t.match(ok.out, /cleanup: \d+ contacts and 2 contact groups created by the run \([0-9a-f]{8}\) deleted; none is left\n/)
  t.ok(ok.out.endsWith(`${SCENARIOS.length} passed, 0 differ\n`))
  const { app, rootUrl } = await listen(t)
  app.faults.add({ method: 'people.people.batchCreateContacts', times: 0, error: 'UNAVAILABLE' })
  const differs = await run(['--target', rootUrl, '--token', 'cli', '--only', 'batch: batchCreateContacts'])
  t.equal(differs.code, 1)
  t.match(differs.out, /differs {2}batch: batchCreateContacts, batchUpdateContacts, batchDeleteContacts\n {11}- batchCreateContacts \[documented\]\n {13}expected: "2xx"\n {13}got: {6}"503 /)
  t.ok(differs.out.endsWith('0 passed, 1 differ\n'))
  const usage = await run(['--target', 'https://people.googleapis.com/'])
  t.equal(usage.code, 2)
  t.match(usage.err, /^--target needs --token \(or PEOPLE_PARITY_TOKEN\): an OAuth access token with the contacts scope\.\nusage: npm run conformance/)
})
