/**
 * people.searchContacts matching (BEHAVIOUR.md §5): a query matches prefix phrases of the
 * words of a contact's names, nicknames, email addresses, phone numbers and organizations —
 * "foo name" is found by "f", "foo", "foo n", "nam", not by "oo n". Case and accents do not
 * count. The query becomes one FTS5 phrase whose last word is a prefix.
 */
import { fold } from './keys.js'

/** The FTS5 query for a search text, or undefined when it has no word to look for. */
export function ftsQuery (query: string): string | undefined {
  // The same word split as the index's tokenizer (unicode61): letters and digits.
  const words = fold(query).split(/[^\p{L}\p{N}]+/u).filter(Boolean)
  if (words.length === 0) return undefined
  return `"${words.join(' ')}"*`
}
