import t from 'tap'
import { compactJson, shareJson } from '../src/json-text.js'
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
