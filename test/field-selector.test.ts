import t from 'tap'
import { applySelection, checkSelection, parseFieldSelector } from '../src/discovery/field-selector.js'
import { build } from './helpers/app.js'

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

t.test('a selection nested deeper than 64 is a 400, however deep (a call of a batch may carry megabytes)', async t => {
  const deepParens = 'a('.repeat(8000) + 'a' + ')'.repeat(8000)
  const deepSlashes = Array.from({ length: 8000 }, () => 'a').join('/')
  for (const text of [deepParens, deepSlashes]) {
    t.throws(() => parseFieldSelector(text), /^Invalid field selection a/)
    try {
      parseFieldSelector(text)
    } catch (err) {
      t.ok((err as Error).message.length < 300, 'the message shows the start of the selection')
    }
  }
  t.doesNotThrow(() => parseFieldSelector('a('.repeat(60) + 'a' + ')'.repeat(60)))
  const app = await build(t)
  const part = `--b\r\nContent-Type: application/http\r\n\r\nGET /v1/people/me?personFields=names&fields=${deepParens} HTTP/1.1\r\n\r\n--b--\r\n`
  const res = await app.inject({ method: 'POST', url: '/batch', headers: { authorization: 'Bearer t', 'content-type': 'multipart/mixed; boundary=b' }, payload: part })
  t.equal(res.statusCode, 200)
  t.match(res.body, /HTTP\/1\.1 400 Bad Request/)
})
