// TypeScript: the package's types, as a user's project sees them (checked with tsc, not run).
import { startEmulator, EmulatorError, type Emulator, type JournalEntry, type SnapshotInfo } from 'people-api-emulator'

export async function typed (): Promise<unknown[]> {
  const emulator: Emulator = await startEmulator({ port: 0, fixtures: { accounts: [] }, clock: 'fixed:2026-01-01T00:00:00Z', seed: 'suite', logLevel: 'silent', journalSize: 10 })
  const rootUrl: string = emulator.rootUrl
  const entries: JournalEntry[] = emulator.requests({ method: 'people.people.updateContact', status: 200, since: 3, account: 'alice' })
  const status: number | undefined = entries[0]?.status
  const info: SnapshotInfo = await emulator.snapshot('seeded')
  const now: string = await emulator.clock.advance('8d')
  await emulator.reset({ account: 'alice' })
  await emulator.close()
  return [rootUrl, status, info.size, now, EmulatorError]
}
