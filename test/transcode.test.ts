import t from 'tap'
import { problemToApiError, problemToText, readMessage } from '../src/discovery/transcode.js'

function problemOf (schema: string, value: unknown): any {
  const r = readMessage(schema, value)
  if (!('problem' in r)) throw new Error('expected a problem')
  return r.problem
}

t.test('a well-typed message comes back as a clean copy', async t => {
  const input = { names: [{ givenName: 'Ada', metadata: { primary: true } }], birthdays: [{ date: { year: '1815', month: 12, day: 10 } }], etag: null }
  const r = readMessage('Person', input)
  t.same(r, { value: { names: [{ givenName: 'Ada', metadata: { primary: true } }], birthdays: [{ date: { year: 1815, month: 12, day: 10 } }] } })
  t.same(input.birthdays[0]!.date.year, '1815', 'the input is not modified')
})

t.test('proto (snake_case) names are read as their JSON names', async t => {
  t.same(readMessage('Person', { email_addresses: [{ display_name: 'x' }] }), { value: { emailAddresses: [{ displayName: 'x' }] } })
})

t.test('enums accept their name or index', async t => {
  t.same(readMessage('Source', { type: 'CONTACT' }), { value: { type: 'CONTACT' } })
  t.same(readMessage('Source', { type: 4 }), { value: { type: 'CONTACT' } })
  t.match(problemOf('Source', { type: 'FRIEND' }), { kind: 'type', protoType: 'TYPE_ENUM' })
})

t.test('Google\'s messages for an unknown name and a wrong type', async t => {
  const unknown = problemToApiError(problemOf('Person', { names: [{ nickname: 'x' }] }), 'person')
  t.equal(unknown.message, 'Invalid JSON payload received. Unknown name "nickname" at \'person.names[0]\': Cannot find field.')
  t.same(unknown.details, [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'person.names[0]', description: unknown.message }] }])
  t.equal(problemToApiError(problemOf('Person', { foo: 1 }), 'person').message, 'Invalid JSON payload received. Unknown name "foo" at \'person\': Cannot find field.')
  t.equal(problemToApiError(problemOf('UpdateContactGroupRequest', { foo: 1 }), '').message, 'Invalid JSON payload received. Unknown name "foo": Cannot find field.')
  const wrong = problemToApiError(problemOf('Person', { names: [{ givenName: 123 }] }), 'person')
  t.equal(wrong.message, 'Invalid value at \'person.names[0].given_name\' (TYPE_STRING), 123')
  t.same(wrong.details, [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'person.names[0].given_name', description: wrong.message }] }])
  t.equal(problemToApiError(problemOf('Person', { names: 'Ada' }), 'person').message, 'Invalid value at \'person.names\' (type.googleapis.com/google.people.v1.Name), "Ada"')
  t.equal(problemToApiError(problemOf('Person', { names: [{ metadata: { primary: 'yes' } }] }), 'person').message, 'Invalid value at \'person.names[0].metadata.primary\' (TYPE_BOOL), "yes"')
  t.equal(problemToApiError(problemOf('Person', { birthdays: [{ date: { year: 1.5 } }] }), 'person').message, 'Invalid value at \'person.birthdays[0].date.year\' (TYPE_INT32), 1.5')
  t.equal(problemToApiError(problemOf('Person', { birthdays: [{ date: { year: 2 ** 31 } }] }), 'person').message, 'Invalid value at \'person.birthdays[0].date.year\' (TYPE_INT32), 2147483648')
})

t.test('prototype-shaped names are unknown names, never applied', async t => {
  t.match(problemOf('Person', JSON.parse('{"__proto__": {"x": 1}}')), { kind: 'unknown', name: '__proto__' })
  t.match(problemOf('Person', { constructor: {} }), { kind: 'unknown', name: 'constructor' })
  t.match(problemOf('Person', { toString: 'x' }), { kind: 'unknown', name: 'toString' })
})

t.test('maps keep every key as data', async t => {
  const r = readMessage('BatchUpdateContactsRequest', JSON.parse('{"contacts": {"__proto__": {"etag": "x"}, "people/c1": {}}}')) as any
  t.same(Object.keys(r.value.contacts), ['__proto__', 'people/c1'])
  t.equal(Object.getPrototypeOf(r.value.contacts), Object.prototype)
})

t.test('fixture paths are JSON paths', async t => {
  t.equal(problemToText(problemOf('Person', { names: [{ givenName: 1 }] }), 'accounts[0].people[2]'), 'accounts[0].people[2].names[0].givenName: invalid value 1 (expected TYPE_STRING)')
  t.equal(problemToText(problemOf('Person', { names: [{ bogus: 1 }] }), 'people[0]'), 'people[0].names[0].bogus: unknown field "bogus"')
})
