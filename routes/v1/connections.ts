/**
 * people.connections.list (FIDELITY.md: people.connections.list): the account's contacts, a page at a time in one
 * of four orders, or — with a sync token — only what changed since, deleted contacts as
 * tombstones. Page tokens are keyset cursors bound to the request's parameters; sync tokens
 * are change-log positions that expire after 7 days of emulator time.
 */
import type { Implementations } from './index.js'
import { given, issuedTokens, pageSize, renderContext } from './common.js'
import type { Cursor, SortOrder } from '../../db/model.js'
import { invalidArgument } from '../../src/errors.js'
import { parseReadMask } from '../../src/people/masks.js'
import { renderDeletedPerson, renderPerson } from '../../src/people/render.js'
import { paramsHash } from '../../src/tokens.js'
import { list } from '../../src/sync/listing.js'
import { MAX_PAGE_SIZE } from '../../src/limits.js'
import type { ListConnectionsResponse } from '../../src/schemas/generated.js'

const DEFAULT_PAGE_SIZE = 100

const isCursor = (c: unknown): c is Cursor => Array.isArray(c) && c.length === 2 && typeof c[0] === 'string' && typeof c[1] === 'string'

export const connectionImplementations: Implementations = {
  'people.people.connections.list': async (request) => {
    const api = request.api
    const resourceName = api.resourceName
    if (resourceName !== 'people/me') {
      throw invalidArgument(`Resource name "${resourceName}" is not valid for connections: only "people/me" has connections.`)
    }
    const personFields = given(api.personFields) ?? ''
    const fields = parseReadMask(personFields, { param: 'personFields', method: 'people.connections/list', defaultAll: false })
    const size = pageSize(api.pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    const sortOrder: SortOrder = api.sortOrder ?? 'LAST_MODIFIED_ASCENDING'
    const sources = (api.sources ?? []).join(',')
    const sync = given(api.syncToken)
    // A sync token is bound to what shapes the listing; a page token to every other parameter.
    const syncParams = paramsHash({ personFields, sortOrder, sources })
    const pageParams = paramsHash({ personFields, sortOrder, sources, pageSize: size, requestSyncToken: api.requestSyncToken === true, syncToken: sync ?? '' })

    const { contacts, changes, clock } = request.server
    const accountId = request.account.id
    const ctx = renderContext(request)
    const page = list({
      size,
      pageToken: given(api.pageToken),
      syncToken: sync,
      requestSyncToken: api.requestSyncToken === true,
      pageParams,
      scope: { resource: 'connections', account: request.account.createdTime, declared: request.account.declared, params: syncParams, paramNames: 'personFields, sortOrder and sources', history: changes, issued: issuedTokens(request, 'account', accountId) },
      now: () => clock.nowMicros()
    }, {
      lastSeq: () => contacts.lastSeq(accountId),
      prunedSeq: () => changes.prunedSeq(accountId),
      changedSince: (since, upTo) => contacts.changedSince(accountId, since, upTo),
      showChange: change => {
        const contact = change.deleted ? undefined : contacts.get(accountId, change.id)
        return contact ? renderPerson(contact, fields, ctx) : renderDeletedPerson(change.id)
      },
      page: (cursor, limit) => contacts.page(accountId, sortOrder, cursor, limit),
      cursorOf: row => row.cursor,
      isCursor,
      showRow: row => renderPerson(row.contact, fields, ctx),
      count: () => contacts.count(accountId)
    })
    const out: ListConnectionsResponse = {}
    if (page.items.length > 0) out.connections = page.items
    if (page.nextPageToken !== undefined) out.nextPageToken = page.nextPageToken
    if (page.total !== undefined && page.total > 0) { out.totalPeople = page.total; out.totalItems = page.total }
    if (page.nextSyncToken !== undefined) out.nextSyncToken = page.nextSyncToken
    return out
  }
}
