// TypeScript: the package's types, as a user's project sees them (checked with tsc, not run).
import { startEmulator, EmulatorError, type Emulator, type FaultRule, type GrantsAnswer, type JournalEntry, type QuotaState, type SnapshotInfo, type TokenAnswer } from 'people-api-emulator'

export async function typed (): Promise<unknown[]> {
  const emulator: Emulator = await startEmulator({ port: 0, fixtures: { accounts: [] }, clock: 'fixed:2026-01-01T00:00:00Z', seed: 'suite', logLevel: 'silent', journalSize: 10, quotas: 'on', quotaLimits: { critical_write: 5 } })
  const rootUrl: string = emulator.rootUrl
  const entries: JournalEntry[] = emulator.requests({ method: 'people.people.updateContact', status: 200, since: 3, account: 'alice' })
  const status: number | undefined = entries[0]?.status
  const info: SnapshotInfo = await emulator.snapshot('seeded')
  const now: string = await emulator.clock.advance('8d')
  const rule: FaultRule = await emulator.faults.add({ method: 'people.people.updateContact', when: 'after', error: { code: 409, status: 'ABORTED', message: 'Aborted.' }, delayMs: 10 })
  const rules: FaultRule[] = await emulator.faults.list()
  await emulator.faults.remove(rule.id)
  await emulator.faults.clear()
  const quotas: QuotaState[] = await emulator.quotas('alice')
  const tokens: TokenAnswer = await emulator.oauth.mintTokens({ account: 'alice', scopes: ['email'], clientId: 'app', expiresIn: 60 })
  const grants: GrantsAnswer = await emulator.oauth.grants('alice')
  await emulator.oauth.revoke('alice', grants.grants[0]?.clientId ?? 'app')
  await emulator.reset({ account: 'alice' })
  await emulator.close()
  return [rootUrl, status, info.size, now, EmulatorError, rules.length, quotas[0]?.remaining, tokens.access_token]
}
