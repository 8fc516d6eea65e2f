import t from 'tap'
import { ConfigError, defaultConfig, loadConfig } from '../src/config.js'

t.test('defaults', async t => {
  t.same(loadConfig([], {}), { host: '127.0.0.1', port: 8090, db: ':memory:', fixtures: undefined, fixturesOnStart: 'new-database', exitWithStdin: false, strictAccounts: false, logLevel: 'info', clock: 'system', seed: undefined, oauthAutoApprove: false, oauthIssuer: 'https://accounts.google.com', maxQueuedMutations: 1000, allowedHosts: [], controlToken: undefined, maxStorageMiB: 256, journalSize: 1000, journalMemoryMiB: 16, quotas: false, quotaLimits: { critical_read: 90, critical_write: 60, daily_write: 10000, read: 180, write: 60, photo_write: 60 } })
  t.same(loadConfig([], {}), defaultConfig)
})

t.test('every setting as a flag', async t => {
  t.same(loadConfig(['--host', '0.0.0.0', '--port', '0', '--db', '/tmp/x.db', '--fixtures', 'f.json', '--fixtures-on-start', 'always', '--exit-with-stdin', '--strict-accounts', '--log-level', 'debug', '--clock', 'fixed:2026-01-01T00:00:00Z', '--seed', 'abc', '--oauth-auto-approve', '--oauth-issuer', 'http://127.0.0.1:8090', '--max-queued-mutations', '5', '--allowed-hosts', 'QA.example.com, people.test', '--control-token', 'ctl', '--max-storage', '64', '--journal-size', '50', '--journal-memory', '2', '--quotas', 'on', '--quota-limits', 'critical_write=5'], {}), {
    host: '0.0.0.0', port: 0, db: '/tmp/x.db', fixtures: 'f.json', fixturesOnStart: 'always', exitWithStdin: true, strictAccounts: true, logLevel: 'debug', clock: 'fixed:2026-01-01T00:00:00Z', seed: 'abc', oauthAutoApprove: true, oauthIssuer: 'http://127.0.0.1:8090', maxQueuedMutations: 5, allowedHosts: ['qa.example.com', 'people.test'], controlToken: 'ctl', maxStorageMiB: 64, journalSize: 50, journalMemoryMiB: 2, quotas: true, quotaLimits: { critical_read: 90, critical_write: 5, daily_write: 10000, read: 180, write: 60, photo_write: 60 }
  })
  t.equal(loadConfig(['--port=1234'], {}).port, 1234)
  t.equal(loadConfig(['--strict-accounts', 'false'], {}).strictAccounts, false)
})

t.test('every setting as a PEOPLE_EMULATOR_* variable', async t => {
  t.same(loadConfig([], {
    PEOPLE_EMULATOR_HOST: '0.0.0.0',
    PEOPLE_EMULATOR_PORT: '9000',
    PEOPLE_EMULATOR_DB: '/data/people.db',
    PEOPLE_EMULATOR_FIXTURES: '/fixtures.json',
    PEOPLE_EMULATOR_FIXTURES_ON_START: 'always',
    PEOPLE_EMULATOR_EXIT_WITH_STDIN: 'true',
    PEOPLE_EMULATOR_STRICT_ACCOUNTS: 'true',
    PEOPLE_EMULATOR_LOG_LEVEL: 'warn',
    PEOPLE_EMULATOR_CLOCK: 'fixed:2030-05-01T12:00:00.5Z',
    PEOPLE_EMULATOR_SEED: 'seed',
    PEOPLE_EMULATOR_OAUTH_AUTO_APPROVE: 'true',
    PEOPLE_EMULATOR_OAUTH_ISSUER: 'https://emulator.test',
    PEOPLE_EMULATOR_MAX_QUEUED_MUTATIONS: '50',
    PEOPLE_EMULATOR_ALLOWED_HOSTS: 'people.qa.example.com',
    PEOPLE_EMULATOR_CONTROL_TOKEN: 'secret',
    PEOPLE_EMULATOR_MAX_STORAGE: '512',
    PEOPLE_EMULATOR_JOURNAL_SIZE: '7',
    PEOPLE_EMULATOR_JOURNAL_MEMORY: '64',
    PEOPLE_EMULATOR_QUOTAS: 'on',
    PEOPLE_EMULATOR_QUOTA_LIMITS: 'daily_write=7'
  }), { host: '0.0.0.0', port: 9000, db: '/data/people.db', fixtures: '/fixtures.json', fixturesOnStart: 'always', exitWithStdin: true, strictAccounts: true, logLevel: 'warn', clock: 'fixed:2030-05-01T12:00:00.5Z', seed: 'seed', oauthAutoApprove: true, oauthIssuer: 'https://emulator.test', maxQueuedMutations: 50, allowedHosts: ['people.qa.example.com'], controlToken: 'secret', maxStorageMiB: 512, journalSize: 7, journalMemoryMiB: 64, quotas: true, quotaLimits: { critical_read: 90, critical_write: 60, daily_write: 7, read: 180, write: 60, photo_write: 60 } })
  t.equal(loadConfig([], { PEOPLE_EMULATOR_STRICT_ACCOUNTS: '0' }).strictAccounts, false)
})

t.test('flags win over the environment', async t => {
  const config = loadConfig(['--port', '7000', '--log-level', 'error', '--strict-accounts', 'false'], {
    PEOPLE_EMULATOR_PORT: '9000', PEOPLE_EMULATOR_LOG_LEVEL: 'debug', PEOPLE_EMULATOR_STRICT_ACCOUNTS: 'true'
  })
  t.equal(config.port, 7000)
  t.equal(config.logLevel, 'error')
  t.equal(config.strictAccounts, false)
})

t.test('the process environment is left as it was', async t => {
  const before = process.env
  loadConfig([], { PEOPLE_EMULATOR_PORT: '1' })
  t.equal(process.env, before)
})

t.test('an invalid setting is one line naming it', async t => {
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [['--port', 'abc'], {}, /--port.*'abc'.*PEOPLE_EMULATOR_PORT/],
    [['--port', '70000'], {}, /--port/],
    [['--port', '-1'], {}, /--port/],
    [[], { PEOPLE_EMULATOR_PORT: 'x' }, /PEOPLE_EMULATOR_PORT/],
    [['--log-level', 'loud'], {}, /--log-level.*'loud'.*fatal, error, warn, info, debug, trace, silent/],
    [[], { PEOPLE_EMULATOR_LOG_LEVEL: 'loud' }, /PEOPLE_EMULATOR_LOG_LEVEL/],
    [['--host', ''], {}, /--host.*must not be empty/],
    [['--db', ' '], {}, /--db/],
    [[], { PEOPLE_EMULATOR_STRICT_ACCOUNTS: 'sometimes' }, /PEOPLE_EMULATOR_STRICT_ACCOUNTS.*expected true or false/],
    [['--no-such-flag'], {}, /unknown option '--no-such-flag'/],
    [['extra'], {}, /too many arguments|unknown command|excess/i],
    [['--port'], {}, /--port.*argument missing/],
    [['--clock', 'fast'], {}, /--clock.*expected "system" or "fixed:<RFC 3339 time>"/],
    [['--clock', 'fixed:yesterday'], {}, /--clock/],
    [[], { PEOPLE_EMULATOR_CLOCK: 'fixed:' }, /PEOPLE_EMULATOR_CLOCK/],
    [['--seed', ''], {}, /--seed.*must not be empty/],
    [['--max-queued-mutations', '0'], {}, /--max-queued-mutations.*expected a whole number/],
    [[], { PEOPLE_EMULATOR_MAX_QUEUED_MUTATIONS: 'lots' }, /PEOPLE_EMULATOR_MAX_QUEUED_MUTATIONS/],
    [['--journal-memory', '0'], {}, /--journal-memory.*expected a whole number of MiB from 1 to 1024/],
    [[], { PEOPLE_EMULATOR_JOURNAL_MEMORY: '2048' }, /PEOPLE_EMULATOR_JOURNAL_MEMORY/],
    // A control token that the guard could never match (it reads one word of visible ASCII).
    [['--control-token', 'a b'], {}, /--control-token.*expected 1 to 4096 visible ASCII characters without spaces.*PEOPLE_EMULATOR_CONTROL_TOKEN/],
    [['--control-token', 'café'], {}, /--control-token.*visible ASCII/],
    [['--control-token', 'tab\there'], {}, /--control-token/],
    [[], { PEOPLE_EMULATOR_CONTROL_TOKEN: ' token' }, /PEOPLE_EMULATOR_CONTROL_TOKEN/],
    [['--control-token', 'x'.repeat(4097)], {}, /--control-token/]
  ]
  for (const [argv, env, pattern] of cases) {
    try {
      loadConfig(argv, env)
      t.fail(`accepted ${JSON.stringify(argv)} ${JSON.stringify(env)}`)
    } catch (err) {
      t.type(err, ConfigError)
      const message = (err as Error).message
      t.match(message, /^invalid configuration: /)
      t.match(message, pattern, message)
      t.notMatch(message, /\n/, 'one line')
    }
  }
})

t.test('a fixed clock outside the clock\'s range is a configuration error', async t => {
  for (const value of ['fixed:9999-12-31T23:59:59Z', 'fixed:1969-12-31T23:59:59Z']) {
    t.throws(() => loadConfig(['--clock', value], {}), { message: `invalid configuration: option '--clock <mode>' argument '${value}' is invalid. expected a time from 1970-01-01T00:00:00Z to 9999-01-01T00:00:00Z (flag --clock or env PEOPLE_EMULATOR_CLOCK)` })
  }
})

// eslint-disable-next-line no-control-regex -- control characters are what is looked for
const CONTROL = /[\x00-\x1f]/

t.test('a refused value is quoted on one line, and a refused control token not at all', async t => {
  for (const [argv, env] of [[['--control-token', 'sec\nret\x1b[2K'], {}], [[], { PEOPLE_EMULATOR_CONTROL_TOKEN: 'sec ret' }]] as const) {
    const message = (() => { try { loadConfig([...argv], env); return '' } catch (err) { return (err as Error).message } })()
    t.match(message, /--control-token/)
    t.notMatch(message, /sec/, 'the secret is not echoed')
    t.notMatch(message, CONTROL, 'one line, no control character')
  }
  const clock = (() => { try { loadConfig(['--clock', 'fixed:a\nb\x1b[2K'], {}); return '' } catch (err) { return (err as Error).message } })()
  t.match(clock, /'fixed:a\\nb\\x1b\[2K'/, 'other values are quoted with their control characters escaped')
  t.notMatch(clock, CONTROL)
})

t.test('one table of settings: the command line, the library options and README come from it', async t => {
  const { SETTINGS, optionName } = await import('../src/options.js')
  const { readmeWithTable, readmeFile } = await import('../scripts/readme-table.js')
  const { readFileSync } = await import('node:fs')
  t.equal(readFileSync(readmeFile, 'utf8'), readmeWithTable(), "README's configuration table is src/options.ts's: run `npm run generate`")
  const { buildCommand } = await import('../src/config.js')
  const flags = buildCommand('0').options.filter(o => o.long !== '--version').map(o => [o.long, o.envVar, o.attributeName()])
  t.same(flags, SETTINGS.map(s => [s.flag.split(' ')[0], s.env, optionName(s.flag)]), 'every setting is a flag with its variable, in the table\'s order')
  t.same(Object.keys(defaultConfig), SETTINGS.map(s => s.key), 'and a key of the configuration')
})

t.test('the library\'s settings, parsed once for the same options, come as a copy each time', async t => {
  const argv = ['--port', '0', '--log-level', 'silent', '--allowed-hosts', 'a.test,b.test']
  const first = loadConfig(argv, {}, undefined, true)
  first.allowedHosts.push('changed.test')
  first.port = 1234
  const second = loadConfig(argv, {}, undefined, true)
  t.equal(second.port, 0, 'a change to one copy is not seen by the next')
  t.notOk(second.allowedHosts.includes('changed.test'))
  t.not(second, first)
  // A refused value is refused every time, not remembered as anything.
  t.throws(() => loadConfig(['--port', 'x'], {}, undefined, true), ConfigError)
  t.throws(() => loadConfig(['--port', 'x'], {}, undefined, true), ConfigError)
  // Other options are parsed for themselves.
  t.equal(loadConfig(['--port', '7'], {}, undefined, true).port, 7)
})
