import t from 'tap'
import { applySelection, checkSelection, parseFieldSelector } from '../src/discovery/field-selector.js'

const person = {
  resourceName: 'people/c1',
  etag: '%E',
  names: [{ givenName: 'Ada', familyName: 'Lovelace', metadata: { primary: true } }, { givenName: 'A' }],
  emailAddresses: [{ value: 'a@example.com', type: 'home' }]
}

t.test('the grammar: commas, slashes and parentheses', async t => {
  t.same(applySelection(person, parseFieldSelector('etag')), { etag: '%E' })
  t.same(applySelection(person, parseFieldSelector('names/givenName,etag')), { etag: '%E', names: [{ givenName: 'Ada' }, { givenName: 'A' }] })
  t.same(applySelection(person, parseFieldSelector('names(givenName,metadata/primary)')), { names: [{ givenName: 'Ada', metadata: { primary: true } }, { givenName: 'A' }] })
  t.same(applySelection(person, parseFieldSelector('names/givenName,names/familyName')), { names: [{ givenName: 'Ada', familyName: 'Lovelace' }, { givenName: 'A' }] })
  t.same(applySelection(person, parseFieldSelector('names,names/givenName')), { names: person.names }, 'the whole field wins over a part')
  t.same(applySelection(person, parseFieldSelector('*')), person)
  t.same(applySelection(person, parseFieldSelector('missing')), {})
})

t.test('syntax errors', async t => {
  for (const bad of ['names(', 'names)', ',', 'names,,etag', 'names//x', 'a b', '(x)']) {
    try {
      parseFieldSelector(bad)
      t.fail(`accepted ${bad}`)
    } catch (err) {
      t.match(err, { status: 'INVALID_ARGUMENT', reason: 'invalidParameter', location: 'fields', locationType: 'parameter' }, bad)
    }
  }
})

t.test('names are checked against the response schema', async t => {
  t.doesNotThrow(() => checkSelection(parseFieldSelector('names/givenName,metadata(sources(etag,updateTime))'), 'Person'))
  t.doesNotThrow(() => checkSelection(parseFieldSelector('connections(names),nextPageToken,totalItems'), 'ListConnectionsResponse'))
  t.doesNotThrow(() => checkSelection(parseFieldSelector('*'), 'Person'))
  t.throws(() => checkSelection(parseFieldSelector('names/nickname'), 'Person'), { message: 'Invalid field selection nickname' })
  t.throws(() => checkSelection(parseFieldSelector('etag/x'), 'Person'), { message: 'Invalid field selection x' })
  t.throws(() => checkSelection(parseFieldSelector('pageToken'), 'ListConnectionsResponse'), { message: 'Invalid field selection pageToken' })
})
