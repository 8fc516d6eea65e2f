import t from 'tap'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findSqliteModule, loadMigrations, MEMDB_MAX_BYTES, MEMORY_CACHE_PAGES, migratedImage, migratedImageFile, openDatabase } from '../db/database.js'
import Database from 'better-sqlite3'
import { fileURLToPath } from 'node:url'
import { AccountsStore } from '../db/accounts-store.js'
import { ContactsStore } from '../db/contacts-store.js'
import { Changes } from '../db/changes.js'
import { GROUP_NAME_KEY } from '../db/groups-store.js'
import { newAccount } from '../src/accounts.js'
import { contactKeys } from '../src/people/keys.js'
import { ftsQuery, indexedText } from '../src/people/search.js'
import { build, printable } from './helpers/app.js'
import { buildApp } from '../src/app.js'

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'pae-db-')), 'people.db')

t.test('migrations are numbered in sequence and tracked by user_version', async t => {
  const migrations = loadMigrations()
  t.ok(migrations.length >= 1)
  migrations.forEach((m, i) => t.equal(m.version, i + 1, m.name))
  const { db, created } = openDatabase(':memory:')
  t.equal(created, true)
  t.equal(db.pragma('user_version', { simple: true }), migrations.length)
  db.close()
})

/** The schema a database holds, in a fixed order. */
function schemaOf (db: InstanceType<typeof Database>): unknown {
  return { version: db.pragma('user_version', { simple: true }), objects: db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').all() }
}

/** Migrations copied into a folder of their own, made distinct by a comment (this process keeps an image per list of migrations). */
function migrationsCopy (comment: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pae-migrations-'))
  cpSync(fileURLToPath(new URL('../db/migrations/', import.meta.url)), dir, { recursive: true })
  const last = readdirSync(dir).filter(f => f.endsWith('.sql')).sort().pop()!
  writeFileSync(join(dir, last), `-- ${comment}\n`, { flag: 'a' })
  return dir + '/'
}

t.test('a new in-memory database opens the build\'s image, and one not of its migrations is ignored', async t => {
  // An image of the migrations with a mark in it: opened instead of running them.
  const dir = migrationsCopy('marked')
  const migrations = loadMigrations(dir)
  const marked = new Database(migratedImage(migrations))
  marked.exec('CREATE TABLE image_mark (x INTEGER) STRICT')
  writeFileSync(migratedImageFile(migrations, dir), marked.serialize())
  marked.close()
  const opened = openDatabase(':memory:', migrations).db
  t.equal((opened.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'image_mark'").get() as { n: number }).n, 1, 'the image is the new database')
  t.equal(opened.pragma('user_version', { simple: true }), migrations.length)
  opened.close()

  // An image of an older schema version, bytes that are no database, and a database of the right
  // version whose pages are damaged (its header whole): the migrations run.
  const damaged = migratedImage(migrations)
  damaged.fill(0x5a, 100)
  for (const [what, bytes] of [['an older version', (() => { const d = new Database(migratedImage(migrations.slice(0, 3))); const b = d.serialize(); d.close(); return b })()], ['not a database', Buffer.from('not a database')], ['damaged pages', damaged]] as const) {
    const other = migrationsCopy(what)
    const theirs = loadMigrations(other)
    writeFileSync(migratedImageFile(theirs, other), bytes)
    const db = openDatabase(':memory:', theirs).db
    t.equal(db.pragma('user_version', { simple: true }), theirs.length, what)
    const made = new Database(migratedImage(theirs))
    t.same(schemaOf(db), schemaOf(made), `${what}: the schema of the migrations`)
    made.close()
    db.close()
  }
})

t.test('tables are STRICT and keyed by account', async t => {
  const { db } = openDatabase(':memory:')
  // The full-text index (contact_search and its shadow tables) is FTS5's, not ours.
  const tables = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'contact_search%' ORDER BY name").all() as Array<{ name: string, strict: number }>
  // (totals holds one number for the whole emulator: no account's data; nor do history and
  // lineages, the lines of history of restored snapshots. domains and directory_people are
  // keyed by domain: a Workspace domain's directory is its accounts'; so is domain_sync_tokens,
  // the directory's sync tokens handed out. oauth_clients holds the OAuth clients fixtures
  // declare, the apps every account signs in to: no account's data; the grants, codes and
  // tokens of the sign-in front door are keyed by account.)
  t.same(tables.map(r => r.name), ['account_sync_tokens', 'accounts', 'changes', 'contact_groups', 'contacts', 'directory_people', 'domain_sync_tokens', 'domains', 'history', 'lineages', 'memberships', 'oauth_access_tokens', 'oauth_clients', 'oauth_codes', 'oauth_grants', 'oauth_refresh_tokens', 'other_contacts', 'tokens', 'totals'])
  for (const r of tables) t.equal(r.strict, 1, `${r.name} is STRICT`)
  t.equal(db.pragma('foreign_keys', { simple: true }), 1)
  t.throws(() => db.prepare("INSERT INTO contacts (account_id, id, data, etag, update_time) VALUES ('nobody', '1', '{}', '#', 't')").run(), /FOREIGN KEY/)
  t.throws(() => db.prepare("INSERT INTO accounts (id, declared, created_time) VALUES ('a', 'yes', 't')").run(), /cannot store TEXT value in INTEGER column|CHECK/)
  db.close()
})

t.test('in memory: a database on the memdb VFS with a bounded page cache, larger than the cache, rolling back', async t => {
  const { db } = openDatabase(':memory:', undefined, { maxBytes: 256 * 1024 * 1024 })
  t.equal(db.memory, true)
  t.equal(db.pragma('cache_size', { simple: true }), MEMORY_CACHE_PAGES, 'the page cache is bounded')
  t.equal(db.pragma('journal_mode', { simple: true }), 'memory', 'a rollback journal in memory')
  db.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT; CREATE INDEX big_by_v ON big (v)')
  const insert = db.prepare('INSERT INTO big (v) VALUES (?)')
  // Random keys in an index: page splits that renumber pages, as contacts' indexes see.
  db.transaction(() => { for (let i = 0; i < 20000; i++) insert.run(`${(i * 7919) % 20011}-${'x'.repeat(200)}`) })()
  const pages = db.pragma('page_count', { simple: true }) as number
  t.ok(pages > MEMORY_CACHE_PAGES * 2, `the database (${pages} pages) is larger than its cache`)
  t.equal((db.prepare('SELECT count(*) AS n FROM big').get() as { n: number }).n, 20000, 'every row reads back')
  t.equal((db.prepare('SELECT count(*) AS n FROM big INDEXED BY big_by_v WHERE v > ?').get('') as { n: number }).n, 20000, 'through the index too')
  t.throws(() => db.transaction(() => { db.exec('DELETE FROM big'); throw new Error('abandoned') })())
  t.equal((db.prepare('SELECT count(*) AS n FROM big').get() as { n: number }).n, 20000, 'a rolled-back transaction changes nothing')
  db.close()
})

t.test('in memory with a storage ceiling above what memdb holds: a plain :memory: database', async t => {
  const { db } = openDatabase(':memory:', undefined, { maxBytes: MEMDB_MAX_BYTES + 1 })
  t.equal(db.memory, true)
  t.not(db.pragma('cache_size', { simple: true }), MEMORY_CACHE_PAGES, "SQLite's own cache of every page")
  db.close()
  const app = await build(t, { maxStorageMiB: 900 })
  t.not(app.db.pragma('cache_size', { simple: true }), MEMORY_CACHE_PAGES, '--max-storage 900 (a ceiling of 1,125 MiB)')
  const small = await build(t)
  t.equal(small.db.pragma('cache_size', { simple: true }), MEMORY_CACHE_PAGES, 'the default --max-storage 256')
})

t.test('a file database: WAL, synchronous=NORMAL, foreign keys', async t => {
  const { db } = openDatabase(tempDb())
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL')
  t.equal(db.pragma('foreign_keys', { simple: true }), 1)
  db.close()
})

t.test('a file database keeps everything across a reopen and is not migrated twice', async t => {
  const file = tempDb()
  const first = openDatabase(file)
  const store = new AccountsStore(first.db, contactKeys)
  store.createAccount(newAccount({ id: 'alice', declared: true, createdTime: '2026-01-01T00:00:00.000000Z', tokens: [{ token: 't', scopes: ['s'] }] }))
  const before = store.exportAll()
  first.db.close()
  const second = openDatabase(file)
  t.equal(second.created, false)
  t.same(new AccountsStore(second.db, contactKeys).exportAll(), before)
  second.db.close()
})

t.test('a database newer than this emulator is refused', async t => {
  const file = tempDb()
  const { db } = openDatabase(file)
  db.pragma('user_version = 999')
  db.close()
  t.throws(() => openDatabase(file), /schema version 999, newer than this emulator's/)
})

t.test('a failed migration leaves the database at its previous version', async t => {
  const file = tempDb()
  const migrations = loadMigrations()
  openDatabase(file, migrations).db.close()
  const broken = [...migrations, { version: migrations.length + 1, name: 'broken.sql', sql: 'CREATE TABLE ok (x INTEGER) STRICT; CREATE TABLE nope (;' }]
  t.throws(() => openDatabase(file, broken))
  const { db } = openDatabase(file, migrations)
  t.equal(db.pragma('user_version', { simple: true }), migrations.length)
  t.equal((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'ok'").get() as { n: number }).n, 0, 'nothing of the failed migration remains')
  db.close()
})

t.test('member and contact counts follow every write, cascades included', async t => {
  const { db } = openDatabase(':memory:')
  const store = new AccountsStore(db, contactKeys)
  const contact = (id: string, memberships: string[]) => ({ id, data: {}, etag: '#AAAAAAAAAAA=', updateTime: 't', memberships })
  store.createAccount(newAccount({ id: 'a', declared: true, createdTime: 't', tokens: [], contacts: [contact('1', ['myContacts', 'starred']), contact('2', ['myContacts'])] }))
  const counts = (): unknown => ({
    contacts: (db.prepare("SELECT contact_count AS n FROM accounts WHERE id = 'a'").get() as { n: number }).n,
    myContacts: (db.prepare("SELECT member_count AS n FROM contact_groups WHERE account_id = 'a' AND id = 'myContacts'").get() as { n: number }).n,
    starred: (db.prepare("SELECT member_count AS n FROM contact_groups WHERE account_id = 'a' AND id = 'starred'").get() as { n: number }).n
  })
  t.same(counts(), { contacts: 2, myContacts: 2, starred: 1 })
  db.prepare("DELETE FROM contacts WHERE account_id = 'a' AND id = '1'").run()
  t.same(counts(), { contacts: 1, myContacts: 1, starred: 0 }, 'a contact delete cascades to its memberships and both counts')
  db.close()
})

t.test('a new database\'s load of many contacts counts them and their members at once, and leaves the counting triggers as they were', async t => {
  const schemaOf = (db: Database.Database): unknown => db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all()
  const schemaVersion = (db: Database.Database): number => db.pragma('schema_version', { simple: true }) as number
  const contact = (id: string, memberships: string[]) => ({ id, data: { names: [{ givenName: id }] }, etag: '#AAAAAAAAAAA=', updateTime: 't', memberships })
  // 200 contacts: as many as make the load count after (a few are counted as they are inserted).
  const many = (id: string, count: number) => newAccount({ id, declared: true, createdTime: 't', tokens: [], contacts: Array.from({ length: count }, (_, i) => contact(String(i + 1), i === 0 ? ['myContacts', 'starred'] : ['myContacts'])) })
  const { db } = openDatabase(':memory:')
  const before = schemaOf(db)
  const version = schemaVersion(db)
  const store = new AccountsStore(db, contactKeys)
  store.replaceAccounts([many('a', 199), many('b', 1)], [], [], true)
  t.ok(schemaVersion(db) > version, 'the triggers were dropped and made again')
  const counts = (db: Database.Database): unknown => ({
    accounts: db.prepare('SELECT id, contact_count FROM accounts ORDER BY id').all(),
    members: db.prepare("SELECT account_id, id, member_count FROM contact_groups WHERE id IN ('myContacts', 'starred') ORDER BY account_id, id").all(),
    total: (db.prepare('SELECT contacts FROM totals').get() as { contacts: number }).contacts
  })
  const expected = {
    accounts: [{ id: 'a', contact_count: 199 }, { id: 'b', contact_count: 1 }],
    members: [{ account_id: 'a', id: 'myContacts', member_count: 199 }, { account_id: 'a', id: 'starred', member_count: 1 }, { account_id: 'b', id: 'myContacts', member_count: 1 }, { account_id: 'b', id: 'starred', member_count: 1 }],
    total: 200
  }
  t.same(counts(db), expected)
  t.same(schemaOf(db), before, 'the schema is the migrations\' own again: every trigger back, as it was written')
  store.createAccount(newAccount({ id: 'c', declared: true, createdTime: 't', tokens: [], contacts: [contact('1', ['starred'])] }))
  t.same((db.prepare("SELECT contact_count FROM accounts WHERE id = 'c'").get() as { contact_count: number }).contact_count, 1, 'and they count the writes after it')
  t.same((db.prepare('SELECT contacts FROM totals').get() as { contacts: number }).contacts, 201)
  t.same((db.prepare("SELECT member_count FROM contact_groups WHERE account_id = 'c' AND id = 'starred'").get() as { member_count: number }).member_count, 1)

  // The same load in two parts, each under 200 contacts: counted as they are inserted, to the same counts.
  const small = openDatabase(':memory:').db
  const smallVersion = schemaVersion(small)
  const smallStore = new AccountsStore(small, contactKeys)
  smallStore.replaceAccounts([many('a', 199)], [], [], true)
  smallStore.replaceAccounts([many('b', 1)], [], [], true)
  t.equal(schemaVersion(small), smallVersion, 'no trigger was dropped')
  t.same(counts(small), expected)

  // A load that fails (a membership of a group the account does not have) leaves nothing of it, the triggers included.
  const failing = openDatabase(':memory:').db
  const failingStore = new AccountsStore(failing, contactKeys)
  const bad = many('d', 200)
  bad.contacts[199]!.memberships = ['nosuchgroup']
  t.throws(() => failingStore.replaceAccounts([bad], [], [], true), /FOREIGN KEY/)
  t.same(schemaOf(failing), before, 'the schema as it was')
  t.same(failing.prepare('SELECT count(*) AS n FROM accounts').get(), { n: 0 })
  db.close()
  small.close()
  failing.close()
})

t.test('a file database started with 200 fixture contacts or more keeps their counts across a restart, and counts the writes after', async t => {
  const file = join(mkdtempSync(join(tmpdir(), 'pae-db-')), 'people.db')
  const people = Array.from({ length: 250 }, (_, i) => ({ names: [{ givenName: `P${i}` }], memberships: i < 3 ? [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/c1ab' } }] : [] }))
  const fixturesDocument = { accounts: [{ id: 'a', tokens: [{ token: 'a-token' }], contactGroups: [{ resourceName: 'contactGroups/c1ab', name: 'Club' }], people }] }
  const counts = async (app: Awaited<ReturnType<typeof build>>): Promise<unknown> => {
    const res = await app.inject({ method: 'GET', url: '/v1/contactGroups?groupFields=name,memberCount', headers: { authorization: 'Bearer a-token' } })
    const groups = (JSON.parse(res.body) as { contactGroups: Array<{ resourceName: string, memberCount?: number }> }).contactGroups
    const list = await app.inject({ method: 'GET', url: '/v1/people/me/connections?personFields=names&pageSize=1', headers: { authorization: 'Bearer a-token' } })
    const members = (name: string): number => groups.find(g => g.resourceName === name)?.memberCount ?? 0
    return { club: members('contactGroups/c1ab'), myContacts: members('contactGroups/myContacts'), starred: members('contactGroups/starred'), total: (JSON.parse(list.body) as { totalPeople: number }).totalPeople }
  }
  const first = await buildApp({ db: file }, { logger: false, fixturesDocument })
  // (A contact given memberships is in those groups only: 247 in myContacts.)
  t.same(await counts(first), { club: 3, myContacts: 247, starred: 0, total: 250 })
  await first.close()
  const again = await build(t, { db: file })
  t.same(await counts(again), { club: 3, myContacts: 247, starred: 0, total: 250 }, 'kept in the file')
  const created = await again.inject({ method: 'POST', url: '/v1/people:createContact', headers: { authorization: 'Bearer a-token', 'content-type': 'application/json' }, payload: { names: [{ givenName: 'New' }], memberships: [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/c1ab' } }] } })
  t.equal(created.statusCode, 200)
  t.same(await counts(again), { club: 4, myContacts: 248, starred: 0, total: 251 }, 'the triggers count the next write')
})

t.test('better-sqlite3\'s compiled module: build/Release, else where its bindings dependency finds it, else bindings\' own error', async t => {
  const pkg = mkdtempSync(join(tmpdir(), 'pae-sqlite-'))
  writeFileSync(join(pkg, 'package.json'), '{"name":"better-sqlite3"}')
  mkdirSync(join(pkg, 'node_modules'))
  symlinkSync(fileURLToPath(new URL('../node_modules/bindings', import.meta.url)), join(pkg, 'node_modules', 'bindings'), 'dir')
  t.throws(() => findSqliteModule(pkg), /Could not locate the bindings file/)
  mkdirSync(join(pkg, 'build', 'Debug'), { recursive: true })
  writeFileSync(join(pkg, 'build', 'Debug', 'better_sqlite3.node'), '')
  t.equal(findSqliteModule(pkg), join(pkg, 'build', 'Debug', 'better_sqlite3.node'), 'a debug build')
  mkdirSync(join(pkg, 'build', 'Release'), { recursive: true })
  writeFileSync(join(pkg, 'build', 'Release', 'better_sqlite3.node'), '')
  t.equal(findSqliteModule(pkg), join(pkg, 'build', 'Release', 'better_sqlite3.node'), 'where npm builds it')
  t.equal(findSqliteModule(fileURLToPath(new URL('../node_modules/better-sqlite3', import.meta.url))), fileURLToPath(new URL('../node_modules/better-sqlite3/build/Release/better_sqlite3.node', import.meta.url)), 'this checkout\'s')
})

t.test('the package names one version of better-sqlite3, the one installed: the server\'s bundle holds its JavaScript, which must match the compiled module', async t => {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { dependencies: Record<string, string> }
  const installed = JSON.parse(readFileSync(fileURLToPath(new URL('../node_modules/better-sqlite3/package.json', import.meta.url)), 'utf8')) as { version: string }
  t.equal(pkg.dependencies['better-sqlite3'], installed.version)
})

t.test('deleting an account removes everything it held', async t => {
  const { db } = openDatabase(':memory:')
  const store = new AccountsStore(db, contactKeys)
  store.createAccount(newAccount({
    id: 'a',
    declared: true,
    createdTime: 't',
    tokens: [{ token: 'ta', scopes: null }],
    contacts: [{ id: 'abc', data: { names: [{ givenName: 'A' }] }, etag: '#AAAAAAAAAAA=', updateTime: 't', memberships: ['myContacts'] }]
  }))
  store.createAccount(newAccount({ id: 'b', declared: true, createdTime: 't', tokens: [] }))
  store.deleteAccount('a')
  for (const table of ['tokens', 'contacts', 'memberships']) {
    t.equal((db.prepare(`SELECT count(*) AS n FROM ${table} WHERE account_id = 'a'`).get() as { n: number }).n, 0, table)
  }
  t.equal(store.exportAll().map(a => a.id).join(), 'b')
  db.close()
})

t.test('contacts written before migration 002 get their sort keys and search words at open', async t => {
  const file = tempDb()
  const migrations = loadMigrations()
  const { db } = openDatabase(file, migrations.slice(0, 1))
  db.exec("INSERT INTO accounts (id, declared, created_time) VALUES ('a', 1, 't')")
  db.prepare("INSERT INTO contacts (account_id, id, data, etag, update_time) VALUES ('a', 'abc', ?, '#AAAAAAAAAAA=', 't')").run(JSON.stringify({ names: [{ givenName: 'Zoë', familyName: 'Ångström' }] }))
  db.close()
  const reopened = openDatabase(file, migrations)
  t.equal(reopened.db.pragma('user_version', { simple: true }), migrations.length)
  const store = new AccountsStore(reopened.db, contactKeys)
  t.equal(store.backfillKeys(), 1)
  t.same(reopened.db.prepare("SELECT given_key, family_key FROM contacts WHERE id = 'abc'").get(), { given_key: '0zoe', family_key: '0angstrom' })
  t.equal(new ContactsStore(reopened.db, contactKeys, indexedText).flushSearchIndex(), 1, 'indexed in the next batch')
  const found = reopened.db.prepare('SELECT c.id FROM contact_search s JOIN contacts c ON c.rowid = s.rowid WHERE contact_search MATCH ?').all(ftsQuery('zoe', 'a'))
  t.same(found, [{ id: 'abc' }], 'the full-text index has it')
  t.equal(store.backfillKeys(), 0, 'nothing left to fill')
  reopened.db.close()
})

t.test('the search index is brought up to date in batches, and a write just before a crash is indexed later', async t => {
  const file = tempDb()
  const first = openDatabase(file)
  const state = new AccountsStore(first.db, contactKeys)
  state.createAccount(newAccount({ id: 'a', declared: true, createdTime: 't', tokens: [], contacts: [{ id: 'abc', data: { names: [{ givenName: 'Grace' }] }, etag: '#AAAAAAAAAAA=', updateTime: 't', memberships: ['myContacts'] }] }))
  first.db.close() // as if the process died before the batch
  const second = openDatabase(file)
  const store = new ContactsStore(second.db, contactKeys, indexedText)
  t.same(store.search('a', ftsQuery('grace', 'a')!, 10).map(c => c.id), ['abc'], 'a search indexes what is marked first')
  t.equal(store.flushSearchIndex(), 0)
  second.db.close()
})

t.test('openDatabase tells the version it found, so that upgrade work runs once', async t => {
  const file = tempDb()
  const migrations = loadMigrations()
  const first = openDatabase(file, migrations.slice(0, 1))
  t.same([first.created, first.previousVersion], [true, 0])
  first.db.close()
  const second = openDatabase(file, migrations)
  t.same([second.created, second.previousVersion], [false, 1])
  second.db.close()
  const third = openDatabase(file, migrations)
  t.same([third.created, third.previousVersion], [false, migrations.length])
  third.db.close()
})

t.test('an app opened on a database from before migration 002 finds its contacts by name', async t => {
  const file = tempDb()
  const { db } = openDatabase(file, loadMigrations().slice(0, 1))
  db.exec("INSERT INTO accounts (id, declared, created_time) VALUES ('old', 1, 't')")
  db.exec("INSERT INTO tokens (token, account_id, scopes) VALUES ('old', 'old', NULL)")
  db.exec("INSERT INTO contact_groups (account_id, id, group_type, name) VALUES ('old', 'myContacts', 'SYSTEM_CONTACT_GROUP', 'myContacts')")
  db.prepare("INSERT INTO contacts (account_id, id, data, etag, update_time) VALUES ('old', 'abc', ?, '#AAAAAAAAAAA=', '2026-01-01T00:00:00.000000Z')").run(JSON.stringify({ names: [{ givenName: 'Hopper' }] }))
  db.close()
  const app = await build(t, { db: file })
  const res = await app.inject({ url: '/v1/people:searchContacts?readMask=names&query=hop', headers: { authorization: 'Bearer old' } })
  t.equal(JSON.parse(res.body).results[0].person.names[0].givenName, 'Hopper')
})

t.test('in memory and in a file, the database uses 4 KiB pages', async t => {
  const memory = openDatabase(':memory:')
  t.equal(memory.db.pragma('page_size', { simple: true }), 4096)
  memory.db.close()
  const file = openDatabase(tempDb())
  t.equal(file.db.pragma('page_size', { simple: true }), 4096)
  file.db.close()
})

/**
 * A database file written by the first `version` migrations with these changes logged (and
 * these contacts stored), reopened with the migrations up to `upTo` (all by default).
 */
function changeLogUpgradedFrom (version: number, changes: Array<[type: string, id: string, deleted: number]>, upTo?: number, contacts: string[] = []): ReturnType<typeof openDatabase>['db'] {
  const file = tempDb()
  const migrations = loadMigrations()
  const before = openDatabase(file, migrations.slice(0, version))
  before.db.exec("INSERT INTO accounts (id, declared, created_time) VALUES ('a', 1, 't')")
  const log = before.db.prepare("INSERT INTO changes (account_id, resource_type, resource_id, deleted, change_time) VALUES ('a', ?, ?, ?, 't')")
  for (const [type, id, deleted] of changes) log.run(type, id, deleted)
  const contact = before.db.prepare("INSERT INTO contacts (account_id, id, data, etag, update_time) VALUES ('a', ?, '{}', '#e', 't')")
  for (const id of contacts) contact.run(id)
  before.db.close()
  return openDatabase(file, upTo === undefined ? migrations : migrations.slice(0, upTo)).db
}

t.test('the change log keeps its positions across migration 007, and the next change follows the last one', async t => {
  const db = changeLogUpgradedFrom(6, [['person', 'x', 0], ['person', 'y', 0], ['person', 'z', 0]], 9)
  t.same(db.prepare('SELECT seq, resource_id FROM changes ORDER BY seq').all(), [{ seq: 1, resource_id: 'x' }, { seq: 2, resource_id: 'y' }, { seq: 3, resource_id: 'z' }])
  db.prepare("INSERT INTO changes (account_id, resource_type, resource_id, change_time) VALUES ('a', 'person', 'w', 't')").run()
  t.equal(db.prepare("SELECT seq FROM changes WHERE resource_id = 'w'").pluck().get(), 4)
  t.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%'").pluck().get(), 0)
  db.close()
})

t.test('migration 008 keeps each resource\'s latest change, at its position', async t => {
  const db = changeLogUpgradedFrom(7, [['person', 'x', 0], ['person', 'y', 0], ['person', 'x', 0], ['contactGroup', 'x', 0], ['person', 'y', 1]], 9)
  t.same(db.prepare('SELECT seq, resource_type, resource_id, deleted FROM changes ORDER BY seq').all(), [
    { seq: 3, resource_type: 'person', resource_id: 'x', deleted: 0 },
    { seq: 4, resource_type: 'contactGroup', resource_id: 'x', deleted: 0 },
    { seq: 5, resource_type: 'person', resource_id: 'y', deleted: 1 }
  ])
  t.throws(() => db.prepare("INSERT INTO changes (account_id, resource_type, resource_id, change_time) VALUES ('a', 'person', 'x', 't')").run(), /UNIQUE/)
  db.close()
})

t.test('migration 010 moves each live contact\'s latest change onto its row, keeping tombstones and groups in the log', async t => {
  const db = changeLogUpgradedFrom(9, [['person', 'x', 0], ['contactGroup', 'g', 0], ['person', 'y', 0], ['person', 'z', 1], ['person', 'orphan', 0]], undefined, ['x', 'y', 'w'])
  t.same(db.prepare("SELECT id, change_seq FROM contacts WHERE account_id = 'a' ORDER BY id").all(), [
    { id: 'w', change_seq: 0 },
    { id: 'x', change_seq: 1 },
    { id: 'y', change_seq: 3 }
  ], 'a contact with no change recorded is at 0')
  t.same(db.prepare('SELECT seq, resource_type, resource_id, deleted FROM changes ORDER BY seq').all(), [
    { seq: 2, resource_type: 'contactGroup', resource_id: 'g', deleted: 0 },
    { seq: 4, resource_type: 'person', resource_id: 'z', deleted: 1 }
  ], 'the log keeps the group and the tombstone; a live change with no contact goes')
  const changes = new Changes(db)
  t.same(changes.since('a', 'person', 0), [
    { resource_id: 'x', seq: 1, deleted: 0 },
    { resource_id: 'y', seq: 3, deleted: 0 },
    { resource_id: 'z', seq: 4, deleted: 1 }
  ])
  t.equal(changes.lastSeq('a'), 4)
  t.equal(changes.next(), 5, 'the next position follows the last of either place')
  t.match(db.prepare("EXPLAIN QUERY PLAN SELECT max(change_seq) FROM contacts WHERE account_id = 'a'").all(), [{ detail: /contacts_by_change/ }])
  db.close()
})

t.test('group names are unique as the emulator trims them, and the name check is one index lookup (migration 009)', async t => {
  const { db } = openDatabase(':memory:')
  db.exec("INSERT INTO accounts (id, declared, created_time) VALUES ('a', 1, 't')")
  const insert = db.prepare("INSERT INTO contact_groups (account_id, id, group_type, name) VALUES ('a', ?, 'USER_CONTACT_GROUP', ?)")
  insert.run('g1', 'Chess')
  for (const [i, name] of ['Chess\t', '\u3000Chess\u00a0', ' Chess\u2028', '\ufeffChess'].entries()) {
    t.throws(() => insert.run(`x${i}`, name), /UNIQUE/, printable(name))
  }
  insert.run('g2', 'chess')
  const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM contact_groups WHERE account_id = ? AND ${GROUP_NAME_KEY} = ? AND id != ?`).all('a', 'Chess', '') as Array<{ detail: string }>
  t.match(plan[0]!.detail, /USING INDEX contact_groups_unique_name/)
  db.close()
})

t.test('migration 011 indexes every contact again with its account\'s key', async t => {
  const file = tempDb()
  const migrations = loadMigrations()
  const old = openDatabase(file, migrations.slice(0, 10))
  // As version 10 stored it (today's AccountsStore reads tables of later migrations).
  old.db.prepare("INSERT INTO accounts (id, declared, created_time) VALUES ('a', 1, 't')").run()
  old.db.prepare("INSERT INTO contacts (account_id, id, data, etag, update_time, given_key, family_key, search_text) VALUES ('a', 'abc', ?, '#AAAAAAAAAAA=', 't', '0grace', '1', 'Grace')")
    .run(JSON.stringify({ names: [{ givenName: 'Grace' }] }))
  // As version 10 indexed it: the words without a key.
  t.equal(new ContactsStore(old.db, contactKeys, text => text).flushSearchIndex(), 1)
  t.equal((old.db.prepare("SELECT count(*) AS n FROM contact_search WHERE contact_search MATCH '\"grace\"'").get() as { n: number }).n, 1)
  old.db.close()
  const reopened = openDatabase(file, migrations)
  t.equal((reopened.db.prepare("SELECT count(*) AS n FROM contact_search WHERE contact_search MATCH '\"grace\"'").get() as { n: number }).n, 0, 'the unkeyed words are gone')
  const store = new ContactsStore(reopened.db, contactKeys, indexedText)
  t.same(store.search('a', ftsQuery('gra', 'a')!, 10).map(c => c.id), ['abc'], 'found again, by its account\'s key')
  t.same(store.search('b', ftsQuery('gra', 'b')!, 10), [])
  reopened.db.close()
})
