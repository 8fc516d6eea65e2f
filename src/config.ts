/**
 * One validated configuration object from CLI flags and PEOPLE_EMULATOR_* environment
 * variables (flags win). Parsing is commander's: it already knows flag/env precedence,
 * `--help` and `--version`; the checks on values are ours.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { LATEST_TIME, parseClockMode, parseTime } from './clock.js'
import { DEFAULT_QUOTA_LIMITS, parseQuotaLimits, type QuotaLimits } from './quotas.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

export interface Config {
  host: string
  port: number
  /** `:memory:` or a file path. */
  db: string
  fixtures: string | undefined
  strictAccounts: boolean
  logLevel: LogLevel
  /** `system` or `fixed:<RFC 3339>`. */
  clock: string
  /** Seed of the deterministic random stream; undefined: the operating system's randomness. */
  seed: string | undefined
  /** Mutations one account may have queued or running before the next gets a 429. */
  maxQueuedMutations: number
  /** Host names, besides loopback names, IP literals and single-label names, the control plane answers to. */
  allowedHosts: string[]
  /** When set, every control-plane request but health needs `Authorization: Bearer <it>`. */
  controlToken: string | undefined
  /** The most the database may hold, in MiB: writes past it get a 429. */
  maxStorageMiB: number
  /** Requests the journal keeps (GET /_emulator/requests); 0 turns it off. */
  journalSize: number
  /** The most memory the journal's entries take together, in MiB: past it, the oldest go. */
  journalMemoryMiB: number
  /** Calls spend per-user quotas, and an exhausted one answers Google's 429 (src/quotas.ts). */
  quotas: boolean
  /** The quotas' limits (defaults chosen; --quota-limits sets others). */
  quotaLimits: QuotaLimits
}

export const defaultConfig: Config = {
  host: '127.0.0.1',
  port: 8090,
  db: ':memory:',
  fixtures: undefined,
  strictAccounts: false,
  logLevel: 'info',
  clock: 'system',
  seed: undefined,
  maxQueuedMutations: 1000,
  allowedHosts: [],
  controlToken: undefined,
  maxStorageMiB: 256,
  journalSize: 1000,
  journalMemoryMiB: 16,
  quotas: false,
  quotaLimits: DEFAULT_QUOTA_LIMITS
}

/** A configuration problem: one line naming the setting; the process exits with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError'

  constructor (message: string) {
    // One line, whatever a value in it held (a path with a newline, an escape sequence).
    super(printable(message))
  }
}

function parsePort (value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('expected an integer from 0 to 65535 (0 picks a free port)')
  }
  return Number(value)
}

function parsePositive (value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError('expected a whole number from 1 to 999999999')
  return Number(value)
}

/** A comma-separated list of host names (ports and case do not count). */
function parseHosts (value: string): string[] {
  const hosts = value.split(',').map(h => h.trim().toLowerCase()).filter(Boolean)
  for (const host of hosts) {
    if (!/^[a-z0-9.-]+$/.test(host) || host.startsWith('.') || host.endsWith('.')) throw new InvalidArgumentError(`"${host}" is not a host name (a comma-separated list of names such as people.qa.example.com)`)
  }
  return hosts
}

function parseStorage (value: string): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) < 16) throw new InvalidArgumentError('expected a whole number of MiB, at least 16')
  return Number(value)
}

function parseJournalSize (value: string): number {
  if (!/^\d{1,6}$/.test(value) || Number(value) > 100000) throw new InvalidArgumentError('expected a whole number from 0 (off) to 100000')
  return Number(value)
}

function parseJournalMemory (value: string): number {
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > 1024) throw new InvalidArgumentError('expected a whole number of MiB from 1 to 1024')
  return Number(value)
}

function parseOnOff (value: string): boolean {
  const v = value.toLowerCase()
  if (['on', 'true', '1', 'yes'].includes(v)) return true
  if (['off', 'false', '0', 'no'].includes(v)) return false
  throw new InvalidArgumentError('expected on or off')
}

function parseLimits (value: string): QuotaLimits {
  const limits = parseQuotaLimits(value)
  if (typeof limits === 'string') throw new InvalidArgumentError(limits)
  return limits
}

function parseNonEmpty (value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty')
  return value
}

/**
 * The control token is sent as `Authorization: Bearer <token>`: a header carries visible ASCII
 * (Node reads other bytes as latin1) and the guard reads one word, so a token with a space or
 * another character could never match — refused at start rather than locking the control plane.
 */
function parseControlToken (value: string): string {
  if (!/^[\x21-\x7e]{1,4096}$/.test(value)) throw new InvalidArgumentError('expected 1 to 4096 visible ASCII characters without spaces (it is sent as "Authorization: Bearer <token>"), e.g. the output of openssl rand -hex 16')
  return value
}

function parseClock (value: string): string {
  if (parseClockMode(value) !== undefined) return value
  const time = /^fixed:(.+)$/.exec(value)?.[1]
  if (time !== undefined && parseTime(time) !== undefined) throw new InvalidArgumentError(`expected a time from 1970-01-01T00:00:00Z to ${LATEST_TIME}`)
  throw new InvalidArgumentError('expected "system" or "fixed:<RFC 3339 time>", e.g. fixed:2026-01-01T00:00:00Z')
}

function parseBoolean (value: string): boolean {
  // commander hands an env var's text to the parser; a bare flag arrives as `true`.
  const v = value.toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(v)) return true
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false
  throw new InvalidArgumentError('expected true or false')
}

export function buildCommand (version: string): Command {
  return new Command()
    .name('people-api-emulator')
    .description('A local, stateful emulator of the Google People API v1.')
    .version(version, '-v, --version')
    .addOption(new Option('--host <host>', 'address to listen on').env('PEOPLE_EMULATOR_HOST')
      .default(defaultConfig.host).argParser(parseNonEmpty))
    .addOption(new Option('--port <port>', 'port to listen on (0 = any free port)').env('PEOPLE_EMULATOR_PORT')
      .default(defaultConfig.port).argParser(parsePort))
    .addOption(new Option('--db <path>', 'SQLite database: ":memory:" or a file path that persists').env('PEOPLE_EMULATOR_DB')
      .default(defaultConfig.db).argParser(parseNonEmpty))
    .addOption(new Option('--fixtures <file>', 'fixture document loaded into a new database and restored by reset')
      .env('PEOPLE_EMULATOR_FIXTURES').argParser(parseNonEmpty))
    .addOption(new Option('--strict-accounts [bool]', 'accept only tokens declared in fixtures').env('PEOPLE_EMULATOR_STRICT_ACCOUNTS')
      .default(false).argParser(parseBoolean))
    .addOption(new Option('--log-level <level>', 'pino log level').env('PEOPLE_EMULATOR_LOG_LEVEL')
      .default(defaultConfig.logLevel).choices(LOG_LEVELS))
    .addOption(new Option('--clock <mode>', '"system", or "fixed:<RFC 3339 time>" for a clock that moves only when told').env('PEOPLE_EMULATOR_CLOCK')
      .default(defaultConfig.clock).argParser(parseClock))
    .addOption(new Option('--seed <text>', 'seed for deterministic resource names and etags').env('PEOPLE_EMULATOR_SEED')
      .argParser(parseNonEmpty))
    .addOption(new Option('--max-queued-mutations <n>', 'mutations one account may have queued before the next gets a 429').env('PEOPLE_EMULATOR_MAX_QUEUED_MUTATIONS')
      .default(defaultConfig.maxQueuedMutations).argParser(parsePositive))
    .addOption(new Option('--allowed-hosts <names>', 'host names the control plane answers to, besides loopback names, IP addresses and single-label names').env('PEOPLE_EMULATOR_ALLOWED_HOSTS')
      .default(defaultConfig.allowedHosts, 'none').argParser(parseHosts))
    .addOption(new Option('--control-token <token>', 'require "Authorization: Bearer <token>" on every control-plane request but health').env('PEOPLE_EMULATOR_CONTROL_TOKEN')
      .argParser(parseControlToken))
    .addOption(new Option('--max-storage <MiB>', 'the most the database may hold; writes past it get a 429').env('PEOPLE_EMULATOR_MAX_STORAGE')
      .default(defaultConfig.maxStorageMiB).argParser(parseStorage))
    .addOption(new Option('--journal-size <n>', 'requests the journal keeps (GET /_emulator/requests); 0 turns it off').env('PEOPLE_EMULATOR_JOURNAL_SIZE')
      .default(defaultConfig.journalSize).argParser(parseJournalSize))
    .addOption(new Option('--journal-memory <MiB>', 'the most memory the journal\'s entries take together; past it, the oldest go').env('PEOPLE_EMULATOR_JOURNAL_MEMORY')
      .default(defaultConfig.journalMemoryMiB).argParser(parseJournalMemory))
    .addOption(new Option('--quotas <on|off>', 'calls spend per-user quotas as Google counts them; an exhausted one answers its 429').env('PEOPLE_EMULATOR_QUOTAS')
      .default(defaultConfig.quotas, 'off').argParser(parseOnOff))
    .addOption(new Option('--quota-limits <limits>', 'quota limits as name=n pairs, e.g. critical_write=60,daily_write=10000').env('PEOPLE_EMULATOR_QUOTA_LIMITS')
      .default(defaultConfig.quotaLimits, Object.entries(DEFAULT_QUOTA_LIMITS).map(([k, v]) => `${k}=${v}`).join(',')).argParser(parseLimits))
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .allowExcessArguments(false)
}

/**
 * Parses argv (without `node` and the script) and env into a Config. Throws ConfigError with
 * one line naming the bad setting. `--help`/`--version` print and exit 0 through commander.
 */
export function loadConfig (argv: readonly string[], env: NodeJS.ProcessEnv, version = '0.0.0'): Config {
  const command = buildCommand(version)
  const saved = process.env
  // commander reads process.env directly; hand it the env we were given.
  process.env = env
  try {
    command.parse(argv as string[], { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') throw err
      throw new ConfigError(explain(err, command))
    }
    throw err
  } finally {
    process.env = saved
  }
  const o = command.opts<Record<string, unknown>>()
  return {
    host: o.host as string,
    port: o.port as number,
    db: o.db as string,
    fixtures: o.fixtures as string | undefined,
    strictAccounts: o.strictAccounts as boolean,
    logLevel: o.logLevel as LogLevel,
    clock: o.clock as string,
    seed: o.seed as string | undefined,
    maxQueuedMutations: o.maxQueuedMutations as number,
    allowedHosts: o.allowedHosts as string[],
    controlToken: o.controlToken as string | undefined,
    maxStorageMiB: o.maxStorage as number,
    journalSize: o.journalSize as number,
    journalMemoryMiB: o.journalMemory as number,
    quotas: o.quotas as boolean,
    quotaLimits: o.quotaLimits as QuotaLimits
  }
}

/**
 * Rewrites commander's message so the line names the flag and its environment variable, and
 * never the control token's value (a secret, even a refused one). (ConfigError makes it one
 * line, whatever the value held.)
 */
function explain (err: CommanderError, command: Command): string {
  let text = err.message.replace(/^error: /, '')
  const match = /option '([^']*)'/.exec(text)
  const flag = match?.[1]!.split(/[ ,]/).find(part => part.startsWith('--'))
  if (flag === '--control-token') {
    text = text.replace(/^(option '[^']*' )argument '[\s\S]*' is invalid\./, '$1argument is invalid.')
      .replace(/^(option '[^']*' )value '[\s\S]*' from env '([^']*)' is invalid\./, '$1value from env \'$2\' is invalid.')
  }
  const option = command.options.find(o => o.long === flag)
  if (option?.envVar) return `invalid configuration: ${text.replace(/\.$/, '')} (flag ${option.long} or env ${option.envVar})`
  return `invalid configuration: ${text}`
}

/** Control characters as escapes (`\n`, `\x1b`): a message stays one line, and writes nothing to a terminal. */
export function printable (text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces
  return text.replace(/[\x00-\x1f\x7f]/g, c => c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
