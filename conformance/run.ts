/**
 * `npm run conformance -- [--target <rootUrl>] [--token <OAuth token>] [--only <text>] [--json <file>]`
 *
 * Runs the parity scenarios (conformance/scenarios.ts) against a People API endpoint and
 * prints each with pass / differs and the differences. Without --target it starts an emulator
 * of its own; with `--target https://people.googleapis.com/ --token <token>` it checks Google
 * itself (a token with the contacts scope: docs/faults-and-quotas.md, "The parity run"). Everything the run
 * creates is deleted at the end and read back to confirm it is gone. Exits 0 when every
 * scenario passes and nothing is left, 1 otherwise, 2 on a usage error.
 */
import { parseArgs } from 'node:util'
import { writeFileSync } from 'node:fs'
import { formatResult, runParity } from './parity.js'
import { startEmulator } from '../src/index.js'

function usage (message: string): never {
  process.stderr.write(`${message}\nusage: npm run conformance -- [--target <rootUrl>] [--token <OAuth token>] [--only <text>] [--json <file>]\n`)
  process.exit(2)
}

async function main (): Promise<void> {
  let args
  try {
    args = parseArgs({ options: { target: { type: 'string' }, token: { type: 'string' }, only: { type: 'string' }, json: { type: 'string' }, 'poll-ms': { type: 'string' } }, allowPositionals: false }).values
  } catch (err) {
    usage((err as Error).message)
  }
  const token = args.token ?? process.env.PEOPLE_PARITY_TOKEN
  if (args.target !== undefined && token === undefined) usage('--target needs --token (or PEOPLE_PARITY_TOKEN): an OAuth access token with the contacts scope.')
  if (args.target !== undefined && !/^https?:\/\//.test(args.target)) usage(`--target ${args.target}: expected a URL such as https://people.googleapis.com/`)
  const pollMs = args['poll-ms'] === undefined ? undefined : Number(args['poll-ms'])
  if (pollMs !== undefined && !(Number.isInteger(pollMs) && pollMs >= 0)) usage('--poll-ms: expected a whole number of milliseconds')

  const emulator = args.target === undefined ? await startEmulator() : undefined
  const rootUrl = args.target ?? emulator!.rootUrl
  process.stdout.write(`parity run against ${rootUrl}${emulator === undefined ? '' : ' (an emulator started for the run)'}\n\n`)
  try {
    const report = await runParity({ rootUrl, token: token ?? 'parity-token', only: args.only, pollMs: pollMs ?? (emulator === undefined ? 2000 : 0), onResult: result => { process.stdout.write(formatResult(result) + '\n') } })
    const { cleanup } = report
    process.stdout.write(`\ncleanup: ${cleanup.contacts} contacts and ${cleanup.groups} contact groups created by the run (${report.runId}) deleted; ${cleanup.left.length === 0 ? 'none is left' : `still there: ${cleanup.left.join(', ')}`}\n`)
    process.stdout.write(`${report.passed} passed, ${report.differs} differ\n`)
    if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n')
    process.exitCode = report.differs === 0 && cleanup.left.length === 0 ? 0 : 1
  } finally {
    await emulator?.close()
  }
}

await main()
