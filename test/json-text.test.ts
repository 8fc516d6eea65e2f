import t from 'tap'
import { compactBody, compactJson, indentedBody, indentedJson, shareJson } from '../src/json-text.js'
import { bearer, build } from './helpers/app.js'
import { createContact } from './helpers/people.js'

t.test('a shared value is written once; anything else every time', async t => {
  const shared = { a: 1, b: [1, 2] }
  shareJson(shared)
  const first = compactJson(shared)
  t.equal(first, '{"a":1,"b":[1,2]}')
  t.equal(compactJson(shared), first)
  const plain: Record<string, unknown> = { a: 1 }
  t.equal(compactJson(plain), '{"a":1}')
  plain.b = 2
  t.equal(compactJson(plain), '{"a":1,"b":2}', 'an unshared value is written as it is now')
  t.equal(compactJson('x'), '"x"')
  t.equal(compactJson(null), 'null')
})

t.test('a shared value is sent as bytes encoded once; anything else as text', async t => {
  const shared = { name: 'Zoë', n: [1] }
  shareJson(shared)
  const compact = compactBody(shared)
  t.ok(Buffer.isBuffer(compact))
  t.equal(compact.toString('utf8'), JSON.stringify(shared))
  t.equal(compactBody(shared), compact, 'the same bytes every time')
  const indented = indentedBody(shared)
  t.ok(Buffer.isBuffer(indented))
  t.equal(indented.toString('utf8'), JSON.stringify(shared, null, 2))
  t.equal(indentedBody(shared), indented)
  t.equal(indentedJson(shared), JSON.stringify(shared, null, 2), 'its text, from the bytes')
  t.equal(compactJson(shared), JSON.stringify(shared), 'the compact text, from the bytes that replaced it')
  t.equal(compactBody({ a: 1 }), '{"a":1}')
  t.equal(indentedBody({ a: 1 }), '{\n  "a": 1\n}')
})

t.test('a cached rendering is sent the same way compact, pretty, partial and as JSONP', async t => {
  const app = await build(t)
  const created = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const url = `/v1/${created.resourceName}?personFields=names`
  const compact = await app.inject({ url: url + '&prettyPrint=false', headers: bearer() })
  const again = await app.inject({ url: url + '&prettyPrint=false', headers: bearer() })
  t.equal(again.body, compact.body, 'the second answer is the same text')
  const value = JSON.parse(compact.body)
  t.equal(compact.body, JSON.stringify(value))
  const pretty = await app.inject({ url, headers: bearer() })
  t.equal(pretty.body, JSON.stringify(value, null, 2))
  const partial = await app.inject({ url: url + '&prettyPrint=false&fields=etag', headers: bearer() })
  t.equal(partial.body, JSON.stringify({ etag: value.etag }))
  const jsonp = await app.inject({ url: url + '&prettyPrint=false&callback=cb', headers: bearer() })
  t.equal(jsonp.body, `// API callback\ncb(${compact.body});`)
})
