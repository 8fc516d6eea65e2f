/**
 * Every setting of the emulator, declared once: its Config key, its flag and environment
 * variable, its default, the parser that checks its text, and the words that document it.
 * The command line (src/config.ts), the Config type, the library's options (src/index.ts) and
 * README's configuration table (`npm run generate`) all come from this table.
 */
import { InvalidArgumentError } from 'commander'
import { LATEST_TIME, parseClockMode, parseTime } from './clock.js'
import { DEFAULT_QUOTA_LIMITS, parseQuotaLimits, type QuotaLimits, type QuotaName } from './quotas.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

/**
 * One setting. `T` is its value in Config; `L` what the library's `startEmulator` takes for it
 * (it is turned into the flag's text and parsed as the command line's is).
 */
export interface Setting<K extends string, F extends string, T, L> {
  /** The Config key. */
  readonly key: K
  /** The flag with its argument, as `--help` shows it: `--max-storage <MiB>`. */
  readonly flag: F
  readonly env: string
  readonly default: T
  /** How README and `--help` show the default, when not as the value's own text; `—` for none. */
  readonly shown?: string
  /** Checks a flag's or variable's text (commander's InvalidArgumentError when it is not valid). */
  readonly parse?: (text: string) => T
  /** The only values it takes, when they are a list. */
  readonly choices?: readonly string[]
  /** The line of `--help`. */
  readonly help: string
  /** README's word for it (Markdown): what it does, and its bounds. */
  readonly doc: string
  /** Never written (type only): what the library takes. */
  readonly library?: L
}

function setting<K extends string, F extends string, T, L = T> (s: Setting<K, F, T, L>): Setting<K, F, T, L> {
  return s
}

/** No default: the setting's value is a `T` or undefined. */
function unset<T> (): T | undefined {
  return undefined
}

/** The type of what the library takes for a setting, when it is not the value's own (a type only). */
function takes<L> (): L | undefined {
  return undefined
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

function parseIssuer (value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError('expected an http or https URL')
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') throw new InvalidArgumentError('expected an http or https URL without query or fragment')
  return value
}

export const SETTINGS = [
  setting({ key: 'host', flag: '--host <host>', env: 'PEOPLE_EMULATOR_HOST', default: '127.0.0.1', parse: parseNonEmpty, help: 'address to listen on', doc: 'address to listen on (`0.0.0.0` in a container)' }),
  setting({ key: 'port', flag: '--port <port>', env: 'PEOPLE_EMULATOR_PORT', default: 8090, parse: parsePort, help: 'port to listen on (0 = any free port)', doc: 'port; `0` picks a free one (read it from the start line)' }),
  setting({ key: 'db', flag: '--db <path>', env: 'PEOPLE_EMULATOR_DB', default: ':memory:', parse: parseNonEmpty, help: 'SQLite database: ":memory:" or a file path that persists', doc: 'SQLite database: `:memory:`, or a file path that persists' }),
  setting({ key: 'fixtures', flag: '--fixtures <file>', env: 'PEOPLE_EMULATOR_FIXTURES', default: unset<string>(), library: takes<string | object>(), parse: parseNonEmpty, help: 'fixture document loaded into a new database and restored by reset', doc: 'fixture document that seeds a new database and that reset restores (the library also takes the document itself)' }),
  setting({ key: 'fixturesOnStart', flag: '--fixtures-on-start <when>', env: 'PEOPLE_EMULATOR_FIXTURES_ON_START', default: 'new-database' as 'new-database' | 'always', choices: ['new-database', 'always'], help: 'when the fixtures are loaded at start: into a new database only, or always (replacing a file database\'s state)', doc: '`new-database`: fixtures seed a new database only (a file that holds state keeps it, and says so); `always`: every start goes back to the fixtures, as a reset does' }),
  setting({ key: 'exitWithStdin', flag: '--exit-with-stdin [bool]', env: 'PEOPLE_EMULATOR_EXIT_WITH_STDIN', default: false, parse: parseBoolean, help: 'stop when standard input ends (a test harness that starts the emulator: it stops with the harness, however that ends)', doc: 'stop when standard input ends: a test harness that starts the emulator with a pipe as its stdin has it stop when the harness ends, however it ends (the pytest plugin and the Go helper do)' }),
  setting({ key: 'strictAccounts', flag: '--strict-accounts [bool]', env: 'PEOPLE_EMULATOR_STRICT_ACCOUNTS', default: false, parse: parseBoolean, help: 'accept only tokens declared in fixtures', doc: 'accept only tokens declared in fixtures' }),
  setting({ key: 'logLevel', flag: '--log-level <level>', env: 'PEOPLE_EMULATOR_LOG_LEVEL', default: 'info' as LogLevel, choices: LOG_LEVELS, help: 'pino log level', doc: LOG_LEVELS.map(l => `\`${l}\``).join(', ') + ' (`silent` by default in library mode)' }),
  setting({ key: 'clock', flag: '--clock <mode>', env: 'PEOPLE_EMULATOR_CLOCK', default: 'system', parse: parseClock, help: '"system", or "fixed:<RFC 3339 time>" for a clock that moves only when told', doc: '`system`, or `fixed:<RFC 3339>`: a clock that starts there and moves only when told' }),
  setting({ key: 'seed', flag: '--seed <text>', env: 'PEOPLE_EMULATOR_SEED', default: unset<string>(), parse: parseNonEmpty, help: 'seed for deterministic resource names and etags', doc: 'seed for deterministic resource names and etags' }),
  setting({ key: 'oauthAutoApprove', flag: '--oauth-auto-approve [bool]', env: 'PEOPLE_EMULATOR_OAUTH_AUTO_APPROVE', default: false, parse: parseBoolean, help: 'grant a sign-in whose login_hint names an account without showing the consent page', doc: 'a sign-in whose `login_hint` names an account is granted without the consent page (headless CI; see [docs/oauth.md](docs/oauth.md))' }),
  setting({ key: 'oauthIssuer', flag: '--oauth-issuer <url>', env: 'PEOPLE_EMULATOR_OAUTH_ISSUER', default: 'https://accounts.google.com', parse: parseIssuer, help: 'the "iss" of ID tokens and of the OpenID discovery document', doc: 'the `iss` of ID tokens and of the OpenID discovery document: Google\'s by default, as Google\'s libraries check; the emulator\'s own URL for a discovery-driven client' }),
  setting({ key: 'maxQueuedMutations', flag: '--max-queued-mutations <n>', env: 'PEOPLE_EMULATOR_MAX_QUEUED_MUTATIONS', default: 1000, parse: parsePositive, help: 'mutations one account may have queued before the next gets a 429', doc: 'mutations one account may have queued before the next gets a 429' }),
  setting({ key: 'allowedHosts', flag: '--allowed-hosts <names>', env: 'PEOPLE_EMULATOR_ALLOWED_HOSTS', default: [] as string[], library: takes<string[] | string>(), shown: 'none', parse: parseHosts, help: 'host names the control plane answers to, besides loopback names, IP addresses and single-label names', doc: 'comma-separated host names the control plane answers to, besides loopback names, IP addresses and single-label names (see [docs/security.md](docs/security.md))' }),
  setting({ key: 'controlToken', flag: '--control-token <token>', env: 'PEOPLE_EMULATOR_CONTROL_TOKEN', default: unset<string>(), parse: parseControlToken, help: 'require "Authorization: Bearer <token>" on every control-plane request but health', doc: 'when set, every control-plane request but health needs `Authorization: Bearer <token>`; 1–4,096 visible ASCII characters, no spaces' }),
  setting({ key: 'maxStorageMiB', flag: '--max-storage <MiB>', env: 'PEOPLE_EMULATOR_MAX_STORAGE', default: 256, parse: parseStorage, help: 'the most the database may hold; writes past it get a 429', doc: 'the most the database may hold (at least 16); writes that add data past it get a 429' }),
  setting({ key: 'journalSize', flag: '--journal-size <n>', env: 'PEOPLE_EMULATOR_JOURNAL_SIZE', default: 1000, parse: parseJournalSize, help: 'requests the journal keeps (GET /_emulator/requests); 0 turns it off', doc: 'requests the journal keeps (`GET /_emulator/requests`); `0` turns it off (up to 100,000)' }),
  setting({ key: 'journalMemoryMiB', flag: '--journal-memory <MiB>', env: 'PEOPLE_EMULATOR_JOURNAL_MEMORY', default: 16, parse: parseJournalMemory, help: 'the most memory the journal\'s entries take together; past it, the oldest go', doc: 'the most memory the journal\'s entries take together (1–1,024); past it the oldest go' }),
  setting({ key: 'quotas', flag: '--quotas <on|off>', env: 'PEOPLE_EMULATOR_QUOTAS', default: false, library: takes<'on' | 'off' | boolean>(), shown: 'off', parse: parseOnOff, help: 'calls spend per-user quotas as Google counts them; an exhausted one answers its 429', doc: '`on`: calls spend per-user quotas as Google counts them, and an exhausted one answers its 429 ([docs/faults-and-quotas.md](docs/faults-and-quotas.md))' }),
  setting({ key: 'quotaLimits', flag: '--quota-limits <limits>', env: 'PEOPLE_EMULATOR_QUOTA_LIMITS', default: DEFAULT_QUOTA_LIMITS as QuotaLimits, library: takes<string | Partial<Record<QuotaName, number>>>(), shown: Object.entries(DEFAULT_QUOTA_LIMITS).map(([k, v]) => `${k}=${v}`).join(','), parse: parseLimits, help: 'quota limits as name=n pairs, e.g. critical_write=60,daily_write=10000', doc: 'quota limits as `name=n` pairs; names not given keep their defaults' })
] as const

type AnySetting = typeof SETTINGS[number]

/** The validated configuration: one value per setting. */
export type Config = { [S in AnySetting as S['key']]: S['default'] }

/** The library's option name of a setting: its flag in camel case (`--max-storage` → `maxStorage`). */
type OptionName<F extends string> = F extends `--${infer Name} ${string}` ? Camel<Name> : never
type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S

/** What `startEmulator` takes: every setting, under its flag's camel-case name (README: Configuration). */
export type EmulatorOptions = { [S in AnySetting as OptionName<S['flag']>]?: undefined extends S['library'] ? (S['library'] extends undefined ? NonNullable<S['default']> : NonNullable<S['library']>) : NonNullable<S['library']> }

/** The option name of a flag (`--max-storage <MiB>` → `maxStorage`). */
export function optionName (flag: string): string {
  return flag.split(' ')[0]!.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

export const defaultConfig: Config = Object.fromEntries(SETTINGS.map(s => [s.key, s.default])) as Config

/** How README and `--help` show a setting's default. */
export function shownDefault (s: AnySetting): string {
  if (s.shown !== undefined) return s.shown
  return s.default === undefined ? '—' : String(s.default)
}

/** README's configuration table (`npm run generate` writes it between its markers). */
export function configurationTable (): string {
  const rows = SETTINGS.map(s => {
    // The argument is shown where it is a unit or a file: `--max-storage MiB`, `--fixtures FILE`.
    const [name, arg] = s.flag.split(' ')
    const flag = arg === '<MiB>' ? `${name} MiB` : arg === '<file>' ? `${name} FILE` : name
    const shown = shownDefault(s)
    return `| \`${flag}\` | \`${s.env}\` | ${shown === '—' || shown === 'none' ? '—' : `\`${shown}\``} | ${s.doc} |`
  })
  return ['| flag | environment variable | default | meaning |', '|---|---|---|---|', ...rows].join('\n')
}
