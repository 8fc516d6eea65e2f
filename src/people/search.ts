/**
 * people.searchContacts matching (FIDELITY.md: people.searchContacts): a query matches prefix phrases of the
 * words of a contact's names, nicknames, email addresses, phone numbers and organizations —
 * "foo name" is found by "f", "foo", "foo n", "nam", not by "oo n". Case and accents do not
 * count. The query becomes one FTS5 phrase whose last word is a prefix.
 *
 * Each account has its own words: every indexed word is prefixed with a key of its account,
 * and so is every word of a query, so that a search reads only its own account's entries of
 * the shared full-text index (what another account holds cannot even change how long it
 * takes). The field separator is indexed without a key: no query can name it.
 */
import { createHash } from 'node:crypto'
import { fold, FIELD_SEPARATOR } from './keys.js'
import { memoised } from '../memo.js'

/** The key of an account's words: a letter and ten hex digits (one token for FTS5's unicode61). */
export const accountSearchKey = memoised(10000, (accountId: string): string =>
  'k' + createHash('sha256').update(accountId).digest('hex').slice(0, 10))

/** The words of a text as the index's tokenizer (unicode61) splits them: letters and digits, folded. */
export function words (text: string): string[] {
  return fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean)
}

/** What the full-text index holds for a contact's search words (src/people/keys.ts) in an account. */
export function indexedText (searchText: string, accountId: string): string {
  const key = accountSearchKey(accountId)
  return words(searchText).map(w => w === FIELD_SEPARATOR ? w : key + w).join(' ')
}

/** The FTS5 query for a search text in an account, or undefined when it has no word to look for. */
export function ftsQuery (query: string, accountId: string): string | undefined {
  const key = accountSearchKey(accountId)
  const found = words(query)
  if (found.length === 0) return undefined
  return `"${found.map(w => key + w).join(' ')}"*`
}
