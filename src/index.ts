/**
 * Library mode: the emulator in the test's own process, one import away.
 *
 *     import { startEmulator } from 'people-api-emulator'
 *     const emulator = await startEmulator({ fixtures, clock: 'fixed:2026-01-01T00:00:00Z', seed: 'suite' })
 *     const people = google.people({ version: 'v1', rootUrl: emulator.rootUrl, auth })
 *     …
 *     await emulator.close()
 *
 * Options are the command line's settings under their camel-case names, checked by the same
 * code (an invalid one rejects with the same one-line message); environment variables are not
 * read. Each emulator is independent: its own database, clock, journal and snapshots. The
 * control-plane methods go through the control plane's own routes (in process, without a
 * socket), so they behave exactly as their HTTP endpoints do.
 */
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { optionName, SETTINGS, type EmulatorOptions } from './options.js'
import { formatTime } from './clock.js'
import { cannotListen } from './listen.js'
import { FixtureError } from './fixtures/fixture.js'
import type { JournalEntry, JournalError, JournalFilter } from './plugins/journal.js'
import type { SnapshotInfo } from '../db/snapshots.js'
import type { CustomFaultError, FaultRule, NamedFaultError } from './faults.js'
import type { QuotaName, QuotaState } from './quotas.js'
import type { TokenAnswer } from './oauth/tokens.js'

export { ConfigError, FixtureError }
export type { JournalEntry, JournalError, JournalFilter, SnapshotInfo, FaultRule, NamedFaultError, CustomFaultError, QuotaName, QuotaState }

/** A fault rule as `emulator.faults.add` takes it (docs/faults-and-quotas.md). */
export interface FaultRuleInput {
  /** A discovery method id, a prefix ending in `.*`, or `*`. */
  method: string
  account?: string
  /** How many times it fires (default 1; 0: until removed). */
  times?: number
  /** Matching calls let through first (default 0). */
  after?: number
  /** The chance it fires on a matching call (default 1), drawn from the seeded random stream. */
  probability?: number
  /** `before` (default): nothing is applied; `after`: the call is applied, then the error answered. */
  when?: 'before' | 'after'
  error?: NamedFaultError | CustomFaultError
  delayMs?: number
}

/** The settings of `startEmulator`: the command line's, camel-cased. */
/**
 * The options of startEmulator: every setting of the command line under its flag's camel-case
 * name (`--max-storage` → `maxStorage`), from the one table of settings (src/options.ts; README:
 * Configuration). `fixtures` also takes the document itself; `port` is 0 (a free one) and
 * `logLevel` `silent` unless given.
 */
export type { EmulatorOptions, LogLevel } from './options.js'
export type { TokenAnswer } from './oauth/tokens.js'

/** What `emulator.oauth.mintTokens` takes (POST /_emulator/oauth/tokens). */
export interface MintRequest {
  account: string
  scopes: string[]
  clientId?: string
  /** Seconds the access token lives (1–86,400; 3599 by default). */
  expiresIn?: number
}

/** What `emulator.oauth.grants` answers (GET /_emulator/oauth/grants). */
export interface GrantsAnswer {
  account: string
  email: string
  grants: Array<{ clientId: string, scopes: string[], granted: string, refreshTokens: number, accessTokens: number, expires?: string }>
}

/** A control-plane call that the emulator refused: its HTTP status and Google-shaped error. */
export class EmulatorError extends Error {
  override name = 'EmulatorError'
  constructor (readonly statusCode: number, readonly status: string, message: string) {
    super(message)
  }
}

export interface Emulator {
  /** `http://127.0.0.1:40123`: where the emulator listens. */
  readonly url: string
  /** `http://127.0.0.1:40123/`: what Google's clients take as `rootUrl`. */
  readonly rootUrl: string
  readonly port: number
  /** Back to the start fixtures: everything (and the clock and random stream), or one account. */
  reset: (options?: { account?: string }) => Promise<void>
  /** Imports a fixture document (the accounts and domains it names are replaced). */
  import: (document: object) => Promise<{ accounts: string[], domains?: string[] }>
  /** The whole state as a fixture document. */
  export: () => Promise<Record<string, unknown>>
  readonly clock: {
    /** The emulator clock's time (RFC 3339). */
    now: () => string
    /** Moves it forward by a duration (`90s`, `8d`); resolves to the new time. */
    advance: (duration: string) => Promise<string>
    /** Sets it (forward only); resolves to the new time. */
    set: (time: string) => Promise<string>
  }
  /** The request journal, oldest first, filtered. */
  requests: (filter?: JournalFilter) => JournalEntry[]
  clearRequests: () => void
  /** Saves the whole state under a name (replacing a snapshot of that name). */
  snapshot: (name: string) => Promise<SnapshotInfo>
  /** Brings a snapshot's state back. */
  restore: (name: string) => Promise<SnapshotInfo>
  snapshots: () => Promise<SnapshotInfo[]>
  deleteSnapshot: (name: string) => Promise<void>
  /** Fault rules: production's failures on demand. */
  readonly faults: {
    /** Adds a rule; resolves to it with its id. */
    add: (rule: FaultRuleInput) => Promise<FaultRule>
    /** The rules with their hits. */
    list: () => Promise<FaultRule[]>
    remove: (id: string) => Promise<void>
    clear: () => Promise<void>
  }
  /** What an account has spent of each quota, and what it has left (`--quotas on`). */
  quotas: (account: string) => Promise<QuotaState[]>
  /** Sign in with Google without a browser: tokens for test set-up, grants seen and revoked (docs/oauth.md). */
  readonly oauth: {
    /** A token pair (and an ID token with `openid`) as `/token` answers, for an account and scopes; the client defaults to `people-api-emulator`. */
    mintTokens: (request: MintRequest) => Promise<TokenAnswer>
    /** What an account granted, per client. */
    grants: (account: string) => Promise<GrantsAnswer>
    /** Takes back what an account granted a client: its tokens stop working. */
    revoke: (account: string, clientId: string) => Promise<void>
  }
  /** Stops listening (requests in flight are answered) and closes the database. */
  close: () => Promise<void>
}

/**
 * The command line's flags by their camel-case names (`maxStorage` → `--max-storage`), from the
 * one table of settings (src/options.ts): a setting a later change adds is an option here at once.
 */
const FLAGS: ReadonlyMap<string, string> = new Map(SETTINGS
  .filter(s => s.key !== 'fixtures')
  .map(s => [optionName(s.flag), s.flag.split(' ')[0]!]))

/** The options as command-line arguments, so that they are checked as the command line's are. */
function toArgv (options: EmulatorOptions): string[] {
  const argv: string[] = []
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || name === 'fixtures') continue
    const flag = FLAGS.get(name)
    if (flag === undefined) throw new ConfigError(`invalid configuration: unknown option "${name}" (known: ${['fixtures', ...FLAGS.keys()].join(', ')})`)
    const text = Array.isArray(value)
      ? value.join(',')
      : name === 'quotaLimits' && typeof value === 'object' && value !== null
        ? Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(',')
        : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined
    if (text === undefined) throw new ConfigError(`invalid configuration: option "${name}" must be a ${name === 'allowedHosts' ? 'list of strings' : 'string, number or boolean'}`)
    argv.push(`${flag}=${text}`)
  }
  return argv
}

function urlHost (address: { address: string, family: string }): string {
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address
  return host.includes(':') ? `[${host}]` : host
}

export async function startEmulator (options: EmulatorOptions = {}): Promise<Emulator> {
  if (typeof options !== 'object' || options === null) throw new ConfigError('invalid configuration: startEmulator takes an object of options')
  const config = loadConfig(toArgv({ port: 0, logLevel: 'silent', ...options }), {}, undefined, true)
  let fixturesDocument: unknown
  if (typeof options.fixtures === 'string') config.fixtures = options.fixtures
  else if (options.fixtures !== undefined) fixturesDocument = options.fixtures
  const app: FastifyInstance = await buildApp(config, { fixturesDocument })
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (err) {
    await app.close()
    // The same one line the command prints: a ConfigError, as for any other bad setting.
    const why = cannotListen(err as NodeJS.ErrnoException, config.host, config.port, true)
    throw why === undefined ? err : new ConfigError(why)
  }
  const address = app.server.address() as { address: string, family: string, port: number }
  const url = `http://${urlHost(address)}:${address.port}`
  const headers: Record<string, string> = { host: `${urlHost(address)}:${address.port}`, 'content-type': 'application/json' }
  if (config.controlToken !== undefined) headers.authorization = `Bearer ${config.controlToken}`

  /** Calls in progress: a close waits for them (an import or a restore holds the database open across turns). */
  const inProgress = new Set<Promise<unknown>>()
  let closed: Promise<void> | undefined

  /** One control-plane call, in process; a refusal rejects with EmulatorError. */
  const call = async <T>(method: 'GET' | 'POST' | 'DELETE', path: string, payload?: unknown): Promise<T> => {
    if (closed !== undefined) throw new EmulatorError(503, 'UNAVAILABLE', 'The emulator is closed: close() was called.')
    const injected = app.inject({ method, url: path, headers, payload: payload === undefined ? undefined : JSON.stringify(payload) })
    inProgress.add(injected)
    let response
    try {
      response = await injected
    } finally {
      inProgress.delete(injected)
    }
    const body = JSON.parse(response.body) as Record<string, unknown>
    if (response.statusCode >= 400) {
      const error = body.error as { status?: string, message?: string } | undefined
      throw new EmulatorError(response.statusCode, error?.status ?? 'UNKNOWN', error?.message ?? response.body)
    }
    return body as T
  }

  return {
    url,
    rootUrl: url + '/',
    port: address.port,
    reset: async (o = {}) => { await call('POST', o.account === undefined ? '/_emulator/reset' : `/_emulator/reset?account=${encodeURIComponent(o.account)}`) },
    import: async (document) => await call('POST', '/_emulator/import', document),
    export: async () => await call('GET', '/_emulator/export'),
    clock: {
      now: () => formatTime(app.clock.peek()),
      advance: async (duration) => (await call<{ now: string }>('POST', '/_emulator/clock', { advance: duration })).now,
      set: async (time) => (await call<{ now: string }>('POST', '/_emulator/clock', { set: time })).now
    },
    requests: (filter) => app.journal.entries(filter),
    clearRequests: () => { app.journal.clear() },
    snapshot: async (name) => await call('POST', '/_emulator/snapshots', { name }),
    restore: async (name) => await call('POST', `/_emulator/snapshots/${encodeURIComponent(name)}:restore`),
    snapshots: async () => (await call<{ snapshots: SnapshotInfo[] }>('GET', '/_emulator/snapshots')).snapshots,
    deleteSnapshot: async (name) => { await call('DELETE', `/_emulator/snapshots/${encodeURIComponent(name)}`) },
    faults: {
      add: async (rule) => await call('POST', '/_emulator/faults', rule),
      list: async () => (await call<{ faults: FaultRule[] }>('GET', '/_emulator/faults')).faults,
      remove: async (id) => { await call('DELETE', `/_emulator/faults/${encodeURIComponent(id)}`) },
      clear: async () => { await call('DELETE', '/_emulator/faults') }
    },
    oauth: {
      mintTokens: async (request) => await call('POST', '/_emulator/oauth/tokens', request),
      grants: async (account) => await call('GET', `/_emulator/oauth/grants?account=${encodeURIComponent(account)}`),
      revoke: async (account, clientId) => { await call('DELETE', `/_emulator/oauth/grants?account=${encodeURIComponent(account)}&clientId=${encodeURIComponent(clientId)}`) }
    },
    quotas: async (account) => (await call<{ quotas: QuotaState[] }>('GET', `/_emulator/quotas?account=${encodeURIComponent(account)}`)).quotas,
    close: async () => {
      // Calls already made finish first (a restore or an import is never cut short); calls
      // made from now on are refused.
      closed ??= Promise.allSettled([...inProgress]).then(async () => { await app.close() })
      await closed
    }
  }
}
