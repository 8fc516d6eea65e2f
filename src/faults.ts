/**
 * Fault rules (`POST /_emulator/faults`): production's failures on demand. A rule names the
 * calls it applies to (a discovery method id, a `people.people.*` prefix or `*`; optionally
 * one account), how many times it fires (`times`, 0 = until removed), how many matching calls
 * it lets through first (`after`), the chance it fires on a matching call (`probability`,
 * drawn from the emulator's random stream, so `--seed` repeats it), whether the call is
 * refused before anything is applied or answered with the error after it was applied and
 * stored (`when`), the error, and a delay.
 *
 * Only one rule fires on a call: the first one, in the order they were added, that matches
 * and draws. `before` rules are consulted when the call arrives (after its credentials are
 * checked), `after` rules once the call has succeeded — a call that fails on its own answers
 * its own error and is not counted by an `after` rule.
 */
import { methods } from './generated/discovery.js'
import { ApiError, CANONICAL_CODES, failedPrecondition, internal, invalidArgument, unavailable, type CanonicalCode, type ErrorDetail } from './errors.js'
import { dailyQuotaExceeded, rateLimitExceeded, rateQuotaOf } from './quotas.js'
import type { RandomSource } from './ids.js'
import { renderValue } from './discovery/transcode.js'

export const FAULT_ERRORS = ['RATE_LIMIT_EXCEEDED', 'DAILY_QUOTA_EXCEEDED', 'UNAVAILABLE', 'INTERNAL', 'BAD_GATEWAY'] as const
export type NamedFaultError = typeof FAULT_ERRORS[number]

export interface CustomFaultError {
  code: number
  status: CanonicalCode
  message: string
  reason?: string
  details?: ErrorDetail[]
}

export interface FaultRule {
  id: string
  method: string
  account: string | null
  times: number
  after: number
  probability: number
  when: 'before' | 'after'
  error: NamedFaultError | CustomFaultError | null
  delayMs: number
  /** Calls the rule fired on. */
  hits: number
  /** Matching calls seen (those let through by `after` and by chance included). */
  matched: number
}

/** What a rule that fires does to a call. */
export interface FaultAction {
  rule: FaultRule
  delayMs: number
  /** The error to answer; undefined: only the delay. */
  error: ApiError | undefined
  /** BAD_GATEWAY: the HTML page instead of an error envelope. */
  html: string | undefined
}

/** The most rules kept at once (chosen). */
export const MAX_FAULT_RULES = 1000
/** The longest delay a rule may ask for, in milliseconds (chosen: five minutes). */
export const MAX_DELAY_MS = 300_000

const METHOD_IDS: ReadonlySet<string> = new Set(methods.map(m => m.id))
const FIELDS = new Set(['method', 'account', 'times', 'after', 'probability', 'when', 'error', 'delayMs'])

/**
 * The HTML page Google's front end answers a 502 with, as clients have logged it
 * (google-api-php-client#2421, google-cloud-rust#4459), served as `text/html; charset=UTF-8`.
 */
export const BAD_GATEWAY_PAGE = `<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">
  <title>Error 502 (Server Error)!!1</title>
  <style>
    *{margin:0;padding:0}html,code{font:15px/22px arial,sans-serif}html{background:#fff;color:#222;padding:15px}body{margin:7% auto 0;max-width:390px;min-height:180px;padding:30px 0 15px}* > body{background:url(//www.google.com/images/errors/robot.png) 100% 5px no-repeat;padding-right:205px}p{margin:11px 0 22px;overflow:hidden}ins{color:#777;text-decoration:none}a img{border:0}@media screen and (max-width:772px){body{background:none;margin-top:0;max-width:none;padding-right:0}}#logo{background:url(//www.google.com/images/branding/googlelogo/1x/googlelogo_color_150x54dp.png) no-repeat;margin-left:-5px}@media only screen and (min-resolution:192dpi){#logo{background:url(//www.google.com/images/branding/googlelogo/2x/googlelogo_color_150x54dp.png) no-repeat 0% 0%/100% 100%;-moz-border-image:url(//www.google.com/images/branding/googlelogo/2x/googlelogo_color_150x54dp.png) 0}}@media only screen and (-webkit-min-device-pixel-ratio:2){#logo{background:url(//www.google.com/images/branding/googlelogo/2x/googlelogo_color_150x54dp.png) no-repeat;-webkit-background-size:100% 100%}}#logo{display:inline-block;height:54px;width:150px}
  </style>
  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>
  <p><b>502.</b> <ins>That’s an error.</ins>
  <p>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.  <ins>That’s all we know.</ins>
`

/** How deep a custom error's details may nest, and how long their JSON may be (chosen: Google's details are a few levels and a few hundred characters). */
export const MAX_DETAILS_DEPTH = 32
export const MAX_DETAILS_CHARS = 64 * 1024

/**
 * Whether arrays and objects in `value` nest deeper than `max`, walked without recursion. A
 * value of more than MAX_DETAILS_CHARS / 2 parts (each at least a character and a comma of
 * JSON) is too long anyway: the walk stops there and says so.
 */
function deeperThan (value: unknown, max: number): boolean | 'long' {
  const stack: Array<[unknown, number]> = [[value, 1]]
  let parts = 0
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (depth > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (++parts > MAX_DETAILS_CHARS / 2) return 'long'
      stack.push([child, depth + 1])
    }
  }
  return false
}

function wholeNumber (value: unknown, name: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw invalidArgument(`Invalid fault ${name} ${renderValue(value)}: expected a whole number from 0 to ${max}.`)
  }
  return value
}

function readMethod (value: unknown): string {
  if (value === '*') return value
  if (typeof value === 'string' && value.endsWith('.*')) {
    const prefix = value.slice(0, -1)
    if ([...METHOD_IDS].some(id => id.startsWith(prefix))) return value
    throw invalidArgument(`Invalid fault method ${renderValue(value)}: no method of the People API starts with "${prefix}".`)
  }
  if (typeof value === 'string' && METHOD_IDS.has(value)) return value
  throw invalidArgument(`Invalid fault method ${renderValue(value)}: expected a method id of the discovery document (people.people.updateContact), a prefix ending in ".*" (people.contactGroups.*), or "*".`)
}

function readCustomError (value: Record<string, unknown>): CustomFaultError {
  for (const key of Object.keys(value)) {
    if (!['code', 'status', 'message', 'reason', 'details'].includes(key)) throw invalidArgument(`Unknown field "${key}" in a custom fault error: it is {"code", "status", "message"} with an optional "reason" and "details".`)
  }
  const { code, status, message, reason, details } = value
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 599) throw invalidArgument(`Invalid custom fault error code ${renderValue(code)}: expected an HTTP status from 400 to 599.`)
  if (typeof status !== 'string' || !(CANONICAL_CODES as readonly string[]).includes(status)) throw invalidArgument(`Invalid custom fault error status ${renderValue(status)}: expected a canonical code (${CANONICAL_CODES.join(', ')}).`)
  if (typeof message !== 'string' || message.length > 10_000) throw invalidArgument('Invalid custom fault error message: expected a string of at most 10000 characters.')
  const out: CustomFaultError = { code, status: status as CanonicalCode, message }
  if (reason !== undefined) {
    if (typeof reason !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(reason)) throw invalidArgument('Invalid custom fault error reason: expected a word such as "backendError".')
    out.reason = reason
  }
  if (details !== undefined) {
    if (!Array.isArray(details) || details.length > 20 || !details.every(d => typeof d === 'object' && d !== null && !Array.isArray(d) && typeof (d as Record<string, unknown>)['@type'] === 'string')) {
      throw invalidArgument('Invalid custom fault error details: expected up to 20 objects, each with an "@type".')
    }
    // Answered with every matching call and listed by GET /_emulator/faults: bounded, so that
    // they can always be written (JSON.stringify recurses) and stay small.
    const deep = deeperThan(details, MAX_DETAILS_DEPTH)
    if (deep === true) throw invalidArgument(`Invalid custom fault error details: nested more than ${MAX_DETAILS_DEPTH} deep.`)
    if (deep === 'long' || JSON.stringify(details).length > MAX_DETAILS_CHARS) throw invalidArgument(`Invalid custom fault error details: longer than ${MAX_DETAILS_CHARS} characters of JSON.`)
    out.details = details as ErrorDetail[]
  }
  return out
}

function readError (value: unknown): FaultRule['error'] {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' && (FAULT_ERRORS as readonly string[]).includes(value)) return value as NamedFaultError
  if (typeof value === 'object' && !Array.isArray(value)) return readCustomError(value as Record<string, unknown>)
  throw invalidArgument(`Invalid fault error ${renderValue(value)}: expected ${FAULT_ERRORS.join(', ')}, or {"code", "status", "message"}.`)
}

/** Checks a rule as `POST /_emulator/faults` receives it; throws a 400 naming the field. */
export function parseFaultRule (body: unknown, id: string): FaultRule {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidArgument('A fault rule is a JSON object: {"method", "error" and/or "delayMs", …}.')
  const b = body as Record<string, unknown>
  for (const key of Object.keys(b)) {
    if (!FIELDS.has(key)) throw invalidArgument(`Unknown fault field "${key}": a rule has ${[...FIELDS].join(', ')}.`)
  }
  if (b.method === undefined) throw invalidArgument('A fault rule needs "method": a method id (people.people.updateContact), a prefix ending in ".*", or "*".')
  const method = readMethod(b.method)
  let account: string | null = null
  if (b.account !== undefined && b.account !== null) {
    if (typeof b.account !== 'string' || b.account === '' || b.account.length > 1000) throw invalidArgument(`Invalid fault account ${renderValue(b.account)}: expected an account id.`)
    account = b.account
  }
  const times = b.times === undefined ? 1 : wholeNumber(b.times, 'times', 1_000_000_000)
  const after = b.after === undefined ? 0 : wholeNumber(b.after, 'after', 1_000_000_000)
  let probability = 1
  if (b.probability !== undefined) {
    if (typeof b.probability !== 'number' || !(b.probability > 0 && b.probability <= 1)) throw invalidArgument(`Invalid fault probability ${renderValue(b.probability)}: expected a number more than 0 and at most 1.`)
    probability = b.probability
  }
  if (b.when !== undefined && b.when !== 'before' && b.when !== 'after') throw invalidArgument(`Invalid fault when ${renderValue(b.when)}: expected "before" (nothing is applied) or "after" (the call is applied, then the error answered).`)
  const when = (b.when ?? 'before') as 'before' | 'after'
  const error = readError(b.error)
  const delayMs = b.delayMs === undefined ? 0 : wholeNumber(b.delayMs, 'delayMs', MAX_DELAY_MS)
  if (error === null && delayMs === 0) throw invalidArgument('A fault rule needs an "error", a "delayMs" of more than 0, or both.')
  return { id, method, account, times, after, probability, when, error, delayMs, hits: 0, matched: 0 }
}

/** The error a rule's `error` answers for a call of `methodId`. */
export function faultError (error: NamedFaultError | CustomFaultError, methodId: string): ApiError | undefined {
  switch (error) {
    case 'RATE_LIMIT_EXCEEDED': return rateLimitExceeded(rateQuotaOf(methodId))
    case 'DAILY_QUOTA_EXCEEDED': return dailyQuotaExceeded()
    case 'UNAVAILABLE': return unavailable('The service is currently unavailable.')
    case 'INTERNAL': return internal()
    case 'BAD_GATEWAY': return undefined
  }
  return new ApiError(error.status, error.message, { httpStatus: error.code, reason: error.reason, details: error.details })
}

/** The rules of one emulator, in the order they were added. */
export class FaultRules {
  private rules: FaultRule[] = []
  private nextId = 1
  /** Rules of each kind: the request path looks at these counts before anything else. */
  before = 0
  after = 0

  constructor (private readonly random: RandomSource) {}

  add (body: unknown): FaultRule {
    if (this.rules.length >= MAX_FAULT_RULES) throw failedPrecondition(`The emulator already holds ${MAX_FAULT_RULES} fault rules, the most it keeps: remove some (DELETE /_emulator/faults/ID or DELETE /_emulator/faults) first.`)
    const rule = parseFaultRule(body, `f${this.nextId}`)
    this.nextId++
    this.rules.push(rule)
    this.count()
    return rule
  }

  list (): FaultRule[] {
    return this.rules.map(r => ({ ...r }))
  }

  remove (id: string): boolean {
    const before = this.rules.length
    this.rules = this.rules.filter(r => r.id !== id)
    this.count()
    return this.rules.length !== before
  }

  clear (): void {
    this.rules = []
    this.count()
  }

  private count (): void {
    this.before = this.rules.filter(r => r.when === 'before').length
    this.after = this.rules.length - this.before
  }

  /**
   * The rule that fires on a call (its counts updated), or undefined. `when` says which rules
   * are consulted: those applied on arrival, or those applied to a call that succeeded.
   */
  fire (when: 'before' | 'after', methodId: string, accountId: string | null): FaultAction | undefined {
    for (const rule of this.rules) {
      if (rule.when !== when) continue
      if (rule.times !== 0 && rule.hits >= rule.times) continue
      if (rule.account !== null && rule.account !== accountId) continue
      if (rule.method !== '*' && rule.method !== methodId && !(rule.method.endsWith('.*') && methodId.startsWith(rule.method.slice(0, -1)))) continue
      rule.matched++
      if (rule.matched <= rule.after) continue
      // Drawn only for a rule that leaves it to chance: other rules leave the stream (and so
      // the ids a seeded emulator hands out) as it was.
      if (rule.probability < 1 && this.random.bytes(4).readUInt32BE() / 0x1_0000_0000 >= rule.probability) continue
      rule.hits++
      const error = rule.error === null ? undefined : faultError(rule.error, methodId)
      return { rule, delayMs: rule.delayMs, error, html: rule.error === 'BAD_GATEWAY' ? BAD_GATEWAY_PAGE : undefined }
    }
    return undefined
  }
}
