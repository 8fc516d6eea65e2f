import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { LEDGER } from '../src/fidelity/ledger.js'
import { fidelityMarkdown } from '../src/fidelity/report.js'
import { implementations } from '../routes/v1/index.js'
import type { MethodId } from '../src/generated/contract.js'
import { fidelityFile } from '../scripts/generate.js'
import { body, build } from './helpers/app.js'

t.test('FIDELITY.md is generated from the ledger and up to date', async t => {
  t.equal(readFileSync(fidelityFile, 'utf8'), fidelityMarkdown(new Set(Object.keys(implementations))), 'run `npm run generate` and commit the result')
})

t.test('every ledger row names a test that exists', async t => {
  for (const row of LEDGER) {
    const m = /^(test\/[\w./-]+\.test\.ts): (.+)$/.exec(row.test)
    t.ok(m, `row "${row.behaviour}" names a test as "file: title"`)
    if (!m) continue
    t.ok(existsSync(m[1]!), `${m[1]} exists`)
    const source = readFileSync(m[1]!, 'utf8')
    t.ok(source.includes(`t.test('${m[2]!.replace(/'/g, "\\'")}'`), `${m[1]} has the test "${m[2]}"`)
  }
})

t.test('GET /_emulator/fidelity serves the ledger and the methods', async t => {
  const app = await build(t, {}, { implementations: { 'people.contactGroups.list': async () => ({}) } })
  const res = body(await app.inject({ url: '/_emulator/fidelity' }))
  t.equal(res.methods.length, 24)
  t.same(res.methods.find((m: any) => m.id === 'people.contactGroups.list'), { id: 'people.contactGroups.list', httpMethod: 'GET', path: '/v1/contactGroups', emulated: true })
  for (const m of res.methods) t.equal(m.emulated, m.id === 'people.contactGroups.list' || implementations[m.id as MethodId] !== undefined, m.id)
  t.same(res.behaviours, LEDGER)
})
