/**
 * people.listDirectoryPeople and people.searchDirectoryPeople (FIDELITY.md: directory): the people
 * and shared contacts of the caller's Workspace domain. An account of no domain (a consumer
 * account) gets Google's FAILED_PRECONDITION. With mergeSources CONTACT, the caller's contacts
 * with the same email address are merged into the directory people they match.
 */
import type { ApiRequest, Implementations } from './index.js'
import type { ListDirectoryPeopleResponse, Person, SearchDirectoryPeopleResponse } from '../../src/schemas/generated.js'
import { given, issuedTokens, pageSize, renderContext } from './common.js'
import { otherPeopleSource } from './other-listing.js'
import { list } from '../../src/sync/listing.js'
import { MAX_PAGE_SIZE } from '../../src/limits.js'
import type { OtherSourceType, StoredOtherPerson } from '../../db/model.js'
import { failedPrecondition, invalidArgument } from '../../src/errors.js'
import { parseReadMask } from '../../src/people/masks.js'
import { emailKeys, mergeContact, prefixMatcher, renderDeletedOtherPerson, renderOtherPerson } from '../../src/people/other-people.js'
import { renderPerson } from '../../src/people/render.js'
import { ftsQuery } from '../../src/people/search.js'
import { isOffset, pageToken, paramsHash, readPageToken } from '../../src/tokens.js'

const LIST_DEFAULT_PAGE_SIZE = 100
const DIRECTORY_SEARCH_DEFAULT_PAGE_SIZE = 100
const DIRECTORY_SEARCH_MAX_PAGE_SIZE = 500

const SOURCE_TYPES: Readonly<Record<string, OtherSourceType>> = {
  DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE: 'DOMAIN_PROFILE',
  DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT: 'DOMAIN_CONTACT'
}

/** `sources`: required, one or both directory source types (chosen text when missing). */
function directorySources (sources: readonly string[]): OtherSourceType[] {
  const types = [...new Set(sources.map(s => SOURCE_TYPES[s]).filter((t): t is OtherSourceType => t !== undefined))].sort()
  if (types.length === 0) {
    throw invalidArgument('sources is required: specify DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE, DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT, or both.')
  }
  return types
}

/** The caller's domain; observed: a consumer account gets FAILED_PRECONDITION. */
function domainOf (request: ApiRequest<'people.people.listDirectoryPeople' | 'people.people.searchDirectoryPeople'>): string {
  const domain = request.account.domain
  if (domain === null) throw failedPrecondition('Must be a G Suite domain user.')
  return domain
}

/** What the request reads: its mask, sources and merge, checked in the order Google names them. */
function readDirectoryRequest (request: ApiRequest<'people.people.listDirectoryPeople' | 'people.people.searchDirectoryPeople'>, method: string): { readMask: string, fields: ReadonlySet<string>, types: OtherSourceType[], merge: boolean, key: string } {
  const api = request.api
  const readMask = given(api.readMask) ?? ''
  const fields = parseReadMask(readMask, { param: 'readMask', method, defaultAll: false })
  const types = directorySources(api.sources ?? [])
  const merge = (api.mergeSources ?? []).includes('DIRECTORY_MERGE_SOURCE_TYPE_CONTACT')
  return { readMask, fields, types, merge, key: `${types.join(',')}|${merge ? 'merge' : ''}` }
}

/**
 * Renders directory people, each merged (when asked) with the caller's contacts that share
 * one of its email addresses — found through the caller's own search index.
 */
function renderer (request: ApiRequest<'people.people.listDirectoryPeople' | 'people.people.searchDirectoryPeople'>, fields: ReadonlySet<string>, merge: boolean): (p: StoredOtherPerson) => Person {
  const ctx = renderContext(request)
  const contacts = request.server.contacts
  const account = request.account.id
  return (p) => {
    const person = renderOtherPerson(p, fields, ctx)
    if (!merge || !request.account.stored) return person
    const emails = new Set(emailKeys(p.data))
    let merged = person
    const seen = new Set<string>()
    for (const email of emails) {
      const query = ftsQuery(email, account)
      if (query === undefined) continue
      for (const contact of contacts.search(account, query, 30)) {
        if (seen.has(contact.id) || !emailKeys(contact.data).some(e => emails.has(e))) continue
        seen.add(contact.id)
        merged = mergeContact(merged, renderPerson(contact, fields, ctx))
      }
    }
    return merged
  }
}

export const directoryImplementations: Implementations = {
  'people.people.listDirectoryPeople': async (request) => {
    const api = request.api
    const r = readDirectoryRequest(request, 'people/listDirectoryPeople')
    const size = pageSize(api.pageSize, LIST_DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    const domain = domainOf(request)
    const sync = given(api.syncToken)
    // One reading of the clock for the whole listing (a fixed clock ticks at each).
    const now = request.server.clock.nowMicros()
    const page = list({
      size,
      pageToken: given(api.pageToken),
      syncToken: sync,
      requestSyncToken: api.requestSyncToken === true,
      pageParams: paramsHash({ readMask: r.readMask, sources: r.key, pageSize: size, requestSyncToken: api.requestSyncToken === true, syncToken: sync ?? '' }),
      // Bound to the domain as stored: a domain imported again has another history.
      scope: {
        resource: 'directory',
        account: `${domain}@${request.server.accounts.domainCreatedTime(domain) ?? ''}`,
        params: paramsHash({ readMask: r.readMask, sources: r.key }),
        paramNames: 'readMask, sources and mergeSources',
        history: request.server.changes,
        issued: issuedTokens(request, 'domain', domain)
      },
      now: () => now
    }, otherPeopleSource(request.server.directory, domain, r.types, renderer(request, r.fields, r.merge), renderDeletedOtherPerson, false))
    const out: ListDirectoryPeopleResponse = {}
    if (page.items.length > 0) out.people = page.items
    if (page.nextPageToken !== undefined) out.nextPageToken = page.nextPageToken
    if (page.nextSyncToken !== undefined) out.nextSyncToken = page.nextSyncToken
    return out
  },

  'people.people.searchDirectoryPeople': async (request) => {
    const api = request.api
    const r = readDirectoryRequest(request, 'people/searchDirectoryPeople')
    const size = pageSize(api.pageSize, DIRECTORY_SEARCH_DEFAULT_PAGE_SIZE, DIRECTORY_SEARCH_MAX_PAGE_SIZE)
    const domain = domainOf(request)
    const query = api.query ?? ''
    const params = paramsHash({ query, readMask: r.readMask, sources: r.key, pageSize: size })
    const token = given(api.pageToken)
    const offset = token === undefined ? 0 : readPageToken(token, params, isOffset).cursor
    // Chosen: an empty query (as the other searches' warm-up) finds no one.
    const matches = prefixMatcher(query)
    if (matches === undefined) return {}
    const { people, total } = request.server.directory.search(domain, r.types, matches, size, offset)
    const out: SearchDirectoryPeopleResponse = {}
    const render = renderer(request, r.fields, r.merge)
    if (people.length > 0) out.people = people.map(render)
    if (offset + size < total) out.nextPageToken = pageToken(offset + size, params)
    if (total > 0) out.totalSize = total
    return out
  }
}
