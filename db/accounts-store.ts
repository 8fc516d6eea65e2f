/**
 * Accounts, their tokens and the bulk operations of the control plane (import, export,
 * reset). Synchronous: prepared statements, one transaction per operation.
 */
import { lazily } from './lazy.js'
import type { Db } from './database.js'
import { forgetPositions, HIGHEST_STORED } from './changes.js'
import { accountEmail, emailKey, unpackContact } from './model.js'
import type { AccountProfile, AccountSummary, DeriveKeys, FoundToken, PackedAccount, PackedContact, StoredAccount, StoredClient, StoredContact, StoredDomain, StoredGrant, StoredGroup, StoredOtherPerson } from './model.js'

function otherPerson (row: OtherRow): StoredOtherPerson {
  return { id: row.id, sourceType: row.source_type, data: JSON.parse(row.data) as Record<string, unknown>, etag: row.etag, updateTime: row.update_time }
}

/** Contacts stored between two yields of AccountsStore.replaceSteps: a few tens of milliseconds of work. */
const CONTACTS_PER_STEP = 2000

/** The triggers that count what an insert adds (migrations 003 and 013). */
const COUNTING_TRIGGERS = ['contacts_count_insert', 'contacts_total_insert', 'memberships_count_insert']
/**
 * Contacts from which a new database's load counts them after (AccountsStore.countAfterLoad):
 * dropping and creating the triggers again costs about what counting a hundred contacts one by
 * one does (measured), and a load of a few is common (an emulator per test file).
 */
const COUNT_AFTER_LOAD_FROM = 200
/** The counts they keep, made over the whole database (as migrations 003 and 013 first made them). */
const RECOUNTS = [
  'UPDATE accounts SET contact_count = (SELECT count(*) FROM contacts c WHERE c.account_id = accounts.id)',
  'UPDATE totals SET contacts = (SELECT count(*) FROM contacts) WHERE id = 1',
  'UPDATE contact_groups SET member_count = (SELECT count(*) FROM memberships m WHERE m.account_id = contact_groups.account_id AND m.group_id = contact_groups.id)'
]

interface AccountRow { id: string, declared: number, created_time: string, domain: string | null, email: string | null, profile: string | null }
interface ClientRow { client_id: string, client_secret: string | null, name: string, redirect_uris: string, type: StoredClient['type'] }
interface OtherRow { id: string, source_type: StoredOtherPerson['sourceType'], data: string, etag: string, update_time: string }
interface TokenRow { token: string, account_id: string, scopes: string | null }
interface GroupRow { id: string, group_type: StoredGroup['groupType'], name: string, client_data: string | null, etag: string | null, update_time: string | null }
interface ContactRow { id: string, data: string, etag: string, update_time: string }

function parseProfile (text: string | null): AccountProfile | null {
  return text === null ? null : JSON.parse(text) as AccountProfile
}

export class AccountsStore {
  private readonly s

  constructor (private readonly db: Db, private readonly derive: DeriveKeys) {
    this.s = lazily({
      token: () => db.prepare<[string], TokenRow & { created_time: string, domain: string | null, declared: number, email: string | null, profile: string | null }>('SELECT t.token, t.account_id, t.scopes, a.created_time, a.domain, a.declared, a.email, a.profile FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token = ?'),
      account: () => db.prepare<[string], AccountRow>('SELECT id, declared, created_time, domain, email, profile FROM accounts WHERE id = ?'),
      accounts: () => db.prepare<[], AccountRow>('SELECT id, declared, created_time, domain, email, profile FROM accounts ORDER BY id'),
      clients: () => db.prepare<[], ClientRow>('SELECT client_id, client_secret, name, redirect_uris, type FROM oauth_clients ORDER BY rowid'),
      insertClient: () => db.prepare('INSERT INTO oauth_clients (client_id, client_secret, name, redirect_uris, type) VALUES (?, ?, ?, ?, ?)'),
      deleteClient: () => db.prepare('DELETE FROM oauth_clients WHERE client_id = ?'),
      deleteAllClients: () => db.prepare('DELETE FROM oauth_clients'),
      grants: () => db.prepare<[string], { client_id: string, scopes: string, granted: number, offline: number }>('SELECT client_id, scopes, granted, offline FROM oauth_grants WHERE account_id = ? ORDER BY rowid'),
      refreshTokens: () => db.prepare<[string, string], { token: string, scopes: string, issued: number }>('SELECT token, scopes, issued FROM oauth_refresh_tokens WHERE account_id = ? AND client_id = ? ORDER BY issued, rowid'),
      insertGrant: () => db.prepare('INSERT INTO oauth_grants (account_id, client_id, scopes, granted, offline) VALUES (?, ?, ?, ?, ?)'),
      insertRefresh: () => db.prepare('INSERT INTO oauth_refresh_tokens (token, account_id, client_id, scopes, issued) VALUES (?, ?, ?, ?, ?)'),
      accountOthers: () => db.prepare<[string], OtherRow>('SELECT id, source_type, data, etag, update_time FROM other_contacts WHERE account_id = ? AND deleted = 0 ORDER BY rowid'),
      domains: () => db.prepare<[], { domain: string, created_time: string }>('SELECT domain, created_time FROM domains ORDER BY domain'),
      domainExists: () => db.prepare<[string], number>('SELECT 1 FROM domains WHERE domain = ?').pluck(),
      domainCreated: () => db.prepare<[string], string>('SELECT created_time FROM domains WHERE domain = ?').pluck(),
      domainPeople: () => db.prepare<[string], OtherRow>('SELECT id, source_type, data, etag, update_time FROM directory_people WHERE domain = ? AND deleted = 0 ORDER BY rowid'),
      insertDomain: () => db.prepare('INSERT INTO domains (domain, created_time) VALUES (?, ?)'),
      insertOther: () => db.prepare('INSERT INTO other_contacts (account_id, id, data, etag, update_time, search_text) VALUES (?, ?, ?, ?, ?, ?)'),
      insertDirectoryPerson: () => db.prepare('INSERT INTO directory_people (domain, source_type, id, data, etag, update_time, search_text) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      deleteDomain: () => db.prepare('DELETE FROM domains WHERE domain = ?'),
      deleteAllDomains: () => db.prepare('DELETE FROM domains'),
      forgetLastPosition: () => db.prepare('UPDATE totals SET last_seq = 0'),
      // Before accounts or domains are replaced: the rows going may hold the highest position.
      keepHighestPosition: () => db.prepare(`UPDATE totals SET last_seq = ${HIGHEST_STORED}`),
      // The lines of history of restored snapshots (migration 016) start again too.
      forgetLineages: () => db.prepare('DELETE FROM lineages'),
      // … in a new epoch: the sync tokens handed out from now on are told from those before (migration 017).
      firstLineage: () => db.prepare('UPDATE history SET lineage = 0, epoch = epoch + 1'),
      accountTokens: () => db.prepare<[string], TokenRow>('SELECT token, account_id, scopes FROM tokens WHERE account_id = ? ORDER BY rowid'),
      accountGroups: () => db.prepare<[string], GroupRow>('SELECT id, group_type, name, client_data, etag, update_time FROM contact_groups WHERE account_id = ? ORDER BY rowid'),
      accountContacts: () => db.prepare<[string], ContactRow>('SELECT id, data, etag, update_time FROM contacts WHERE account_id = ? ORDER BY rowid'),
      accountMemberships: () => db.prepare<[string], { contact_id: string, group_id: string }>('SELECT contact_id, group_id FROM memberships WHERE account_id = ? ORDER BY rowid'),
      insertAccount: () => db.prepare('INSERT INTO accounts (id, declared, created_time, domain, email, profile, email_key) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      byEmailKey: () => db.prepare<[string], string>('SELECT id FROM accounts WHERE email_key = ?').pluck(),
      refreshOwner: () => db.prepare<[string], string>('SELECT account_id FROM oauth_refresh_tokens WHERE token = ?').pluck(),
      insertToken: () => db.prepare('INSERT INTO tokens (token, account_id, scopes) VALUES (?, ?, ?)'),
      insertGroup: () => db.prepare('INSERT INTO contact_groups (account_id, id, group_type, name, client_data, etag, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      insertContact: () => db.prepare('INSERT INTO contacts (account_id, id, data, etag, update_time, given_key, family_key, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      insertMembership: () => db.prepare('INSERT INTO memberships (account_id, contact_id, group_id) VALUES (?, ?, ?)'),
      deleteAccount: () => db.prepare('DELETE FROM accounts WHERE id = ?'),
      deleteAll: () => db.prepare('DELETE FROM accounts')
    })
  }

  /** Fills the derived keys of contacts written before they existed (migration 002). */
  backfillKeys (): number {
    const rows = this.db.prepare<[], { rowid: number, data: string }>('SELECT rowid, data FROM contacts WHERE search_text IS NULL').all()
    const update = this.db.prepare('UPDATE contacts SET given_key = ?, family_key = ?, search_text = ? WHERE rowid = ?')
    this.db.transaction(() => {
      for (const row of rows) {
        const keys = this.derive(JSON.parse(row.data) as Record<string, unknown>)
        update.run(keys.givenKey, keys.familyKey, keys.searchText, row.rowid)
      }
    })()
    return rows.length
  }

  /**
   * Every request looks its token up: answers are kept until a write to accounts or tokens
   * (which happen only here) clears them.
   */
  private readonly tokenCache = new Map<string, FoundToken>()

  /**
   * Counts the replacements of accounts (imports, resets): an account resolved before a
   * replacement may no longer exist, or own its token, when its request comes to write.
   */
  generation = 0

  findToken (token: string): FoundToken | undefined {
    const cached = this.tokenCache.get(token)
    if (cached) return cached
    const row = this.s.token.get(token)
    if (!row) return undefined
    const found = { accountId: row.account_id, scopes: row.scopes === null ? null : JSON.parse(row.scopes) as string[], createdTime: row.created_time, domain: row.domain, declared: row.declared === 1, email: row.email, profile: parseProfile(row.profile) }
    if (this.tokenCache.size >= 10000) this.tokenCache.clear()
    this.tokenCache.set(token, found)
    return found
  }

  /** The account that signs in with this address (any case), if any. */
  accountByEmail (address: string): string | undefined {
    return this.s.byEmailKey.get(emailKey(address))
  }

  /** The account holding a refresh token, if any. */
  refreshTokenOwner (token: string): string | undefined {
    return this.s.refreshOwner.get(token)
  }

  accountExists (id: string): boolean {
    return this.s.account.get(id) !== undefined
  }

  domainExists (domain: string): boolean {
    return this.s.domainExists.get(domain) !== undefined
  }

  /** When the domain was stored (undefined: it is not): directory sync tokens are bound to it. */
  domainCreatedTime (domain: string): string | undefined {
    return this.s.domainCreated.get(domain)
  }

  /** Creates an account with its groups (system groups included) and contacts. */
  private insert (account: StoredAccount | PackedAccount): void {
    const s = this.s
    s.insertAccount.run(account.id, account.declared ? 1 : 0, account.createdTime, account.domain, account.email ?? null, account.profile == null ? null : JSON.stringify(account.profile),
      account.declared ? emailKey(accountEmail(account)) : null)
    for (const t of account.tokens) s.insertToken.run(t.token, account.id, t.scopes === null ? null : JSON.stringify(t.scopes))
    for (const g of account.grants ?? []) {
      s.insertGrant.run(account.id, g.clientId, JSON.stringify(g.scopes), g.granted, g.offline ? 1 : 0)
      for (const r of g.refreshTokens) s.insertRefresh.run(r.token, account.id, g.clientId, JSON.stringify(r.scopes), r.issued)
    }
    for (const g of account.groups) {
      s.insertGroup.run(account.id, g.id, g.groupType, g.name, g.clientData === null ? null : JSON.stringify(g.clientData), g.etag, g.updateTime)
    }
    for (const o of account.otherContacts) s.insertOther.run(account.id, o.id, JSON.stringify(o.data), o.etag, o.updateTime, this.derive(o.data).searchText)
    for (const item of account.contacts) this.insertContact(account.id, item)
  }

  /** Creates a domain with its people. */
  private insertDomain (domain: StoredDomain): void {
    this.s.insertDomain.run(domain.domain, domain.createdTime)
    for (const p of domain.people) {
      this.s.insertDirectoryPerson.run(domain.domain, p.sourceType, p.id, JSON.stringify(p.data), p.etag, p.updateTime, this.derive(p.data).searchText)
    }
  }

  private insertContact (accountId: string, item: StoredContact | PackedContact): void {
    const s = this.s
    const c = typeof item === 'string' ? unpackContact(item) : { ...item, data: JSON.stringify(item.data) }
    const keys = this.derive(typeof item === 'string' ? JSON.parse(c.data) as Record<string, unknown> : item.data)
    s.insertContact.run(accountId, c.id, c.data, c.etag, c.updateTime, keys.givenKey, keys.familyKey, keys.searchText)
    for (const groupId of c.memberships) s.insertMembership.run(accountId, c.id, groupId)
  }

  /** Creates one account, as a token's first request does. */
  createAccount (account: StoredAccount): void {
    this.tokenCache.clear()
    this.db.transaction(() => this.insert(account)).immediate()
  }

  /**
   * The database was replaced under the store (a snapshot restored): tokens are looked up again,
   * and requests resolved before it resolve their accounts again (see generation).
   */
  replaced (): void {
    this.tokenCache.clear()
    this.generation++
    forgetPositions(this.db)
  }

  /** Deletes an account with everything it holds (a new account whose first write failed). */
  deleteAccount (id: string): void {
    this.tokenCache.clear()
    this.s.deleteAccount.run(id)
  }

  /**
   * Replaces the named accounts and domains with the given ones — or, with `reset`, every
   * account and domain (or one account) — cut into steps: the caller runs it inside one
   * transaction it holds open across turns of the event loop (src/steps.ts), while nothing
   * else uses the connection, and commits or rolls back.
   */
  * replaceSteps (accounts: ReadonlyArray<StoredAccount | PackedAccount>, reset?: { onlyAccount?: string }, domains: readonly StoredDomain[] = [], clients: readonly StoredClient[] = [], fresh = false): Generator<void, void> {
    this.tokenCache.clear()
    this.generation++
    if (fresh) {
      // A database just created holds nothing to replace (and preparing the deletes, with
      // their cascades, would cost an emulator's start more than storing a few contacts).
    } else if (reset === undefined) {
      this.s.keepHighestPosition.run()
      for (const a of accounts) this.s.deleteAccount.run(a.id)
      for (const d of domains) this.s.deleteDomain.run(d.domain)
      for (const c of clients) this.s.deleteClient.run(c.clientId)
    } else if (reset.onlyAccount === undefined) {
      // Positions start again from 1, as in a new emulator (every sync token is expired).
      this.s.deleteAll.run()
      this.s.deleteAllDomains.run()
      this.s.deleteAllClients.run()
      this.s.forgetLastPosition.run()
      this.s.forgetLineages.run()
      this.s.firstLineage.run()
    } else {
      this.s.keepHighestPosition.run()
      this.s.deleteAccount.run(reset.onlyAccount)
    }
    for (const d of domains) this.insertDomain(d)
    if (reset?.onlyAccount === undefined) {
      for (const c of clients) this.s.insertClient.run(c.clientId, c.clientSecret, c.name, JSON.stringify(c.redirectUris), c.type)
    }
    const countAfter = fresh && accounts.reduce((n, a) => n + a.contacts.length, 0) >= COUNT_AFTER_LOAD_FROM ? this.countAfterLoad() : undefined
    let stored = 0
    for (const account of accounts) {
      const contacts = account.contacts
      this.insert({ ...account, contacts: [] } as StoredAccount)
      for (let i = 0; i < contacts.length; i++) {
        this.insertContact(account.id, contacts[i]!)
        if (++stored % CONTACTS_PER_STEP === 0) yield
      }
    }
    countAfter?.()
    this.tokenCache.clear()
  }

  /**
   * For the load of a new database: the triggers that count each contact and membership as it
   * is inserted (migrations 003 and 013) are dropped, and the returned function counts them all
   * at once, as migration 003 first counted them, and puts the triggers back — a third of what
   * storing a contact costs. All inside the caller's transaction: a load that fails leaves the
   * triggers as they were.
   */
  private countAfterLoad (): () => void {
    const triggers = this.db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND name IN (${COUNTING_TRIGGERS.map(() => '?').join(', ')})`).all(...COUNTING_TRIGGERS) as Array<{ name: string, sql: string }>
    for (const trigger of triggers) this.db.exec(`DROP TRIGGER "${trigger.name}"`)
    return () => {
      for (const sql of RECOUNTS) this.db.exec(sql)
      for (const trigger of triggers) this.db.exec(trigger.sql)
    }
  }

  /**
   * A whole reset from the image of the state a reset gives (db/snapshots.ts replaceRows): its
   * rows, and the history started again as replaceSteps starts it (every token expired).
   */
  * resetFromImageSteps (rows: Generator<void, void>): Generator<void, void> {
    this.tokenCache.clear()
    this.generation++
    this.s.forgetLineages.run()
    this.s.firstLineage.run()
    yield * rows
    this.tokenCache.clear()
  }

  /**
   * Replaces the named accounts and domains (and only those) with the given ones, all or nothing,
   * at once. `fresh`: the database was just created and holds nothing yet.
   */
  replaceAccounts (accounts: ReadonlyArray<StoredAccount | PackedAccount>, domains: readonly StoredDomain[] = [], clients: readonly StoredClient[] = [], fresh = false): void {
    try {
      this.db.transaction(() => {
        const steps = this.replaceSteps(accounts, undefined, domains, clients, fresh)
        while (steps.next().done !== true);
      }).immediate()
    } finally {
      forgetPositions(this.db)
    }
  }

  /** Every account (id, domain, creation time, tokens), without what it holds; by id. */
  listAccounts (): AccountSummary[] {
    return this.db.transaction(() => this.s.accounts.all().map(row => this.summary(row)))()
  }

  /** One account (id, domain, creation time, tokens); undefined when there is none. */
  accountSummary (id: string): AccountSummary | undefined {
    const row = this.s.account.get(id)
    return row === undefined ? undefined : this.summary(row)
  }

  private summary (row: AccountRow): AccountSummary {
    return {
      id: row.id,
      declared: row.declared === 1,
      createdTime: row.created_time,
      domain: row.domain,
      tokens: this.s.accountTokens.all(row.id).map(t => ({ token: t.token, scopes: t.scopes === null ? null : JSON.parse(t.scopes) as string[] }))
    }
  }

  /** Every domain with its creation time; by name. */
  listDomains (): Array<{ domain: string, createdTime: string }> {
    return this.s.domains.all().map(d => ({ domain: d.domain, createdTime: d.created_time }))
  }

  /** Every account with everything it holds, in a consistent snapshot. */
  exportAll (): StoredAccount[] {
    return this.exportState().accounts
  }

  /** Every domain and account with everything they hold, in a consistent snapshot. */
  exportState (): { domains: StoredDomain[], accounts: StoredAccount[], clients: StoredClient[] } {
    return this.db.transaction(() => ({
      clients: this.listClients(),
      domains: this.s.domains.all().map(d => ({ domain: d.domain, createdTime: d.created_time, people: this.s.domainPeople.all(d.domain).map(otherPerson) })),
      accounts: this.s.accounts.all().map(row => this.load(row))
    }))()
  }

  /** The OAuth clients declared, in the order they were. */
  listClients (): StoredClient[] {
    return this.s.clients.all().map(c => ({ clientId: c.client_id, clientSecret: c.client_secret, name: c.name, redirectUris: JSON.parse(c.redirect_uris) as string[], type: c.type }))
  }

  private loadGrants (accountId: string): StoredGrant[] {
    return this.s.grants.all(accountId).map(g => ({
      clientId: g.client_id,
      scopes: JSON.parse(g.scopes) as string[],
      granted: g.granted,
      offline: g.offline === 1,
      refreshTokens: this.s.refreshTokens.all(accountId, g.client_id).map(r => ({ token: r.token, scopes: JSON.parse(r.scopes) as string[], issued: r.issued }))
    }))
  }

  private load (row: AccountRow): StoredAccount {
    const s = this.s
    const memberships = new Map<string, string[]>()
    for (const m of s.accountMemberships.all(row.id)) {
      const list = memberships.get(m.contact_id)
      if (list) list.push(m.group_id)
      else memberships.set(m.contact_id, [m.group_id])
    }
    return {
      id: row.id,
      declared: row.declared === 1,
      createdTime: row.created_time,
      domain: row.domain,
      email: row.email,
      profile: parseProfile(row.profile),
      grants: this.loadGrants(row.id),
      otherContacts: s.accountOthers.all(row.id).map(otherPerson),
      tokens: s.accountTokens.all(row.id).map(t => ({ token: t.token, scopes: t.scopes === null ? null : JSON.parse(t.scopes) as string[] })),
      groups: s.accountGroups.all(row.id).map(g => ({
        id: g.id,
        groupType: g.group_type,
        name: g.name,
        clientData: g.client_data === null ? null : JSON.parse(g.client_data) as StoredGroup['clientData'],
        etag: g.etag,
        updateTime: g.update_time
      })),
      contacts: s.accountContacts.all(row.id).map(c => ({
        id: c.id,
        data: JSON.parse(c.data) as Record<string, unknown>,
        etag: c.etag,
        updateTime: c.update_time,
        memberships: memberships.get(c.id) ?? []
      }))
    }
  }
}
