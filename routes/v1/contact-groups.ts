/**
 * contactGroups.create, get, batchGet, list, update, delete and members.modify. Handlers read
 * the request, call the rules in src/groups and render what comes back; every mutation goes
 * through the account's queue.
 */
import type { FastifyRequest } from 'fastify'
import type { ApiRequest, Implementations } from './index.js'
import type { MethodId } from '../../src/generated/contract.js'
import type { ContactGroup, ListContactGroupsResponse, ModifyContactGroupMembersResponse } from '../../src/schemas/generated.js'
import { invalidArgument } from '../../src/errors.js'
import { answerWith, batchEntries, given, issuedTokens, mutation, mutationSync, pageSize } from './common.js'
import {
  createGroup, deleteGroup, getGroup, modifyMembers, parseGroupReadMask, parseUpdateGroupMask,
  updateGroup, type GroupsContext
} from '../../src/groups/groups.js'
import { readRequest } from '../../src/discovery/transcode.js'
import { checkCount, MAX_BATCH_GET, MAX_PAGE_SIZE } from '../../src/limits.js'
import { renderDeletedGroup, renderGroup } from '../../src/groups/render.js'
import { isOffset, paramsHash } from '../../src/tokens.js'
import { list } from '../../src/sync/listing.js'
import type { GroupWithCount } from '../../db/model.js'

const DEFAULT_PAGE_SIZE = 30

function context (request: FastifyRequest): GroupsContext {
  const app = request.server
  return { store: app.groups, clock: app.clock, random: app.random }
}

function accountId (request: ApiRequest<MethodId>): string {
  return request.account.id
}

function maxMembers (request: ApiRequest<'people.contactGroups.get' | 'people.contactGroups.batchGet'>): number {
  const value = request.api.maxMembers ?? 0
  if (value < 0) throw invalidArgument('maxMembers must not be negative.')
  return value
}

/** One group with the mask and up to maxMembers member names. */
function readOne (request: ApiRequest<'people.contactGroups.get' | 'people.contactGroups.batchGet'>, resourceName: string, fields: ReadonlySet<string>, limit: number): ContactGroup {
  const group = getGroup(context(request), accountId(request), resourceName)
  const members = limit > 0 ? context(request).store.members(accountId(request), group.id, limit) : []
  return renderGroup(group, fields, members)
}

export const contactGroupImplementations: Implementations = {
  'people.contactGroups.create': async (request) => {
    const body = readRequest('CreateContactGroupRequest', request.body)
    const fields = parseGroupReadMask(body.readGroupFields, 'create')
    const id = accountId(request)
    const group = await mutation(request, () =>
      createGroup(context(request), id, body.contactGroup ?? {}))
    return renderGroup(group, fields)
  },

  'people.contactGroups.get': async (request) => {
    const fields = parseGroupReadMask(request.api.groupFields, 'get')
    return readOne(request, request.api.resourceName, fields, maxMembers(request))
  },

  'people.contactGroups.batchGet': async (request) => {
    const names = request.api.resourceNames ?? []
    checkCount('resourceNames', names.length, MAX_BATCH_GET, 'requested')
    const fields = parseGroupReadMask(request.api.groupFields, 'get')
    const limit = maxMembers(request)
    return { responses: batchEntries(names, name => ({ requestedResourceName: name, contactGroup: readOne(request, name, fields, limit) })) }
  },

  'people.contactGroups.list': async (request) => {
    const groupFields = request.api.groupFields ?? ''
    const fields = parseGroupReadMask(groupFields, 'get')
    const size = pageSize(request.api.pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    const sync = given(request.api.syncToken)
    const params = paramsHash({ groupFields, pageSize: size, syncToken: sync ?? '' })
    const { store, clock } = context(request)
    const id = accountId(request)
    // Every listing of groups ends with a sync token; its pages are offsets into the list.
    let groups: GroupWithCount[] | undefined
    const all = (): GroupWithCount[] => (groups ??= store.list(id))
    const page = list({
      size,
      pageToken: given(request.api.pageToken),
      syncToken: sync,
      requestSyncToken: true,
      pageTokenFirst: true,
      pageParams: params,
      scope: { resource: 'contactGroups', account: request.account.createdTime, declared: request.account.declared, history: request.server.changes, issued: issuedTokens(request, 'account', id) },
      now: () => clock.nowMicros()
    }, {
      lastSeq: () => store.lastSeq(id),
      prunedSeq: () => request.server.changes.prunedSeq(id),
      changedSince: (since, upTo) => store.changedSince(id, since, upTo),
      showChange: change => {
        const group = change.deleted ? undefined : store.get(id, change.id)
        return group ? renderGroup(group, fields) : renderDeletedGroup(change.id)
      },
      page: (offset = 0, limit) => all().slice(offset, offset + limit).map((group, i) => ({ group, next: offset + i + 1 })),
      cursorOf: row => row.next,
      isCursor: isOffset,
      showRow: row => renderGroup(row.group, fields),
      count: () => all().length
    })
    const out: ListContactGroupsResponse = {}
    if (page.items.length > 0) out.contactGroups = page.items
    if (page.total !== undefined && page.total > 0) out.totalItems = page.total
    if (page.nextPageToken !== undefined) out.nextPageToken = page.nextPageToken
    if (page.nextSyncToken !== undefined) out.nextSyncToken = page.nextSyncToken
    return out
  },

  // Not async, as people.updateContact: no promise when nothing of the account is queued.
  'people.contactGroups.update': (request) => {
    const body = readRequest('UpdateContactGroupRequest', request.body)
    const mask = parseUpdateGroupMask(body.updateGroupFields)
    const fields = parseGroupReadMask(body.readGroupFields, 'update')
    const id = accountId(request)
    const updated = mutationSync(request, () =>
      updateGroup(context(request), id, request.api.resourceName, body.contactGroup ?? {}, mask))
    return answerWith(updated, group => renderGroup(group, fields))
  },

  'people.contactGroups.delete': async (request) => {
    const id = accountId(request)
    await mutation(request, () =>
      deleteGroup(context(request), id, request.api.resourceName, request.api.deleteContacts === true), false)
    return {}
  },

  'people.contactGroups.members.modify': async (request) => {
    const body = readRequest('ModifyContactGroupMembersRequest', request.body)
    const id = accountId(request)
    const result = await mutation(request, () =>
      modifyMembers(context(request), id, request.api.resourceName, body.resourceNamesToAdd ?? [], body.resourceNamesToRemove ?? []))
    const out: ModifyContactGroupMembersResponse = {}
    if (result.notFound.length > 0) out.notFoundResourceNames = result.notFound
    if (result.lastGroup.length > 0) out.canNotRemoveLastContactGroupResourceNames = result.lastGroup
    return out
  }
}
