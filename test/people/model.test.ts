/** The contact model (FIDELITY.md: contact model): identifiers, etags and computed values. */
import t from 'tap'
import { build } from '../helpers/app.js'
import { createContact, update } from '../helpers/people.js'
import { personEtag, sourceEtagOf } from '../../src/people/etag.js'
import { contactIdFromResourceName, contactResourceName } from '../../src/ids.js'
import { canonicalForm, label } from '../../src/people/computed.js'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Changes } from '../../db/changes.js'

t.test('people/c<decimal> and the hex CONTACT source id are one value', async t => {
  t.equal(contactIdFromResourceName('people/c641236038399901854'), '8e620c78e01409e')
  t.equal(contactResourceName('8e620c78e01409e'), 'people/c641236038399901854')
  t.equal(contactIdFromResourceName('people/c18446744073709551615'), 'ffffffffffffffff')
  t.equal(contactIdFromResourceName('people/c18446744073709551616'), undefined, 'beyond 64 bits')
  t.equal(contactIdFromResourceName('people/c0123'), undefined, 'leading zero')
  t.equal(contactIdFromResourceName('people/123'), undefined)
})

t.test('a person etag embeds the source etag and the read mask', async t => {
  const a = personEtag('#bUk81Tdzxtc=', new Set(['names']))
  const b = personEtag('#bUk81Tdzxtc=', new Set(['names', 'emailAddresses']))
  t.match(a, /^%/)
  t.not(a, b)
  t.equal(sourceEtagOf(a), '#bUk81Tdzxtc=')
  t.equal(sourceEtagOf(b), '#bUk81Tdzxtc=')
  t.equal(personEtag('#bUk81Tdzxtc=', new Set(['emailAddresses', 'names'])), b, 'independent of mask order')
  for (const bad of ['', '%', '#x', '%!!!', '%' + Buffer.from([0x12, 9, 1]).toString('base64'), '%' + Buffer.from([0x10, 1]).toString('base64')]) {
    t.equal(sourceEtagOf(bad), undefined, JSON.stringify(bad))
  }
})

t.test('names: displayName, displayNameLastFirst and unstructuredName are computed', async t => {
  const app = await build(t)
  const cases: Array<[Record<string, string>, Record<string, string>]> = [
    [{ givenName: 'Ada', familyName: 'Lovelace' }, { displayName: 'Ada Lovelace', displayNameLastFirst: 'Lovelace, Ada', unstructuredName: 'Ada Lovelace' }],
    [{ honorificPrefix: 'Dr.', givenName: 'Ada', middleName: 'King', familyName: 'Lovelace', honorificSuffix: 'FRS' }, { displayName: 'Dr. Ada King Lovelace FRS', displayNameLastFirst: 'Lovelace, Dr. Ada King, FRS' }],
    [{ givenName: 'Ada' }, { displayName: 'Ada', displayNameLastFirst: 'Ada' }],
    [{ familyName: 'Lovelace' }, { displayName: 'Lovelace', displayNameLastFirst: 'Lovelace' }],
    [{ unstructuredName: 'The Countess' }, { displayName: 'The Countess', displayNameLastFirst: 'The Countess', unstructuredName: 'The Countess' }],
    [{ givenName: 'Ada', unstructuredName: 'Countess Ada' }, { displayName: 'Ada', unstructuredName: 'Countess Ada' }]
  ]
  for (const [name, expected] of cases) {
    const p = await createContact(t, app, { names: [name] }, 'test-token', '?personFields=names')
    t.match(p.names[0], expected, JSON.stringify(name))
  }
})

t.test('formattedType: labels for predefined types (camel case split), custom types as given', async t => {
  const app = await build(t)
  const p = await createContact(t, app, {
    phoneNumbers: [{ value: '1', type: 'homeFax' }, { value: '2', type: 'workMobile' }, { value: '3', type: 'googleVoice' }, { value: '4', type: 'Boat' }, { value: '5' }],
    emailAddresses: [{ value: 'a@example.com', type: 'home' }, { value: 'b@example.com', type: 'work' }],
    urls: [{ value: 'https://example.com', type: 'appInstallPage' }],
    relations: [{ person: 'Byron', type: 'father' }, { person: 'Annabella', type: 'domesticPartner' }],
    events: [{ date: { year: 1835, month: 7, day: 8 }, type: 'anniversary' }],
    miscKeywords: [{ value: 'x', type: 'OUTLOOK_BILLING_INFORMATION' }]
  })
  t.same(p.phoneNumbers.map((n: any) => n.formattedType), ['Home Fax', 'Work Mobile', 'Google Voice', 'Boat', undefined])
  t.same(p.emailAddresses.map((e: any) => e.formattedType), ['Home', 'Work'])
  t.equal(p.urls[0].formattedType, 'App Install Page')
  t.same(p.relations.map((r: any) => r.formattedType), ['Father', 'Domestic Partner'])
  t.equal(p.events[0].formattedType, 'Anniversary')
  t.same(p.events[0].date, { year: 1835, month: 7, day: 8 })
  t.equal(p.miscKeywords[0].formattedType, 'Billing Information')
  t.equal(label('homeFax'), 'Home Fax')
})

t.test('phoneNumbers: canonicalForm is E.164 when the number parses (default region US)', async t => {
  const app = await build(t)
  const p = await createContact(t, app, {
    phoneNumbers: [{ value: '+44 20 7946 0958' }, { value: '(650) 253-0000' }, { value: '555-1234' }, { value: 'not a number' }, { value: '+33 1 42 68 53 00' }]
  })
  t.same(p.phoneNumbers.map((n: any) => n.canonicalForm), ['+442079460958', '+16502530000', undefined, undefined, '+33142685300'])
  t.same(p.phoneNumbers.map((n: any) => n.value), ['+44 20 7946 0958', '(650) 253-0000', '555-1234', 'not a number', '+33 1 42 68 53 00'], 'the value is kept as given')
})

t.test('phone patterns compiled once: the same canonical forms as libphonenumber-js as shipped', async t => {
  t.equal(canonicalForm('+1 650 253 0000'), '+16502530000')
  // The library's CommonJS helper now keeps each metadata pattern compiled …
  const require = createRequire(import.meta.url)
  const helper = require(join(dirname(require.resolve('libphonenumber-js/max')), '..', 'build', 'helpers', 'matchesEntirely.js')) as { compiledPatterns?: Map<string, RegExp> }
  t.ok(helper.compiledPatterns !== undefined && helper.compiledPatterns.size > 0, 'the helper is replaced and has compiled patterns')
  // … and answers as the library's ES module build (its own helper, untouched) does.
  const shipped = await import('libphonenumber-js/max')
  const numbers = [
    '+44 20 7946 0958', '(650) 253-0000', '555-1234', 'not a number', '+33 1 42 68 53 00', '+1 212 234 5678',
    '+1 800 555 0199', '+1 268 464 1234', '+1 876 927 1234', '+49 30 901820', '+49 1512 3456789', '+81 3-1234-5678',
    '+61 2 9876 5432', '+91 98765 43210', '+86 10 1234 5678', '+7 495 123-45-67', '+55 11 91234-5678',
    '+353 1 234 5678', '+972 3-123-4567', '+1 999 999 9999', '+44 7700 900123', '+0 123', '', '+', '12345678901234567890',
    '1-800-FLOWERS', '+1 (415) 555-2671 ext. 99', '+39 06 6982 1234', '+34 912 34 56 78', '+27 21 123 4567'
  ]
  for (let i = 0; i < 40; i++) numbers.push(`+1 ${[212, 415, 617, 312][i % 4]} ${200 + i * 17} ${String(1000 + i * 211).slice(-4)}`)
  for (const value of numbers) {
    const parsed = shipped.parsePhoneNumberFromString(value, 'US')
    t.equal(canonicalForm(value), parsed?.isValid() === true ? parsed.number : null, value)
  }
})

t.test('addresses: formattedValue is built from the parts unless the client set it', async t => {
  const app = await build(t)
  const p = await createContact(t, app, {
    addresses: [
      { streetAddress: '1600 Amphitheatre Pkwy', city: 'Mountain View', region: 'CA', postalCode: '94043', country: 'USA', type: 'work' },
      { formattedValue: '221B Baker Street, London', city: 'London' },
      { poBox: 'PO Box 7', city: 'Springfield' }
    ]
  })
  t.equal(p.addresses[0].formattedValue, '1600 Amphitheatre Pkwy\nMountain View, CA 94043\nUSA')
  t.equal(p.addresses[0].formattedType, 'Work')
  t.equal(p.addresses[1].formattedValue, '221B Baker Street, London')
  t.equal(p.addresses[2].formattedValue, 'PO Box 7\nSpringfield')
})

t.test('genders, im clients and biographies', async t => {
  const app = await build(t)
  const p = await createContact(t, app, {
    genders: [{ value: 'female' }],
    imClients: [{ username: 'ada', protocol: 'googleTalk', type: 'home' }, { username: 'a', protocol: 'carrierPigeon' }],
    biographies: [{ value: 'Wrote the first program.' }]
  })
  t.match(p.genders[0], { value: 'female', formattedValue: 'Female' })
  t.match(p.imClients[0], { formattedProtocol: 'Google Talk', formattedType: 'Home' })
  t.match(p.imClients[1], { formattedProtocol: 'carrierPigeon' })
  t.match(p.biographies[0], { value: 'Wrote the first program.', contentType: 'TEXT_PLAIN' })
  const custom = await createContact(t, app, { genders: [{ value: 'nonbinary', addressMeAs: 'they' }] })
  t.match(custom.genders[0], { value: 'nonbinary', formattedValue: 'nonbinary', addressMeAs: 'they' })
})

t.test('exactly one primary item per field; empty values are never sent', async t => {
  const app = await build(t)
  const p = await createContact(t, app, {
    emailAddresses: [{ value: 'a@example.com', displayName: '' }, { value: 'b@example.com' }, { value: '' }, {}],
    nicknames: [],
    urls: [{ value: 'https://example.com', metadata: { primary: false } }]
  })
  t.equal(p.emailAddresses.length, 2, 'items with nothing in them are dropped')
  t.same(p.emailAddresses.map((e: any) => e.metadata.primary === true), [true, false])
  t.notOk('displayName' in p.emailAddresses[0])
  t.notOk(p.nicknames)
  t.equal(p.urls[0].metadata.primary, true)
  for (const field of ['emailAddresses', 'urls', 'memberships', 'photos']) {
    t.equal(p[field].filter((item: any) => item.metadata.primary).length, 1, field)
  }
})

t.test('update times have microseconds and move forward with each update', async t => {
  const app = await build(t)
  const p = await createContact(t, app, { names: [{ givenName: 'A' }] })
  let previous = p.metadata.sources[0].updateTime
  let etag = p.etag
  for (let i = 0; i < 3; i++) {
    const res = await update(app, p.resourceName, { etag }, 'updatePersonFields=nicknames&personFields=metadata')
    const next = JSON.parse(res.body)
    t.match(next.metadata.sources[0].updateTime, /\.\d{6}Z$/)
    t.ok(next.metadata.sources[0].updateTime > previous, 'later than before')
    previous = next.metadata.sources[0].updateTime
    etag = next.etag
  }
})

t.test('each contact\'s latest change is at a growing position, deletes as tombstones', async t => {
  const app = await build(t)
  const changes = new Changes(app.db)
  const log = (): unknown[] => changes.since('test-token', 'person', 0).map(r => ({ ...r, resource_type: 'person' }))
  const p = await createContact(t, app, { names: [{ givenName: 'A' }] })
  const q = await createContact(t, app, { names: [{ givenName: 'B' }] })
  const id = p.metadata.sources[0].id
  const other = q.metadata.sources[0].id
  const [first, second] = log() as Array<{ seq: number }>
  t.ok(second!.seq > first!.seq)
  await update(app, p.resourceName, { etag: p.etag }, 'updatePersonFields=nicknames')
  const afterUpdate = log() as Array<{ seq: number, resource_id: string }>
  t.same(afterUpdate.map(r => r.resource_id), [other, id], 'one row per contact, the updated one last')
  t.ok(afterUpdate[1]!.seq > second!.seq, 'at a later position than every change before it')
  await app.inject({ method: 'DELETE', url: `/v1/${p.resourceName}:deleteContact`, headers: { authorization: 'Bearer test-token' } })
  const rows = log() as Array<{ seq: number, resource_type: string, resource_id: string, deleted: number }>
  t.same(rows.map(({ seq: _seq, ...r }) => r), [
    { resource_type: 'person', resource_id: other, deleted: 0 },
    { resource_type: 'person', resource_id: id, deleted: 1 }
  ])
  t.ok(rows[1]!.seq > afterUpdate[1]!.seq)
  // The same resource changed twice in a row keeps moving forward (it held the last position).
  const before = rows[1]!.seq
  await update(app, q.resourceName, { etag: q.etag }, 'updatePersonFields=nicknames')
  const again = (await app.inject({ url: `/v1/${q.resourceName}?personFields=names`, headers: { authorization: 'Bearer test-token' } })).json()
  await update(app, q.resourceName, { etag: again.etag }, 'updatePersonFields=nicknames')
  const last = log() as Array<{ seq: number }>
  t.equal(last.length, 2)
  t.ok(last[1]!.seq > before + 1, 'two more positions taken')
})

t.test('positions: a refused update takes none, a failed batch gives its positions back, a whole reset starts again from 1', async t => {
  const app = await build(t)
  const changes = new Changes(app.db)
  const last = (): number => changes.lastSeq('test-token')
  const p = await createContact(t, app, { names: [{ givenName: 'A' }] })
  const q = await createContact(t, app, { names: [{ givenName: 'B' }] })
  const before = last()
  t.equal((await update(app, p.resourceName, { etag: '#stale' }, 'updatePersonFields=names')).statusCode, 400)
  const batch = await app.inject({
    method: 'POST',
    url: '/v1/people:batchUpdateContacts',
    headers: { authorization: 'Bearer test-token' },
    payload: { contacts: { [p.resourceName]: { etag: p.etag, names: [{ givenName: 'A2' }] }, [q.resourceName]: { etag: '#stale', names: [{ givenName: 'B2' }] } }, updateMask: 'names', readMask: 'names' }
  })
  t.equal(batch.statusCode, 400, 'the batch fails as a whole')
  t.equal(last(), before, 'nothing recorded')
  const res = await update(app, p.resourceName, { etag: p.etag, names: [{ givenName: 'A3' }] }, 'updatePersonFields=names')
  t.equal(res.statusCode, 200)
  t.equal(last(), before + 1, 'the next change takes the very next position')
  t.same(changes.since('test-token', 'person', before), [{ resource_id: p.metadata.sources[0].id, seq: before + 1, deleted: 0 }])
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })
  await createContact(t, app, { names: [{ givenName: 'C' }] })
  t.equal(last(), 1, 'after a whole reset, as in a new emulator')
})

t.test('a change of the contact alone is one statement, without a transaction of its own; memberships take one', async t => {
  const app = await build(t)
  const p = await createContact(t, app, { names: [{ givenName: 'A' }] })
  const statements: string[] = []
  // Every statement the update runs goes through a prepared statement's run(): wrap them all.
  const proto = Object.getPrototypeOf(app.db.prepare('SELECT 1')) as { run: (...args: unknown[]) => unknown, source: string }
  const run = proto.run
  t.teardown(() => { proto.run = run })
  proto.run = function (this: { source: string }, ...args: unknown[]) { statements.push(this.source.trim().split(/\s+/).slice(0, 3).join(' ')); return run.apply(this, args) }
  t.equal((await update(app, p.resourceName, { etag: p.etag, names: [{ givenName: 'A2' }] }, 'updatePersonFields=names')).statusCode, 200)
  t.same(statements, ['UPDATE contacts SET'], 'one UPDATE, no BEGIN or COMMIT')
  statements.length = 0
  const again = (await app.inject({ url: `/v1/${p.resourceName}?personFields=names`, headers: { authorization: 'Bearer test-token' } })).json()
  t.equal((await update(app, p.resourceName, { etag: again.etag, memberships: [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/starred' } }] }, 'updatePersonFields=memberships')).statusCode, 200)
  t.ok(statements.includes('BEGIN IMMEDIATE') && statements.includes('COMMIT'), 'memberships and the contact in one transaction')
})

t.test('an update sets only the sort keys and search words that change, and name orders follow it', async t => {
  const app = await build(t)
  const a = await createContact(t, app, { names: [{ givenName: 'Ada', familyName: 'Lovelace' }] })
  await createContact(t, app, { names: [{ givenName: 'Bea', familyName: 'Byron' }] })
  const sets: string[] = []
  const proto = Object.getPrototypeOf(app.db.prepare('SELECT 1')) as { run: (...args: unknown[]) => unknown }
  const run = proto.run
  t.teardown(() => { proto.run = run })
  proto.run = function (this: { source: string }, ...args: unknown[]) {
    // The updates' own statements: not the search indexer's (`search_dirty = 0`), which runs in
    // the background 100 ms after a write and may land between them on a slow machine.
    const m = /^UPDATE contacts SET (data = .*) WHERE/.exec(this.source)
    if (m) sets.push(m[1]!)
    return run.apply(this, args)
  }
  let etag = a.etag
  const change = async (person: Record<string, unknown>, mask: string): Promise<void> => {
    const res = await update(app, a.resourceName, { etag, ...person }, `updatePersonFields=${mask}&personFields=names`)
    t.equal(res.statusCode, 200)
    etag = res.json().etag
  }
  await change({ nicknames: [{ value: 'Countess' }] }, 'nicknames')
  await change({ names: [{ givenName: 'Zoe', familyName: 'Lovelace' }] }, 'names')
  await change({ names: [{ givenName: 'Zoe', familyName: 'Abbot' }] }, 'names')
  await change({ biographies: [{ value: 'Mathematician' }] }, 'biographies')
  t.same(sets, [
    'data = ?, etag = ?, update_time = ?, change_seq = ?, search_text = ?, search_dirty = 1',
    'data = ?, etag = ?, update_time = ?, change_seq = ?, given_key = ?, search_text = ?, search_dirty = 1',
    'data = ?, etag = ?, update_time = ?, change_seq = ?, family_key = ?, search_text = ?, search_dirty = 1',
    'data = ?, etag = ?, update_time = ?, change_seq = ?'
  ])
  const order = async (sortOrder: string): Promise<string[]> => (await app.inject({
    url: `/v1/people/me/connections?personFields=names&sortOrder=${sortOrder}`, headers: { authorization: 'Bearer test-token' }
  })).json().connections.map((p: { names: Array<{ givenName: string }> }) => p.names[0]!.givenName)
  t.same(await order('FIRST_NAME_ASCENDING'), ['Bea', 'Zoe'])
  t.same(await order('LAST_NAME_ASCENDING'), ['Zoe', 'Bea'])
  t.same((await app.inject({ url: '/v1/people:searchContacts?query=abbot&readMask=names', headers: { authorization: 'Bearer test-token' } })).json().results.length, 1)
})

t.test('export after updates imports back to the same contacts and etags', async t => {
  const app = await build(t)
  const p = await createContact(t, app, { names: [{ givenName: 'Ada', familyName: 'Lovelace' }], addresses: [{ city: 'London' }], phoneNumbers: [{ value: '+44 20 7946 0958', type: 'home' }] })
  await update(app, p.resourceName, { etag: p.etag, nicknames: [{ value: 'Countess' }] }, 'updatePersonFields=nicknames')
  const before = (await app.inject({ url: '/_emulator/export' })).body
  await app.inject({ method: 'POST', url: '/_emulator/reset', headers: { 'content-type': 'application/json' } })
  const res = await app.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: before })
  t.equal(res.statusCode, 200)
  t.equal((await app.inject({ url: '/_emulator/export' })).body, before)
})
