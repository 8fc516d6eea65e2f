import t from 'tap'
import { memoised } from '../src/memo.js'

t.test('a result is worked out once per key, and comes back the same', async t => {
  const calls: string[] = []
  const upper = memoised(10, (key: string) => { calls.push(key); return { key: key.toUpperCase() } })
  const first = upper('ada')
  t.same(first, { key: 'ADA' })
  t.equal(upper('ada'), first, 'the same object, not worked out again')
  t.same(upper('bob'), { key: 'BOB' })
  t.same(calls, ['ada', 'bob'])
})

t.test('undefined is not kept; null is', async t => {
  const calls: string[] = []
  const parse = memoised(10, (key: string) => { calls.push(key); return key === 'bad' ? undefined : key === 'none' ? null : key.length })
  t.equal(parse('bad'), undefined)
  t.equal(parse('bad'), undefined)
  t.equal(parse('none'), null)
  t.equal(parse('none'), null)
  t.same(calls, ['bad', 'bad', 'none'])
})

t.test('at the limit the memo empties and fills again', async t => {
  const calls: string[] = []
  const id = memoised(2, (key: string) => { calls.push(key); return key })
  id('a'); id('b'); id('a')
  t.same(calls, ['a', 'b'], 'two keys fit')
  id('c')
  id('a'); id('c')
  t.same(calls, ['a', 'b', 'c', 'a'], 'a third key emptied it: a is worked out again, c was kept')
})
