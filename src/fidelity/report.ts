/** The fidelity ledger as JSON (GET /_emulator/fidelity) and as Markdown (FIDELITY.md). */
import { methods } from '../generated/discovery.js'
import { LEDGER, type LedgerRow } from './ledger.js'

export interface FidelityReport {
  methods: Array<{ id: string, httpMethod: string, path: string, emulated: boolean }>
  behaviours: readonly LedgerRow[]
}

export function fidelity (implemented: ReadonlySet<string>): FidelityReport {
  return {
    methods: methods.map(m => ({ id: m.id, httpMethod: m.httpMethod, path: '/' + m.flatPath, emulated: implemented.has(m.id) })),
    behaviours: LEDGER
  }
}

function evidence (row: LedgerRow): string {
  const base = row.source ? `${row.evidence} (${row.source})` : row.evidence
  return row.chosen ? `${base}; chosen: ${row.chosen}` : base
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function fidelityMarkdown (implemented: ReadonlySet<string>): string {
  const report = fidelity(implemented)
  const lines = [
    '# Fidelity ledger',
    '',
    '<!-- Generated from src/fidelity/ledger.ts by `npm run generate`; test/fidelity.test.ts fails when it is stale. -->',
    '',
    'What the emulator reproduces, what each behaviour rests on, and the test that pins it.',
    'Evidence: **documented** (Google\'s reference or discovery document), **observed** (real',
    'responses seen in public bug reports), **chosen** (no evidence found: this project\'s choice).',
    'The same data is served as JSON at `GET /_emulator/fidelity`.',
    '',
    '## Methods',
    '',
    '| method | HTTP | emulated |',
    '|---|---|---|',
    ...report.methods.map(m => `| \`${m.id}\` | \`${m.httpMethod} ${m.path}\` | ${m.emulated ? 'yes' : 'no: 501 UNIMPLEMENTED'} |`),
    '',
    '## Behaviours',
    '',
    '| area | behaviour | evidence | test |',
    '|---|---|---|---|',
    ...report.behaviours.map(r => `| ${cell(r.area)} | ${cell(r.behaviour)} | ${cell(evidence(r))} | ${cell(r.test)} |`),
    ''
  ]
  return lines.join('\n')
}
