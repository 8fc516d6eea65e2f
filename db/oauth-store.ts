/**
 * The authorization server's state (migration 018): clients, grants, codes, refresh and access
 * tokens, by account. Synchronous prepared statements; every time is emulator-clock microseconds.
 */
import { lazily } from './lazy.js'
import type { Db } from './database.js'
import type { AccountProfile, StoredClient } from './model.js'

/** Refresh tokens one account keeps per client; a new one past it drops the oldest (FIDELITY.md: oauth). */
export const REFRESH_TOKENS_KEPT = 100
/** Codes not yet exchanged kept per account and client (chosen): older ones are then Bad Request. */
export const CODES_KEPT = 100
/** Access tokens kept per account and client (expired and revoked included), so that the API still knows them. */
export const ACCESS_TOKENS_KEPT = 1000

export interface IdentityRow { id: string, declared: number, created_time: string, domain: string | null, email: string | null, profile: string | null }
export interface CodeRow { code: string, account_id: string, client_id: string, redirect_uri: string, scopes: string, challenge: string | null, method: string | null, nonce: string | null, refresh: number, expires: number }
export interface RefreshRow { token: string, account_id: string, client_id: string, scopes: string, issued: number }
export interface AccessRow { token: string, account_id: string, client_id: string, scopes: string, expires: number, refresh_token: string | null, revoked: number, access_type: string }
export interface GrantSummary { clientId: string, scopes: string[], granted: number, refreshTokens: number, accessTokens: number, expires: number | null }

/** What the API needs of an access token: the token, and its account as a request resolves it. */
export interface FoundAccessToken { accountId: string, clientId: string, scopes: string[], expires: number, revoked: boolean, accessType: string, createdTime: string, domain: string | null, declared: boolean, email: string | null, profile: AccountProfile | null }

export class OAuthStore {
  private readonly s

  constructor (private readonly db: Db) {
    this.s = lazily({
      history: () => db.prepare<[], { epoch: number, lineage: number }>('SELECT epoch, lineage FROM history WHERE id = 1'),
      deleteCodesOfGrant: () => db.prepare('DELETE FROM oauth_codes WHERE account_id = ? AND client_id = ?'),
      clientCount: () => db.prepare<[], number>('SELECT count(*) FROM (SELECT 1 FROM oauth_clients LIMIT 1)').pluck(),
      client: () => db.prepare<[string], { client_id: string, client_secret: string | null, name: string, redirect_uris: string, type: StoredClient['type'] }>('SELECT client_id, client_secret, name, redirect_uris, type FROM oauth_clients WHERE client_id = ?'),
      identities: () => db.prepare<[], IdentityRow>('SELECT id, declared, created_time, domain, email, profile FROM accounts WHERE declared = 1 ORDER BY rowid'),
      identity: () => db.prepare<[string], IdentityRow>('SELECT id, declared, created_time, domain, email, profile FROM accounts WHERE id = ?'),
      grant: () => db.prepare<[string, string], { scopes: string, offline: number }>('SELECT scopes, offline FROM oauth_grants WHERE account_id = ? AND client_id = ?'),
      grants: () => db.prepare<[string], { client_id: string, scopes: string, granted: number }>('SELECT client_id, scopes, granted FROM oauth_grants WHERE account_id = ? ORDER BY rowid'),
      saveGrant: () => db.prepare('INSERT INTO oauth_grants (account_id, client_id, scopes, granted, offline) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes, offline = max(offline, excluded.offline)'),
      deleteGrant: () => db.prepare('DELETE FROM oauth_grants WHERE account_id = ? AND client_id = ?'),
      insertCode: () => db.prepare('INSERT INTO oauth_codes (code, account_id, client_id, redirect_uri, scopes, challenge, method, nonce, refresh, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      code: () => db.prepare<[string], CodeRow>('SELECT * FROM oauth_codes WHERE code = ?'),
      deleteCode: () => db.prepare('DELETE FROM oauth_codes WHERE code = ?'),
      pruneCodes: () => db.prepare('DELETE FROM oauth_codes WHERE expires < ?'),
      dropOldCodes: () => db.prepare(`DELETE FROM oauth_codes WHERE account_id = @account AND client_id = @client AND rowid NOT IN
        (SELECT rowid FROM oauth_codes WHERE account_id = @account AND client_id = @client ORDER BY rowid DESC LIMIT ${CODES_KEPT})`),
      insertRefresh: () => db.prepare('INSERT INTO oauth_refresh_tokens (token, account_id, client_id, scopes, issued) VALUES (?, ?, ?, ?, ?)'),
      refresh: () => db.prepare<[string], RefreshRow>('SELECT * FROM oauth_refresh_tokens WHERE token = ?'),
      dropOldRefresh: () => db.prepare(`DELETE FROM oauth_refresh_tokens WHERE account_id = @account AND client_id = @client AND rowid NOT IN
        (SELECT rowid FROM oauth_refresh_tokens WHERE account_id = @account AND client_id = @client ORDER BY issued DESC, rowid DESC LIMIT ${REFRESH_TOKENS_KEPT})`),
      deleteRefreshOfGrant: () => db.prepare('DELETE FROM oauth_refresh_tokens WHERE account_id = ? AND client_id = ?'),
      countRefresh: () => db.prepare<[string, string], number>('SELECT count(*) FROM oauth_refresh_tokens WHERE account_id = ? AND client_id = ?').pluck(),
      insertAccess: () => db.prepare('INSERT INTO oauth_access_tokens (token, account_id, client_id, scopes, expires, refresh_token, access_type) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      access: () => db.prepare<[string], AccessRow & Omit<IdentityRow, 'id'>>(`SELECT t.*, a.declared, a.created_time, a.domain, a.email, a.profile
        FROM oauth_access_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token = ?`),
      dropOldAccess: () => db.prepare(`DELETE FROM oauth_access_tokens WHERE account_id = @account AND client_id = @client AND rowid NOT IN
        (SELECT rowid FROM oauth_access_tokens WHERE account_id = @account AND client_id = @client ORDER BY expires DESC, rowid DESC LIMIT ${ACCESS_TOKENS_KEPT})`),
      revokeAccessOfGrant: () => db.prepare('UPDATE oauth_access_tokens SET revoked = 1 WHERE account_id = ? AND client_id = ? AND revoked = 0'),
      liveAccess: () => db.prepare<[string, string, number], { n: number, latest: number | null }>('SELECT count(*) AS n, max(expires) AS latest FROM oauth_access_tokens WHERE account_id = ? AND client_id = ? AND revoked = 0 AND expires > ?')
    })
  }

  /** The line of history tokens are made in (whole resets and restores so far, migrations 016–017): what a rewound random stream never repeats. */
  salt (): string {
    const h = this.s.history.get()
    return h === undefined ? '0:0' : `${h.epoch}:${h.lineage}`
  }

  /** Whether any client is declared: with none, any client id is accepted. */
  anyClient (): boolean {
    return (this.s.clientCount.get() ?? 0) > 0
  }

  client (clientId: string): StoredClient | undefined {
    const c = this.s.client.get(clientId)
    return c === undefined ? undefined : { clientId: c.client_id, clientSecret: c.client_secret, name: c.name, redirectUris: JSON.parse(c.redirect_uris) as string[], type: c.type }
  }

  /** Accounts one can sign in as (declared by fixtures, an import or the consent page), in the order they were stored. */
  identities (): IdentityRow[] {
    return this.s.identities.all()
  }

  identity (accountId: string): IdentityRow | undefined {
    return this.s.identity.get(accountId)
  }

  grantedScopes (accountId: string, clientId: string): string[] | undefined {
    return this.grant(accountId, clientId)?.scopes
  }

  /** What an account granted a client: its scopes, and whether offline access. */
  grant (accountId: string, clientId: string): { scopes: string[], offline: boolean } | undefined {
    const row = this.s.grant.get(accountId, clientId)
    return row === undefined ? undefined : { scopes: JSON.parse(row.scopes) as string[], offline: row.offline === 1 }
  }

  saveGrant (accountId: string, clientId: string, scopes: readonly string[], now: number, offline = false): void {
    this.s.saveGrant.run(accountId, clientId, JSON.stringify(scopes), now, offline ? 1 : 0)
  }

  /** What an account granted, per client, with its live tokens (the web UI, the control plane). */
  grants (accountId: string, now: number): GrantSummary[] {
    return this.s.grants.all(accountId).map(g => {
      const live = this.s.liveAccess.get(accountId, g.client_id, now)
      return { clientId: g.client_id, scopes: JSON.parse(g.scopes) as string[], granted: g.granted, refreshTokens: this.s.countRefresh.get(accountId, g.client_id) ?? 0, accessTokens: live?.n ?? 0, expires: live?.latest ?? null }
    })
  }

  /** Takes back everything an account granted a client: the grant, its codes not yet exchanged, its refresh tokens, its access tokens (which the API then refuses). */
  revokeGrant (accountId: string, clientId: string): boolean {
    return this.db.transaction(() => {
      this.s.deleteCodesOfGrant.run(accountId, clientId)
      const gone = this.s.deleteGrant.run(accountId, clientId).changes > 0
      const refresh = this.s.deleteRefreshOfGrant.run(accountId, clientId).changes > 0
      const access = this.s.revokeAccessOfGrant.run(accountId, clientId).changes > 0
      return gone || refresh || access
    })()
  }

  /** Keeps a code; the oldest of the account and client not yet exchanged go past CODES_KEPT. */
  saveCode (row: CodeRow): void {
    this.db.transaction(() => {
      this.s.insertCode.run(row.code, row.account_id, row.client_id, row.redirect_uri, row.scopes, row.challenge, row.method, row.nonce, row.refresh, row.expires)
      this.s.dropOldCodes.run({ account: row.account_id, client: row.client_id })
    })()
  }

  code (code: string): CodeRow | undefined {
    return this.s.code.get(code)
  }

  spendCode (code: string): void {
    this.s.deleteCode.run(code)
  }

  pruneCodes (now: number): void {
    this.s.pruneCodes.run(now)
  }

  saveRefresh (row: RefreshRow): void {
    this.db.transaction(() => {
      this.s.insertRefresh.run(row.token, row.account_id, row.client_id, row.scopes, row.issued)
      this.s.dropOldRefresh.run({ account: row.account_id, client: row.client_id })
    })()
  }

  refresh (token: string): RefreshRow | undefined {
    return this.s.refresh.get(token)
  }

  saveAccess (row: Omit<AccessRow, 'revoked'>): void {
    this.db.transaction(() => {
      this.s.insertAccess.run(row.token, row.account_id, row.client_id, row.scopes, row.expires, row.refresh_token, row.access_type)
      this.s.dropOldAccess.run({ account: row.account_id, client: row.client_id })
    })()
  }

  access (token: string): FoundAccessToken | undefined {
    const row = this.s.access.get(token)
    if (row === undefined) return undefined
    return {
      accountId: row.account_id,
      clientId: row.client_id,
      scopes: JSON.parse(row.scopes) as string[],
      expires: row.expires,
      revoked: row.revoked === 1,
      accessType: row.access_type,
      createdTime: row.created_time,
      domain: row.domain,
      declared: row.declared === 1,
      email: row.email,
      profile: row.profile === null ? null : JSON.parse(row.profile) as AccountProfile
    }
  }
}
