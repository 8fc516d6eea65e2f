/**
 * otherContacts.list, search and copyOtherContactToMyContactsGroup (FIDELITY.md: other contacts): the
 * people an account interacted with but never saved, read with narrower masks than contacts,
 * and copied into My Contacts as a new contact (the other contact stays).
 */
import type { Implementations } from './index.js'
import type { ListOtherContactsResponse } from '../../src/schemas/generated.js'
import { given, issuedTokens, mutation, pageSize, renderContext } from './common.js'
import { otherPeopleSource } from './other-listing.js'
import { list } from '../../src/sync/listing.js'
import { MAX_PAGE_SIZE, SEARCH_DEFAULT_PAGE_SIZE, SEARCH_MAX_PAGE_SIZE } from '../../src/limits.js'
import { invalidArgument, notFound } from '../../src/errors.js'
import { fieldMasks } from '../../src/generated/discovery.js'
import { readRequest } from '../../src/discovery/transcode.js'
import { createContact } from '../../src/people/contacts.js'
import { checkAllowedPaths, parseCopyMask, parseReadMask } from '../../src/people/masks.js'
import { renderPerson } from '../../src/people/render.js'
import { otherIdFromResourceName, prefixMatcher, renderDeletedOtherPerson, renderOtherPerson } from '../../src/people/other-people.js'
import type { OtherSourceType } from '../../db/model.js'
import { paramsHash } from '../../src/tokens.js'

const DEFAULT_PAGE_SIZE = 100
const OTHER: readonly OtherSourceType[] = ['OTHER_CONTACT']

/** Documented: with READ_SOURCE_TYPE_CONTACT alone, only these paths. */
const LIST_FIELDS = fieldMasks['people.otherContacts.list:readMask']!
const SEARCH_FIELDS = fieldMasks['people.otherContacts.search:readMask']!
const COPY_FIELDS = fieldMasks['CopyOtherContactToMyContactsGroupRequest.copyMask']!

const CONTACT = 'READ_SOURCE_TYPE_CONTACT'
const PROFILE = 'READ_SOURCE_TYPE_PROFILE'

/**
 * `sources` of otherContacts.list: READ_SOURCE_TYPE_CONTACT (the default) or CONTACT with
 * PROFILE; anything else is a 400 (chosen text). Returns whether PROFILE is asked for.
 */
function listSources (sources: readonly string[]): boolean {
  const set = new Set(sources.length === 0 ? [CONTACT] : sources)
  if (!set.has(CONTACT) || [...set].some(s => s !== CONTACT && s !== PROFILE)) {
    throw invalidArgument(`Invalid sources: ${[...set].join(', ')}. Other contacts take ${CONTACT}, or ${CONTACT} and ${PROFILE}.`)
  }
  return set.has(PROFILE)
}

export const otherContactImplementations: Implementations = {
  'people.otherContacts.list': async (request) => {
    const api = request.api
    const sources = api.sources ?? []
    const withProfile = listSources(sources)
    const readMask = given(api.readMask) ?? ''
    const fields = parseReadMask(readMask, { param: 'readMask', method: 'otherContacts/list', defaultAll: false })
    if (!withProfile) checkAllowedPaths(fields, LIST_FIELDS, 'readMask', `With sources ${CONTACT} alone, other contacts show only some fields (add ${PROFILE} for the others).`)
    const size = pageSize(api.pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    const sync = given(api.syncToken)
    const sourcesKey = [...new Set(sources)].sort().join(',')
    const syncParams = paramsHash({ readMask, sources: sourcesKey })
    const ctx = renderContext(request)
    const owner = request.account.id
    // One reading of the clock for the whole listing (a fixed clock ticks at each).
    const now = request.server.clock.nowMicros()
    const page = list({
      size,
      pageToken: given(api.pageToken),
      syncToken: sync,
      requestSyncToken: api.requestSyncToken === true,
      pageParams: paramsHash({ readMask, sources: sourcesKey, pageSize: size, requestSyncToken: api.requestSyncToken === true, syncToken: sync ?? '' }),
      scope: { resource: 'otherContacts', account: request.account.createdTime, declared: request.account.declared, params: syncParams, paramNames: 'readMask and sources', history: request.server.changes, issued: issuedTokens(request, 'account', owner) },
      now: () => now
    }, otherPeopleSource(request.server.otherContacts, owner, OTHER, p => renderOtherPerson(p, fields, ctx), renderDeletedOtherPerson, true))
    const out: ListOtherContactsResponse = {}
    if (page.items.length > 0) out.otherContacts = page.items
    if (page.nextPageToken !== undefined) out.nextPageToken = page.nextPageToken
    if (page.total !== undefined && page.total > 0) out.totalSize = page.total
    if (page.nextSyncToken !== undefined) out.nextSyncToken = page.nextSyncToken
    return out
  },

  'people.otherContacts.search': async (request) => {
    const api = request.api
    const fields = parseReadMask(api.readMask, { param: 'readMask', method: 'otherContacts/search', defaultAll: false })
    checkAllowedPaths(fields, SEARCH_FIELDS, 'readMask', 'Searches of other contacts show only some fields.')
    const requested = api.pageSize ?? 0
    if (requested < 0) throw invalidArgument('pageSize must not be negative.')
    // Documented: default 10, values over 30 are capped at 30.
    const size = requested === 0 ? SEARCH_DEFAULT_PAGE_SIZE : Math.min(requested, SEARCH_MAX_PAGE_SIZE)
    // An empty query is the warm-up request clients are told to send first: no results.
    const matches = prefixMatcher(api.query ?? '')
    if (matches === undefined) return {}
    const { people } = request.server.otherContacts.search(request.account.id, OTHER, matches, size)
    const ctx = renderContext(request)
    return people.length > 0 ? { results: people.map(p => ({ person: renderOtherPerson(p, fields, ctx) })) } : {}
  },

  'people.otherContacts.copyOtherContactToMyContactsGroup': async (request) => {
    const resourceName = request.api.resourceName
    if (!/^otherContacts\/c\d+$/.test(resourceName)) {
      throw invalidArgument(`Resource name "${resourceName}" is not a valid other contact resource.`)
    }
    const body = readRequest('CopyOtherContactToMyContactsGroupRequest', request.body)
    const method = 'otherContacts/copyOtherContactToMyContactsGroup'
    const copy = parseCopyMask(body.copyMask, COPY_FIELDS, method)
    // Documented: the read mask defaults to the copy mask with metadata and memberships.
    const readMask = given(body.readMask) ?? [...copy, 'metadata', 'memberships'].join(',')
    const fields = parseReadMask(readMask, { param: 'readMask', method, defaultAll: false })
    const id = otherIdFromResourceName('OTHER_CONTACT', resourceName)
    const app = request.server
    const account = request.account.id
    const contact = await mutation(request, () => {
      const other = id === undefined ? undefined : app.otherContacts.get(account, OTHER, id)
      if (other === undefined) throw notFound()
      // Only the copied fields; a contact holds one name (the other contact's first).
      const person: Record<string, unknown> = {}
      for (const field of copy) {
        const items = other.data[field] as unknown[] | undefined
        if (items !== undefined) person[field] = field === 'names' ? items.slice(0, 1) : items
      }
      return createContact({ store: app.contacts, clock: app.clock, random: app.random }, account, person)
    })
    return renderPerson(contact, fields, renderContext(request, true))
  }
}
