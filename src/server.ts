#!/usr/bin/env node
/**
 * The process entry: configuration, buildApp, listen, and a graceful close on SIGTERM /
 * SIGINT (close-with-grace: stop accepting, finish in-flight requests, close the database,
 * exit 0).
 */
import closeWithGrace from 'close-with-grace'
import { CommanderError } from 'commander'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { FixtureError } from './fixtures/fixture.js'
import { packageVersion } from './package-info.js'
import { collectStartupGarbage, growYoungGenerationWhenBusy, holdYoungGeneration, limitHeapGrowth } from './memory.js'

async function main (): Promise<void> {
  let config
  try {
    config = loadConfig(process.argv.slice(2), process.env, packageVersion)
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode)
    throw err
  }
  holdYoungGeneration()
  limitHeapGrowth()
  const app = await buildApp(config)
  collectStartupGarbage()
  closeWithGrace({ delay: 10000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an uncaught error')
    else app.log.info({ signal }, 'closing')
    await app.close()
  })
  const address = await app.listen({ host: config.host, port: config.port })
  process.stdout.write(`people-api-emulator listening on ${address.replace('0.0.0.0', '127.0.0.1')} (database ${config.db})\n`)
  growYoungGenerationWhenBusy()
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof FixtureError) {
    process.stderr.write(`people-api-emulator: ${err.message}\n`)
    process.exit(2)
  }
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    process.stderr.write(`people-api-emulator: invalid configuration: cannot listen: ${(err as Error).message} (flags --host/--port or env PEOPLE_EMULATOR_HOST/PEOPLE_EMULATOR_PORT)\n`)
    process.exit(2)
  }
  process.stderr.write(`people-api-emulator: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
