/**
 * people.connections.list (BEHAVIOUR.md §5): the account's contacts, a page at a time in one
 * of four orders, or — with a sync token — only what changed since, deleted contacts as
 * tombstones. Page tokens are keyset cursors bound to the request's parameters; sync tokens
 * are change-log positions that expire after 7 days of emulator time.
 */
import type { FastifyRequest } from 'fastify'
import type { Implementations } from './index.js'
import { given, issuedTokens, pageSize, renderContext } from './common.js'
import type { Cursor, SortOrder } from '../../db/contacts-store.js'
import { invalidArgument } from '../../src/errors.js'
import { parseReadMask } from '../../src/people/masks.js'
import { renderDeletedPerson, renderPerson } from '../../src/people/render.js'
import { isOffset, issuedPageToken, pageToken, paramsHash, readIssuedPageToken, readPageToken, readSyncToken, syncToken } from '../../src/tokens.js'

const DEFAULT_PAGE_SIZE = 100
const MAX_PAGE_SIZE = 1000

const isCursor = (c: unknown): c is Cursor => Array.isArray(c) && c.length === 2 && typeof c[0] === 'string' && typeof c[1] === 'string'

export const connectionImplementations: Implementations = {
  'people.people.connections.list': async (request: FastifyRequest) => {
    const api = request.api
    const resourceName = api.resourceName as string
    if (resourceName !== 'people/me') {
      throw invalidArgument(`Resource name "${resourceName}" is not valid for connections: only "people/me" has connections.`)
    }
    const personFields = given(api.personFields) ?? ''
    const fields = parseReadMask(personFields, { param: 'personFields', method: 'people.connections/list', defaultAll: false })
    const size = pageSize(api.pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    const sortOrder = (given(api.sortOrder) ?? 'LAST_MODIFIED_ASCENDING') as SortOrder
    const sources = ((api.sources ?? []) as string[]).join(',')
    const sync = given(api.syncToken)
    const wantsSyncToken = api.requestSyncToken === true || sync !== undefined
    // A sync token is bound to what shapes the listing; a page token to every other parameter.
    const syncParams = paramsHash({ personFields, sortOrder, sources })
    const pageParams = paramsHash({ personFields, sortOrder, sources, pageSize: size, requestSyncToken: api.requestSyncToken === true, syncToken: sync ?? '' })

    const { contacts } = request.server
    const accountId = request.account!.id
    const scope = { resource: 'connections', account: request.account!.createdTime, declared: request.account!.declared, params: syncParams, paramNames: 'personFields, sortOrder and sources', history: request.server.changes, issued: issuedTokens(request, 'account', accountId) }
    const ctx = renderContext(request)
    const token = given(api.pageToken)
    const out: Record<string, unknown> = {}
    let upTo: number
    let last: boolean

    if (sync !== undefined) {
      const since = readSyncToken(sync, request.server.clock.nowMicros(), { ...scope, prunedSeq: request.server.changes.prunedSeq(accountId) })
      const page = token === undefined ? undefined : readIssuedPageToken(token, pageParams, isOffset, scope)
      upTo = page?.syncSeq ?? contacts.lastSeq(accountId)
      const offset = page?.cursor ?? 0
      const changes = contacts.changedSince(accountId, since, upTo)
      const people = changes.slice(offset, offset + size).map(change => {
        const contact = change.deleted ? undefined : contacts.get(accountId, change.id)
        return contact ? renderPerson(contact, fields, ctx) : renderDeletedPerson(change.id)
      })
      if (people.length > 0) out.connections = people
      last = offset + size >= changes.length
      if (!last) out.nextPageToken = issuedPageToken(offset + size, pageParams, upTo, scope)
      if (changes.length > 0) { out.totalPeople = changes.length; out.totalItems = changes.length }
    } else {
      const page = token === undefined ? undefined : wantsSyncToken ? readIssuedPageToken(token, pageParams, isCursor, scope) : readPageToken(token, pageParams, isCursor)
      upTo = page?.syncSeq ?? contacts.lastSeq(accountId)
      // One more than a page tells whether another page follows.
      const rows = contacts.page(accountId, sortOrder, page?.cursor, size + 1)
      const shown = rows.slice(0, size)
      if (shown.length > 0) out.connections = shown.map(r => renderPerson(r.contact, fields, ctx))
      last = rows.length <= size
      if (!last) out.nextPageToken = wantsSyncToken ? issuedPageToken(shown[shown.length - 1]!.cursor, pageParams, upTo, scope) : pageToken(shown[shown.length - 1]!.cursor, pageParams, upTo)
      const total = contacts.count(accountId)
      if (total > 0) { out.totalPeople = total; out.totalItems = total }
    }
    if (last && wantsSyncToken) out.nextSyncToken = syncToken(upTo, request.server.clock.nowMicros(), scope)
    return out
  }
}
