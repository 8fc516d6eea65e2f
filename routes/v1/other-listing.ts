/**
 * Other contacts and the directory as a listing source (src/sync/listing.ts): people who are
 * not the account's contacts, in the order they were stored (a page token's cursor is the
 * row's position), removed ones as tombstones in a sync.
 */
import type { OtherPeopleStore } from '../../db/other-people-store.js'
import type { OrderedPerson, OtherChange, OtherSourceType, StoredOtherPerson } from '../../db/model.js'
import type { ListingSource } from '../../src/sync/listing.js'
import { isOffset } from '../../src/tokens.js'

export function otherPeopleSource<Item> (
  store: OtherPeopleStore,
  owner: string,
  types: readonly OtherSourceType[],
  render: (person: StoredOtherPerson) => Item,
  renderDeleted: (p: { id: string, sourceType: OtherSourceType }) => Item,
  counted: boolean
): ListingSource<OrderedPerson, OtherChange, number, Item> {
  return {
    lastSeq: () => store.lastSeq(owner),
    changedSince: (since, upTo) => store.changedSince(owner, types, since, upTo),
    showChange: c => c.person ? render(c.person) : renderDeleted(c),
    page: (cursor, limit) => store.page(owner, types, cursor ?? 0, limit),
    cursorOf: row => row.rowid,
    isCursor: isOffset,
    showRow: row => render(row.person),
    ...(counted ? { count: () => store.count(owner, types) } : {})
  }
}
