/**
 * The People API's per-user quotas as Google counts them (FIDELITY.md: quotas): what each method
 * spends, the 429 each one answers when exhausted, and — with `--quotas on` — a ledger of what
 * each account has spent in the current minute and day of the emulator clock.
 *
 * Quota names, costs and the read-quota 429 are documented or observed; the per-minute limits
 * Google applies are not published, so the defaults here are chosen (and settable with
 * `--quota-limits`). A call that would exceed any of its quotas spends nothing and is answered
 * with the 429 of the first exhausted one, in the order the method's costs are listed.
 */
import { ApiError, ERROR_INFO } from './errors.js'
import { formatTime } from './clock.js'

/** The consumer named in quota errors (chosen: the emulator has no Cloud project). */
export const EMULATOR_PROJECT_NUMBER = '000000000000'

export const QUOTA_NAMES = ['critical_read', 'critical_write', 'daily_write', 'read', 'write', 'photo_write'] as const
export type QuotaName = typeof QUOTA_NAMES[number]

export interface QuotaDefinition {
  /** The quota metric's display name, as Google's 429 message and the Cloud console show it. */
  displayName: string
  /** The metric id (ErrorInfo `quota_metric`). */
  metric: string
  /** The limit id (ErrorInfo `quota_limit`). */
  limitName: string
  /** Per minute, or per day (days end at midnight Pacific time, as Google's daily quotas do). */
  window: 'minute' | 'day'
  /** The limit enforced unless --quota-limits sets another (chosen: Google does not publish them). */
  defaultLimit: number
}

export const QUOTAS: Readonly<Record<QuotaName, QuotaDefinition>> = {
  critical_read: { displayName: 'Critical read requests (Contact and Profile Reads)', metric: 'people.googleapis.com/critical_read_requests', limitName: 'CriticalReadsPerMinutePerProjectPerUser', window: 'minute', defaultLimit: 90 },
  critical_write: { displayName: 'Critical write requests (Contact Creates and Updates)', metric: 'people.googleapis.com/critical_write_requests', limitName: 'CriticalWritesPerMinutePerProjectPerUser', window: 'minute', defaultLimit: 60 },
  daily_write: { displayName: 'Daily Contact Writes (Total)', metric: 'people.googleapis.com/daily_contact_writes', limitName: 'DailyContactWritesPerProjectPerUser', window: 'day', defaultLimit: 10000 },
  read: { displayName: 'Read requests (Contact Group Reads)', metric: 'people.googleapis.com/read_requests', limitName: 'ReadRequestsPerMinutePerProjectPerUser', window: 'minute', defaultLimit: 180 },
  write: { displayName: 'Write requests (Contact Deletes and Contact Group Writes)', metric: 'people.googleapis.com/write_requests', limitName: 'WriteRequestsPerMinutePerProjectPerUser', window: 'minute', defaultLimit: 60 },
  photo_write: { displayName: 'Photo write requests (Photo Updates)', metric: 'people.googleapis.com/photo_write_requests', limitName: 'PhotoWritesPerMinutePerProjectPerUser', window: 'minute', defaultLimit: 60 }
}

export type QuotaLimits = Readonly<Record<QuotaName, number>>
export const DEFAULT_QUOTA_LIMITS: QuotaLimits = Object.fromEntries(QUOTA_NAMES.map(n => [n, QUOTAS[n].defaultLimit])) as Record<QuotaName, number>

type Costs = ReadonlyArray<readonly [QuotaName, number]>
const CONTACT_WRITE: Costs = [['critical_read', 1], ['critical_write', 1], ['daily_write', 1]]
const BATCH_WRITE: Costs = [['critical_read', 6], ['critical_write', 6], ['daily_write', 200]]
const CONTACT_READ: Costs = [['critical_read', 1]]
const GROUP_READ: Costs = [['read', 1]]
const GROUP_WRITE: Costs = [['write', 1]]
const PHOTO_WRITE: Costs = [['photo_write', 1]]

/**
 * What each method spends. Documented (the People API's contacts guide): createContact and
 * updateContact, the batch create and update, deleteContact and batchDeleteContacts, and the
 * quota each kind of call falls under; the rest follows the quotas' names (chosen: other
 * contacts and the directory spend a critical read, a copy into My Contacts spends what a
 * createContact does).
 */
export const METHOD_COSTS: Readonly<Record<string, Costs>> = {
  'people.people.createContact': CONTACT_WRITE,
  'people.people.updateContact': CONTACT_WRITE,
  'people.otherContacts.copyOtherContactToMyContactsGroup': CONTACT_WRITE,
  'people.people.batchCreateContacts': BATCH_WRITE,
  'people.people.batchUpdateContacts': BATCH_WRITE,
  'people.people.deleteContact': GROUP_WRITE,
  'people.people.batchDeleteContacts': [['write', 10]],
  'people.people.updateContactPhoto': PHOTO_WRITE,
  'people.people.deleteContactPhoto': PHOTO_WRITE,
  'people.people.get': CONTACT_READ,
  'people.people.getBatchGet': CONTACT_READ,
  'people.people.connections.list': CONTACT_READ,
  'people.people.searchContacts': CONTACT_READ,
  'people.people.listDirectoryPeople': CONTACT_READ,
  'people.people.searchDirectoryPeople': CONTACT_READ,
  'people.otherContacts.list': CONTACT_READ,
  'people.otherContacts.search': CONTACT_READ,
  'people.contactGroups.get': GROUP_READ,
  'people.contactGroups.list': GROUP_READ,
  'people.contactGroups.batchGet': GROUP_READ,
  'people.contactGroups.create': GROUP_WRITE,
  'people.contactGroups.update': GROUP_WRITE,
  'people.contactGroups.delete': GROUP_WRITE,
  'people.contactGroups.members.modify': GROUP_WRITE
}

/** The per-minute quota whose 429 fits a method: its write quota if it writes, else its read quota. */
export function rateQuotaOf (methodId: string): QuotaName {
  const costs = METHOD_COSTS[methodId] ?? CONTACT_READ
  for (const name of ['critical_write', 'write', 'photo_write', 'critical_read', 'read'] as const) {
    if (costs.some(([n]) => n === name)) return name
  }
  return 'critical_read'
}

/**
 * Google's per-minute quota 429 (FIDELITY.md: faults, RATE_LIMIT_EXCEEDED; observed): RESOURCE_EXHAUSTED, the message
 * naming the metric and limit, ErrorInfo RATE_LIMIT_EXCEEDED with the metadata in the order
 * real responses carry it; the legacy reason is rateLimitExceeded.
 */
export function rateLimitExceeded (quota: QuotaName): ApiError {
  const q = QUOTAS[quota]
  if (q.window === 'day') return dailyQuotaExceeded()
  return new ApiError('RESOURCE_EXHAUSTED', `Quota exceeded for quota metric '${q.displayName}' and limit '${q.displayName} per minute per user' of service 'people.googleapis.com' for consumer 'project_number:${EMULATOR_PROJECT_NUMBER}'.`, {
    details: [{
      '@type': ERROR_INFO,
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'googleapis.com',
      metadata: {
        quota_limit: q.limitName,
        service: 'people.googleapis.com',
        quota_metric: q.metric,
        consumer: `projects/${EMULATOR_PROJECT_NUMBER}`
      }
    }]
  })
}

/** The daily write quota's 429 (FIDELITY.md: faults, DAILY_QUOTA_EXCEEDED; observed in php-google-people-api#45): a QuotaFailure, no legacy errors. */
export function dailyQuotaExceeded (): ApiError {
  return new ApiError('RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', {
    legacy: false,
    details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ subject: 'QUOTA_EXCEEDED', description: 'FBS quota limit exceeded' }] }]
  })
}

/**
 * `--quota-limits` text: `name=n` pairs separated by commas (`critical_write=5,daily_write=100`).
 * Returns the limits (defaults for names not given), or a message.
 */
export function parseQuotaLimits (text: string): QuotaLimits | string {
  const limits: Record<QuotaName, number> = { ...DEFAULT_QUOTA_LIMITS }
  for (const part of text.split(',').map(p => p.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)=(\d{1,9})$/.exec(part)
    if (m === null) return `"${part}" is not name=number (e.g. critical_write=60)`
    if (!(QUOTA_NAMES as readonly string[]).includes(m[1]!)) return `unknown quota "${m[1]}" (known: ${QUOTA_NAMES.join(', ')})`
    limits[m[1] as QuotaName] = Number(m[2])
  }
  return limits
}

const MINUTE = 60_000_000n

/**
 * Pacific-time formats, made at their first use: the first Intl object of a process costs
 * ~25 ms (ICU loads its data), which an emulator without --quotas never needs — not at
 * every start.
 */
let pacific: { date: Intl.DateTimeFormat, hour: Intl.DateTimeFormat } | undefined
function pacificFormats (): { date: Intl.DateTimeFormat, hour: Intl.DateTimeFormat } {
  pacific ??= {
    date: new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit' }),
    hour: new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', hour: 'numeric', hourCycle: 'h23' })
  }
  return pacific
}

/** The Pacific-time date of an instant (`2026-01-01`): the daily quotas' day. */
function dayOf (micros: bigint): string {
  return pacificFormats().date.format(new Date(Number(micros / 1000n)))
}

/** The instant the Pacific-time day after `day` begins (midnight is 07:00 or 08:00 UTC). */
function dayEnd (day: string): bigint {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  for (const utcHour of [7, 8]) {
    const ms = Date.UTC(y, m - 1, d + 1, utcHour)
    if (pacificFormats().hour.format(new Date(ms)) === '0') return BigInt(ms) * 1000n
  }
  return BigInt(Date.UTC(y, m - 1, d + 1, 8)) * 1000n
}

interface Spending {
  minute: bigint
  day: string
  spent: Record<QuotaName, number>
}

/** What `GET /_emulator/quotas?account=` shows of one quota. */
export interface QuotaState {
  name: QuotaName
  displayName: string
  metric: string
  window: 'minute' | 'day'
  limit: number
  spent: number
  remaining: number
  /** When the window ends and the quota is full again (emulator-clock time). */
  resetTime: string
}

/**
 * Accounts whose spending the ledger keeps at most (chosen): past it, the account that called
 * least recently is forgotten (it starts again from nothing), so that a stream of new tokens
 * cannot grow the ledger without bound.
 */
export const MAX_QUOTA_ACCOUNTS = 10_000
/** Entries whose windows have passed that one new account's first call forgets, at most. */
const STALE_PER_CALL = 2

/**
 * What each account has spent in the current minute and day; one per emulator. Each call costs
 * the same whatever the number of accounts: the map is kept in the order of the accounts'
 * latest calls, so those whose windows have passed, and the one to forget when it is full, are
 * at its front.
 */
export class QuotaLedger {
  private readonly accounts = new Map<string, Spending>()

  constructor (readonly enabled: boolean, readonly limits: QuotaLimits) {}

  /** Accounts whose spending is kept. */
  get size (): number {
    return this.accounts.size
  }

  private current (accountId: string, now: bigint): Spending {
    const minute = now / MINUTE
    let s = this.accounts.get(accountId)
    if (s === undefined) {
      const day = dayOf(now)
      this.makeRoom(minute, day)
      s = { minute, day, spent: { critical_read: 0, critical_write: 0, daily_write: 0, read: 0, write: 0, photo_write: 0 } }
      this.accounts.set(accountId, s)
      return s
    }
    // The latest call's account goes to the back.
    this.accounts.delete(accountId)
    this.accounts.set(accountId, s)
    if (s.minute !== minute) {
      s.minute = minute
      for (const name of QUOTA_NAMES) if (QUOTAS[name].window === 'minute') s.spent[name] = 0
      const day = dayOf(now)
      if (day !== s.day) {
        s.day = day
        s.spent.daily_write = 0
      }
    }
    return s
  }

  /**
   * Before a new account's first call: a few of the least recent accounts whose windows have
   * all passed are forgotten (nothing is lost), and when the ledger is full, the least recent.
   */
  private makeRoom (minute: bigint, day: string): void {
    let stale = 0
    for (const [id, s] of this.accounts) {
      if (stale === STALE_PER_CALL || s.minute === minute || (s.day === day && s.spent.daily_write > 0)) break
      this.accounts.delete(id)
      stale++
    }
    if (this.accounts.size >= MAX_QUOTA_ACCOUNTS) this.accounts.delete(this.accounts.keys().next().value!)
  }

  /**
   * Spends what a call of `methodId` costs for an account at `now`; returns the 429 of the first
   * quota it would exceed (and spends nothing), or undefined.
   */
  spend (accountId: string, methodId: string, now: bigint): ApiError | undefined {
    const costs = METHOD_COSTS[methodId]
    if (costs === undefined) return undefined
    const s = this.current(accountId, now)
    for (const [name, cost] of costs) {
      if (s.spent[name] + cost > this.limits[name]) return rateLimitExceeded(name)
    }
    for (const [name, cost] of costs) s.spent[name] += cost
    return undefined
  }

  /** Each quota's limit, what the account has spent of it and when it is full again. */
  state (accountId: string, now: bigint): QuotaState[] {
    const s = this.enabled ? this.current(accountId, now) : undefined
    const minuteEnd = (now / MINUTE + 1n) * MINUTE
    return QUOTA_NAMES.map(name => {
      const q = QUOTAS[name]
      const spent = s?.spent[name] ?? 0
      const limit = this.limits[name]
      return {
        name,
        displayName: q.displayName,
        metric: q.metric,
        window: q.window,
        limit,
        spent,
        remaining: Math.max(0, limit - spent),
        resetTime: formatTime(q.window === 'minute' ? minuteEnd : dayEnd(dayOf(now)))
      }
    })
  }

  /** Forgets what one account, or every account, has spent. */
  clear (accountId?: string): void {
    if (accountId === undefined) this.accounts.clear()
    else this.accounts.delete(accountId)
  }
}
