/**
 * The contact cache (db/contact-cache.ts): reads by id come from memory, and no write, by
 * whatever path, leaves a stale entry behind; nothing uncommitted ever gets in.
 */
import t from 'tap'
import { openDatabase } from '../db/database.js'
import { contactCache, CONTACT_CACHE_BYTES, CONTACT_CACHE_SIZE } from '../db/contact-cache.js'
import { ContactsStore } from '../db/contacts-store.js'
import { AccountsStore } from '../db/accounts-store.js'
import { newAccount } from '../src/accounts.js'
import { contactKeys } from '../src/people/keys.js'
import { indexedText } from '../src/people/search.js'
import { bearer, body, build } from './helpers/app.js'
import { createContact, getPerson, update } from './helpers/people.js'
import { createGroup, modify } from './helpers/groups.js'

const stamp = { time: '2026-01-02T00:00:00.000000Z', groupEtag: () => 'g', sourceEtag: () => '#BBBBBBBBBBB=' }

function storeWithContact (): { store: ContactsStore, state: AccountsStore, db: ReturnType<typeof openDatabase>['db'] } {
  const { db } = openDatabase(':memory:')
  const state = new AccountsStore(db, contactKeys)
  state.createAccount(newAccount({
    id: 'a',
    declared: true,
    createdTime: 't',
    tokens: [],
    contacts: [{ id: 'abc', data: { names: [{ givenName: 'Grace' }] }, etag: '#AAAAAAAAAAA=', updateTime: 't', memberships: ['myContacts'] }]
  }))
  return { store: new ContactsStore(db, contactKeys, indexedText), state, db }
}

t.test('a read by id is remembered, and any write to the row drops it', async t => {
  const { store, db } = storeWithContact()
  const cache = contactCache(db)
  const first = store.get('a', 'abc')!
  t.equal(cache.get('a', 'abc')?.contact, first, 'remembered')
  t.equal(store.get('a', 'abc'), first, 'the second read is the same object')
  // A write that no store method made: the trigger still sees it.
  db.prepare("UPDATE contacts SET etag = '#CCCCCCCCCCC=' WHERE id = 'abc'").run()
  t.equal(cache.get('a', 'abc'), undefined, 'dropped by the write')
  t.equal(store.get('a', 'abc')!.etag, '#CCCCCCCCCCC=')
  db.prepare("INSERT INTO contact_groups (account_id, id, group_type, name) VALUES ('a', 'g1', 'USER_CONTACT_GROUP', 'Friends')").run()
  db.prepare("INSERT INTO memberships (account_id, contact_id, group_id) VALUES ('a', 'abc', 'g1')").run()
  t.same(store.get('a', 'abc')!.memberships, ['myContacts', 'g1'], 'a new membership is seen')
  db.prepare("DELETE FROM contact_groups WHERE id = 'g1'").run()
  t.same(store.get('a', 'abc')!.memberships, ['myContacts'], 'a membership removed by a cascade is seen')
  db.prepare("DELETE FROM accounts WHERE id = 'a'").run()
  t.equal(store.get('a', 'abc'), undefined, 'a contact deleted with its account is gone')
  db.close()
})

t.test('a search-index batch does not drop entries (it writes no contact data)', async t => {
  const { store, db } = storeWithContact()
  const cache = contactCache(db)
  store.get('a', 'abc')
  store.flushSearchIndex()
  t.ok(cache.get('a', 'abc'))
  db.close()
})

t.test('an update is remembered once committed; a rolled-back one leaves nothing behind', async t => {
  const { store, db } = storeWithContact()
  const cache = contactCache(db)
  const updated = store.mutate('a', 'abc', c => ({ ...c, data: { names: [{ givenName: 'Ada' }] }, etag: '#DDDDDDDDDDD=' }), stamp)!
  t.equal(cache.get('a', 'abc')?.contact, updated)
  t.equal(cache.get('a', 'abc')?.searchText, 'Ada', 'with its search words')
  t.throws(() => store.transaction(() => {
    store.mutate('a', 'abc', c => ({ ...c, data: { names: [{ givenName: 'Lost' }] }, etag: '#EEEEEEEEEEE=' }), stamp)
    throw new Error('the batch fails')
  }), /the batch fails/)
  t.equal(cache.get('a', 'abc'), undefined, 'not remembered inside the transaction')
  t.same(store.get('a', 'abc')!.data, { names: [{ givenName: 'Ada' }] }, 'the committed version is read back')
  t.equal(store.get('a', 'abc')!.etag, '#DDDDDDDDDDD=')
  store.flushSearchIndex() // and its timer with it, before the connection closes
  db.close()
})

t.test('stores on one connection share one cache; the cache is bounded', async t => {
  const { store, db } = storeWithContact()
  const other = new ContactsStore(db, contactKeys, indexedText)
  other.get('a', 'abc')
  db.prepare("UPDATE contacts SET etag = '#FFFFFFFFFFF=' WHERE id = 'abc'").run()
  t.equal(store.get('a', 'abc')!.etag, '#FFFFFFFFFFF=')
  t.equal(other.get('a', 'abc')!.etag, '#FFFFFFFFFFF=')
  const cache = contactCache(db)
  const before = cache.sizeOf('a')
  t.ok(before >= 1, 'account a has its entry')
  for (let i = 0; i < CONTACT_CACHE_SIZE + 10; i++) cache.set('b', String(i), { contact: store.get('a', 'abc')!, searchText: null, givenKey: null, familyKey: null, size: 100 })
  t.equal(cache.sizeOf('b'), CONTACT_CACHE_SIZE, 'an account keeps at most CONTACT_CACHE_SIZE entries')
  t.equal(cache.get('b', '0'), undefined, 'its oldest went first')
  t.equal(cache.sizeOf('a'), before, "and another account's entries stay: no account evicts another's")
  t.ok(cache.get('a', 'abc') !== undefined)
  // Bounded in bytes as well: 128 KB contacts (the most a contact holds) fill it sooner.
  for (let i = 0; i < 1000; i++) cache.set('c', String(i), { contact: store.get('a', 'abc')!, searchText: null, givenKey: null, familyKey: null, size: 128 * 1024 })
  t.ok(cache.byteSizeOf('c') <= CONTACT_CACHE_BYTES, `${cache.byteSizeOf('c')} bytes`)
  t.equal(cache.sizeOf('c'), Math.floor(CONTACT_CACHE_BYTES / (128 * 1024)))
  t.equal(cache.sizeOf('b'), CONTACT_CACHE_SIZE, "account c's large entries leave b's alone")
  t.equal(cache.size, before + CONTACT_CACHE_SIZE + Math.floor(CONTACT_CACHE_BYTES / (128 * 1024)), 'the total is the sum of the accounts')
  cache.forget('c', '999')
  t.equal(cache.sizeOf('c'), Math.floor(CONTACT_CACHE_BYTES / (128 * 1024)) - 1)
  for (let i = 0; i < 1000; i++) cache.forget('c', String(i))
  t.equal(cache.sizeOf('c'), 0)
  t.equal(cache.byteSizeOf('c'), 0, 'an account whose entries are all gone holds nothing')
  db.close()
})

t.test('through the API: membership changes, group deletes, photos and resets are all seen by people.get', async t => {
  const app = await build(t)
  const created = await createContact(t, app, { names: [{ givenName: 'Grace' }] })
  const group = await createGroup(t, app, 'Friends')
  await getPerson(t, app, created.resourceName, 'memberships')
  t.equal((await modify(app, group.resourceName, { resourceNamesToAdd: [created.resourceName] })).statusCode, 200)
  let person = await getPerson(t, app, created.resourceName, 'memberships')
  t.same(person.memberships.map((m: any) => m.contactGroupMembership.contactGroupId).sort(), [group.resourceName.split('/')[1], 'myContacts'].sort())
  t.not(person.etag, created.etag)
  const res = await app.inject({ method: 'DELETE', url: `/v1/${group.resourceName}`, headers: bearer() })
  t.equal(res.statusCode, 200)
  person = await getPerson(t, app, created.resourceName, 'memberships')
  t.same(person.memberships.map((m: any) => m.contactGroupMembership.contactGroupId), ['myContacts'])
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1a8b6f40000000049454e44ae426082', 'hex')
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/${created.resourceName}:updateContactPhoto`, headers: bearer(), payload: { photoBytes: png.toString('base64') } })).statusCode, 200)
  person = await getPerson(t, app, created.resourceName, 'photos')
  t.notOk(person.photos[0].default, 'the uploaded photo')
  t.equal((await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })).statusCode, 200)
  const gone = await app.inject({ url: `/v1/${created.resourceName}?personFields=names`, headers: bearer() })
  t.equal(gone.statusCode, 404, 'gone after a reset')
  t.equal(body(gone).error.status, 'NOT_FOUND')
})

t.test('through the API: a failed batch update leaves every contact as it was', async t => {
  const app = await build(t)
  const a = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  await getPerson(t, app, a.resourceName, 'names')
  const res = await app.inject({
    method: 'POST',
    url: '/v1/people:batchUpdateContacts',
    headers: bearer(),
    payload: {
      contacts: { [a.resourceName]: { etag: a.etag, names: [{ givenName: 'Changed' }] }, 'people/c123': { etag: a.etag, names: [{ givenName: 'Nobody' }] } },
      updateMask: 'names',
      readMask: 'names'
    }
  })
  t.not(res.statusCode, 200, 'the batch fails as a whole')
  const person = await getPerson(t, app, a.resourceName, 'names')
  t.equal(person.names[0].givenName, 'Ada')
  t.equal(person.etag, (await getPerson(t, app, a.resourceName, 'names')).etag)
  t.equal((await update(app, a.resourceName, { etag: a.etag, names: [{ givenName: 'Then' }] }, 'updatePersonFields=names')).statusCode, 200, 'the first etag is still current')
})

t.test('an update that changes memberships returns them in the order the table keeps them', async t => {
  const { store, db } = storeWithContact()
  for (const id of ['g1', 'g2', 'g3']) db.prepare("INSERT INTO contact_groups (account_id, id, group_type, name) VALUES ('a', ?, 'USER_CONTACT_GROUP', ?)").run(id, id)
  const first = store.mutate('a', 'abc', c => ({ ...c, etag: '#BBBBBBBBBBB=', memberships: ['g2', 'myContacts', 'g1'] }), stamp)!
  const second = store.mutate('a', 'abc', c => ({ ...c, etag: '#CCCCCCCCCCC=', memberships: ['g3', 'g1', 'myContacts'] }), stamp)!
  const stored = (): string[] => db.prepare("SELECT group_id FROM memberships WHERE account_id = 'a' AND contact_id = 'abc' ORDER BY rowid").pluck().all() as string[]
  t.same(second.memberships, stored(), 'what mutate returns is what is stored')
  t.same(second.memberships, ['myContacts', 'g1', 'g3'])
  t.ok(first.memberships.includes('g2'))
  contactCache(db).forget('a', 'abc')
  t.same(store.get('a', 'abc')!.memberships, second.memberships, 'and what a fresh read finds')
  store.flushSearchIndex()
  db.close()
})
