/**
 * The parity run (`npm run conformance`): every scenario of conformance/scenarios.ts against
 * one endpoint, then the cleanup — what the run created is deleted and confirmed gone.
 */
import { randomBytes } from 'node:crypto'
import { Abort, Context, SCENARIOS, type Difference } from './scenarios.js'

export interface ScenarioResult {
  name: string
  result: 'pass' | 'differs'
  differences: Difference[]
  /** A request that failed outright (the endpoint could not be reached). */
  failure?: string
}

export interface ParityReport {
  target: string
  runId: string
  scenarios: ScenarioResult[]
  passed: number
  differs: number
  cleanup: { contacts: number, groups: number, left: string[] }
}

export interface ParityOptions {
  rootUrl: string
  token: string
  /** Only the scenarios whose name includes this. */
  only?: string
  /** How long to wait between reads of an eventually consistent answer (Google's sync). */
  pollMs?: number
  /** Called with each scenario's result as it is known. */
  onResult?: (result: ScenarioResult) => void
}

export async function runParity (options: ParityOptions): Promise<ParityReport> {
  const rootUrl = options.rootUrl.endsWith('/') ? options.rootUrl : options.rootUrl + '/'
  const runId = randomBytes(4).toString('hex')
  const created = { contacts: new Set<string>(), groups: new Set<string>() }
  const scenarios: ScenarioResult[] = []
  const cleanupContext = new Context(rootUrl, options.token, runId, created, options.pollMs ?? 2000)
  let cleanup: ParityReport['cleanup'] | undefined
  try {
    for (const scenario of SCENARIOS) {
      if (options.only !== undefined && !scenario.name.includes(options.only)) continue
      const ctx = new Context(rootUrl, options.token, runId, created, options.pollMs ?? 2000)
      let failure: string | undefined
      try {
        await scenario.run(ctx)
      } catch (err) {
        if (!(err instanceof Abort)) failure = (err as Error).message
      }
      const result: ScenarioResult = { name: scenario.name, result: ctx.differences.length === 0 && failure === undefined ? 'pass' : 'differs', differences: ctx.differences }
      if (failure !== undefined) result.failure = failure
      scenarios.push(result)
      options.onResult?.(result)
    }
  } finally {
    // Whatever happened above, what the run created goes.
    cleanup = await cleanUp(cleanupContext)
  }
  return { target: rootUrl, runId, scenarios, passed: scenarios.filter(s => s.result === 'pass').length, differs: scenarios.filter(s => s.result === 'differs').length, cleanup }
}

/** Deletes what the run created and reads each back: what is still there is reported. */
async function cleanUp (ctx: Context): Promise<ParityReport['cleanup']> {
  const contacts = [...ctx.created.contacts]
  const groups = [...ctx.created.groups]
  const left: string[] = []
  for (let i = 0; i < contacts.length; i += 500) {
    await ctx.call('POST', 'v1/people:batchDeleteContacts', { body: { resourceNames: contacts.slice(i, i + 500) } }).catch(() => undefined)
  }
  for (const name of groups) await ctx.call('DELETE', `v1/${name}`).catch(() => undefined)
  for (const name of contacts) {
    const res = await ctx.call('GET', `v1/${name}`, { query: { personFields: 'metadata' } }).catch(() => undefined)
    if (res?.status !== 404) left.push(name)
  }
  for (const name of groups) {
    const res = await ctx.call('GET', `v1/${name}`).catch(() => undefined)
    if (res?.status !== 404) left.push(name)
  }
  return { contacts: contacts.length, groups: groups.length, left }
}

/** The report as the command prints it: a line per scenario, each difference under it. */
export function formatResult (result: ScenarioResult): string {
  const lines = [`${result.result === 'pass' ? 'pass   ' : 'differs'}  ${result.name}`]
  for (const d of result.differences) {
    lines.push(`           - ${d.check} [${d.evidence}]`, `             expected: ${JSON.stringify(d.expected)}`, `             got:      ${JSON.stringify(d.got)}`)
  }
  if (result.failure !== undefined) lines.push(`           - failed: ${result.failure}`)
  return lines.join('\n')
}
