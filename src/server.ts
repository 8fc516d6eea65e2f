#!/usr/bin/env node
/**
 * The process entry: configuration, buildApp, listen, and a graceful close on SIGTERM /
 * SIGINT (close-with-grace: stop accepting, finish in-flight requests, close the database,
 * exit 0).
 */
import closeWithGrace from 'close-with-grace'
import { CommanderError } from 'commander'
import { buildApp } from './app.js'
import { ConfigError, loadConfig, printable } from './config.js'
import { FixtureError } from './fixtures/fixture.js'
import { packageVersion } from './package-info.js'
import { cannotListen } from './listen.js'
import { EXEC_USAGE, levelGiven, portGiven, runCommand, splitExec } from './exec.js'
import { collectStartupGarbage, growYoungGenerationWhenBusy, holdYoungGeneration, limitHeapGrowth } from './memory.js'

async function main (): Promise<void> {
  const args = process.argv.slice(2)
  const exec = args[0] === 'exec' ? splitExec(args.slice(1)) : undefined
  if (exec?.help === true) {
    process.stdout.write(EXEC_USAGE)
    process.exit(0)
  }
  let config
  try {
    config = loadConfig(exec?.options ?? args, process.env, packageVersion)
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode)
    throw err
  }
  // exec: a free port unless one was asked for, and no request log lines among the command's
  // output unless a level was asked for.
  if (exec !== undefined) {
    if (!portGiven(exec.options, process.env)) config.port = 0
    if (!levelGiven(exec.options, process.env)) config.logLevel = 'warn'
  }
  holdYoungGeneration()
  limitHeapGrowth()
  const app = await buildApp(config)
  collectStartupGarbage()
  // No error outside a request ends the process: it is logged, and the emulator goes on
  // serving (every write is one transaction, so none is left half done). Signals close it.
  const uncaught = ['uncaughtException', 'unhandledRejection'] as const
  for (const event of uncaught) process.on(event, (err: unknown) => { app.log.error({ err }, `${event}: logged, the emulator goes on serving`) })
  // exec: signals go to the command; the emulator closes once it has ended.
  if (exec === undefined) {
    closeWithGrace({ delay: 10000, skip: [...uncaught] }, async ({ signal }) => {
      app.log.info({ signal }, 'closing')
      await app.close()
    })
  }
  // --exit-with-stdin: the harness that started it has ended (its end of the pipe closed), however it ended.
  if (config.exitWithStdin) {
    process.stdin.on('data', () => {})
    process.stdin.once('close', () => {
      app.log.info('standard input closed: closing')
      app.close().then(() => process.exit(0), () => process.exit(1))
    })
  }
  // Fastify logs its own "Server listening at …" line at info: the documented start line
  // below is the only one printed. (Nothing else logs while listen runs: no request is read
  // before the level is back.)
  const level = app.log.level
  if (level === 'info' || level === 'debug' || level === 'trace') app.log.level = 'warn'
  let address: string
  try {
    address = await app.listen({ host: config.host, port: config.port })
  } catch (err) {
    const why = cannotListen(err as NodeJS.ErrnoException, config.host, config.port)
    if (why === undefined) throw err
    await app.close()
    throw new ConfigError(why)
  } finally {
    app.log.level = level
  }
  const url = address.replace('0.0.0.0', '127.0.0.1')
  growYoungGenerationWhenBusy()
  const started = `people-api-emulator listening on ${url} (database ${printable(config.db)}) — web UI ${url}/_emulator/ui\n`
  if (exec !== undefined) {
    // The command's output is stdout's: exec says where the emulator is on stderr.
    if (config.logLevel !== 'silent') process.stderr.write(started)
    const env = { ...process.env, PEOPLE_EMULATOR_URL: url, ...(config.controlToken === undefined ? {} : { PEOPLE_EMULATOR_CONTROL_TOKEN: config.controlToken }) }
    const status = await runCommand(exec.command, env)
    await app.close()
    process.exit(status)
  }
  process.stdout.write(started)
  if (app.fixturesKept) {
    process.stdout.write(`people-api-emulator: the database ${printable(config.db)} holds state already, so the fixtures were not loaded: POST ${url}/_emulator/reset loads them, or start with --fixtures-on-start always\n`)
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof FixtureError) {
    process.stderr.write(`people-api-emulator: ${printable(err.message)}\n`)
    process.exit(2)
  }
  process.stderr.write(`people-api-emulator: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
