/**
 * One validated configuration object from CLI flags and PEOPLE_EMULATOR_* environment
 * variables (flags win). Parsing is commander's: it already knows flag/env precedence,
 * `--help` and `--version`; the checks on values are ours.
 */
import { Command, CommanderError, Option } from 'commander'
import { optionName, SETTINGS, type Config } from './options.js'

export { defaultConfig, LOG_LEVELS, type Config, type LogLevel } from './options.js'

/** A configuration problem: one line naming the setting; the process exits with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError'

  constructor (message: string) {
    // One line, whatever a value in it held (a path with a newline, an escape sequence).
    super(printable(message))
  }
}

export function buildCommand (version: string): Command {
  const command = new Command()
    .name('people-api-emulator')
    .description('A local, stateful emulator of the Google People API v1.')
    .version(version, '-v, --version')
  // Every setting of src/options.ts, in its order.
  for (const s of SETTINGS) {
    const option = new Option(s.flag, s.help).env(s.env)
    if (s.default !== undefined) option.default(s.default, s.shown)
    if (s.choices !== undefined) option.choices(s.choices)
    const parse = s.parse
    if (parse !== undefined) option.argParser((text: string): unknown => parse(text))
    command.addOption(option)
  }
  return command
    .addHelpText('after', '\nRun a command (a test runner) with the emulator, then stop it:\n  people-api-emulator exec [options] -- <command…>   (PEOPLE_EMULATOR_URL in its environment; a free port)')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .allowExcessArguments(false)
}

/**
 * The library's settings parsed lately, by their argv: a suite starts its emulators with the same
 * options again and again. At most 16, of at most 4 KiB of argv each; never a control token's
 * (a secret outlives no emulator here).
 */
const libraryConfigs = new Map<string, Config>()
const LIBRARY_CONFIGS_KEPT = 16
const LIBRARY_CONFIG_KEY_MAX = 4096

/**
 * Parses argv (without `node` and the script) and env into a Config. Throws ConfigError with
 * one line naming the bad setting. `--help`/`--version` print and exit 0 through commander.
 */
export function loadConfig (argv: readonly string[], env: NodeJS.ProcessEnv, version = '0.0.0', library = false): Config {
  const key = library ? libraryKey(argv, env, version) : undefined
  if (key === undefined) return parseConfig(argv, env, version, library)
  let config = libraryConfigs.get(key)
  if (config === undefined) {
    config = parseConfig(argv, env, version, library)
    if (libraryConfigs.size >= LIBRARY_CONFIGS_KEPT) libraryConfigs.delete(libraryConfigs.keys().next().value!)
    libraryConfigs.set(key, config)
  }
  // A copy: callers change theirs.
  return structuredClone(config)
}

/** The key of the library's settings among those kept, or undefined when they are not to be kept. */
function libraryKey (argv: readonly string[], env: NodeJS.ProcessEnv, version: string): string | undefined {
  // The library's settings are its argv alone (it reads no environment).
  if (Object.keys(env).length > 0 || argv.some(arg => arg.startsWith('--control-token'))) return undefined
  const key = JSON.stringify([version, ...argv])
  return key.length > LIBRARY_CONFIG_KEY_MAX ? undefined : key
}

function parseConfig (argv: readonly string[], env: NodeJS.ProcessEnv, version: string, library: boolean): Config {
  const command = buildCommand(version)
  const saved = process.env
  // commander reads process.env directly; hand it the env we were given.
  process.env = env
  try {
    command.parse(argv as string[], { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') throw err
      throw new ConfigError(explain(err, command, library))
    }
    throw err
  } finally {
    process.env = saved
  }
  // Each option's value as its setting's parser made it (commander keeps them by attribute name).
  const o = command.opts<Record<string, unknown>>()
  return Object.fromEntries(SETTINGS.map(s => [s.key, o[optionName(s.flag)]])) as Config
}

/**
 * Rewrites commander's message so the line names the flag and its environment variable — or,
 * for the library (`library`), the option startEmulator takes (`option "clock" ('x') is
 * invalid: …`), which reads neither — and never the control token's value (a secret, even a
 * refused one). (ConfigError makes it one line, whatever the value held.)
 */
function explain (err: CommanderError, command: Command, library: boolean): string {
  let text = err.message.replace(/^error: /, '')
  const match = /option '([^']*)'/.exec(text)
  const flag = match?.[1]!.split(/[ ,]/).find(part => part.startsWith('--'))
  if (flag === '--control-token') {
    text = text.replace(/^(option '[^']*' )argument '[\s\S]*' is invalid\./, '$1argument is invalid.')
      .replace(/^(option '[^']*' )value '[\s\S]*' from env '([^']*)' is invalid\./, '$1value from env \'$2\' is invalid.')
  }
  if (library && flag !== undefined) {
    return 'invalid configuration: ' + text.replace(/^option '[^']*' argument ('[\s\S]*' )?is invalid\. ?/, (_all, value: string | undefined) =>
      `option "${optionName(flag)}"${value === undefined ? '' : ` (${value.trim()})`} is invalid: `)
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
