/**
 * Contact-group rules (FIDELITY.md: the contactGroups areas): masks, names, etags, system groups, and the
 * create / update / delete / members.modify operations on the store. No Fastify here.
 */
import type { GroupsStore } from '../../db/groups-store.js'
import type { GroupWithCount, ModifyResult, StoredGroup } from '../../db/model.js'
import type { Clock } from '../clock.js'
import { changeStamp } from '../change-stamp.js'
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../errors.js'
import { fieldMasks } from '../generated/discovery.js'
import { contactIdFromResourceName, GROUP_PREFIX, newGroupId, type RandomSource } from '../ids.js'
import { MY_CONTACTS } from './system-groups.js'
import { maskPaths } from '../discovery/field-mask.js'
import { checkLengths } from '../people/contacts.js'
import type { ContactGroup } from '../schemas/generated.js'

export interface GroupsContext {
  store: GroupsStore
  clock: Clock
  random: RandomSource
}

const DOCS = 'https://developers.google.com/people/api/rest/v1/contactGroups/'

/** Most names one members.modify may carry (documented). */
export const MAX_MODIFY = 1000

const ALL_READ_FIELDS = fieldMasks['people.contactGroups.get:groupFields']!
const CREATE_READ_FIELDS = fieldMasks['CreateContactGroupRequest.readGroupFields']!
const UPDATE_READ_FIELDS = fieldMasks['UpdateContactGroupRequest.readGroupFields']!
const UPDATE_FIELDS = fieldMasks['UpdateContactGroupRequest.updateGroupFields']!

export type GroupReadMaskKind = 'get' | 'create' | 'update'

/**
 * A group read mask: groupFields (get, batchGet, list) or readGroupFields (create, update).
 * Absent or empty: `metadata,groupType,memberCount,name` for reads, without memberCount for
 * create and update (documented).
 */
export function parseGroupReadMask (mask: string | undefined, kind: GroupReadMaskKind): Set<string> {
  const valid = kind === 'get' ? ALL_READ_FIELDS : kind === 'create' ? CREATE_READ_FIELDS : UPDATE_READ_FIELDS
  const param = kind === 'get' ? 'groupFields' : 'readGroupFields'
  const paths = maskPaths(mask)
  if (paths.length === 0) return new Set(kind === 'get' ? ['metadata', 'groupType', 'memberCount', 'name'] : ['metadata', 'groupType', 'name'])
  const out = new Set<string>()
  for (const { written, name } of paths) {
    if (!valid.includes(name)) throw invalidArgument(`Invalid ${param} mask path: "${written}". Valid paths are documented at ${DOCS}${kind}.`)
    out.add(name)
  }
  return out
}

/** updateGroupFields: absent or empty means `name` (documented); valid: clientData, name. */
export function parseUpdateGroupMask (mask: string | undefined): Set<string> {
  const paths = maskPaths(mask)
  if (paths.length === 0) return new Set(['name'])
  const out = new Set<string>()
  for (const { written, name } of paths) {
    if (!UPDATE_FIELDS.includes(name)) throw invalidArgument(`Invalid updateGroupFields mask path: "${written}". Valid paths are documented at ${DOCS}update.`)
    out.add(name)
  }
  return out
}

/** `contactGroups/<id>` → the id; anything else is 400. */
export function groupIdOf (resourceName: string): string {
  const id = resourceName.startsWith(GROUP_PREFIX) ? resourceName.slice(GROUP_PREFIX.length) : ''
  if (!/^[A-Za-z0-9]+$/.test(id)) throw invalidArgument(`Resource name "${resourceName}" is not a valid contact group resource.`)
  return id
}

const EMPTY_NAME = 'Contact group name must not be empty.'
const duplicate = (): never => { throw alreadyExists('Contact group name already exists.') }
const systemGroup = (): never => { throw failedPrecondition('Cannot modify a system contact group.') }

function clientDataOf (group: ContactGroup): StoredGroup['clientData'] {
  const data = group.clientData ?? []
  const kept = data.map(d => ({ ...(d.key ? { key: d.key } : {}), ...(d.value ? { value: d.value } : {}) })).filter(d => Object.keys(d).length > 0)
  return kept.length > 0 ? kept : null
}

export function getGroup (ctx: GroupsContext, accountId: string, resourceName: string): GroupWithCount {
  const group = ctx.store.get(accountId, groupIdOf(resourceName))
  if (!group) throw notFound()
  return group
}

/** contactGroups.create: a new user group; a name the account already has is 409. */
export function createGroup (ctx: GroupsContext, accountId: string, contactGroup: ContactGroup): GroupWithCount {
  const name = contactGroup.name ?? ''
  if (name.trim() === '') throw invalidArgument(EMPTY_NAME)
  checkLengths(contactGroup, [], 'contact_group')
  const stamp = changeStamp(ctx.clock, ctx.random)
  return ctx.store.create(accountId, () => ({
    id: newGroupId(ctx.random),
    groupType: 'USER_CONTACT_GROUP',
    name,
    clientData: clientDataOf(contactGroup),
    etag: stamp.groupEtag(),
    updateTime: stamp.time
  }), duplicate, stamp)
}

/** contactGroups.update (FIDELITY.md: contactGroups.update). */
export function updateGroup (ctx: GroupsContext, accountId: string, resourceName: string, contactGroup: ContactGroup, mask: ReadonlySet<string>): GroupWithCount {
  const groupId = groupIdOf(resourceName)
  const name = contactGroup.name ?? ''
  if (mask.has('name') && name.trim() === '') throw invalidArgument(EMPTY_NAME)
  checkLengths(contactGroup, [], 'contact_group')
  const etag = contactGroup.etag !== undefined && contactGroup.etag !== '' ? contactGroup.etag : undefined
  const stamp = changeStamp(ctx.clock, ctx.random)
  const updated = ctx.store.mutate(accountId, groupId, current => {
    if (current.groupType === 'SYSTEM_CONTACT_GROUP') systemGroup()
    // Chosen: no etag is accepted; a different one is stale.
    if (etag !== undefined && etag !== current.etag) {
      throw failedPrecondition('Request contactGroup.etag is different than the current contactGroup.etag. Clear local cache and get the latest contact group.')
    }
    return {
      ...current,
      name: mask.has('name') ? name : current.name,
      clientData: mask.has('clientData') ? clientDataOf(contactGroup) : current.clientData,
      etag: stamp.groupEtag(),
      updateTime: stamp.time
    }
  }, duplicate, stamp)
  if (!updated) throw notFound()
  return updated
}

/** contactGroups.delete: members lose the membership (falling back to myContacts), or are deleted too. */
export function deleteGroup (ctx: GroupsContext, accountId: string, resourceName: string, deleteContacts: boolean): void {
  const groupId = groupIdOf(resourceName)
  const stamp = changeStamp(ctx.clock, ctx.random)
  const deleted = ctx.store.delete(accountId, groupId, deleteContacts, group => {
    if (group.groupType === 'SYSTEM_CONTACT_GROUP') systemGroup()
  }, stamp)
  if (!deleted) throw notFound()
}

/** contactGroups.members.modify. */
export function modifyMembers (ctx: GroupsContext, accountId: string, resourceName: string, toAdd: readonly string[], toRemove: readonly string[]): ModifyResult {
  if (toAdd.length + toRemove.length > MAX_MODIFY) {
    throw invalidArgument(`resourceNamesToAdd and resourceNamesToRemove hold ${toAdd.length + toRemove.length} names together; at most ${MAX_MODIFY} are allowed.`)
  }
  const groupId = groupIdOf(resourceName)
  const refs = (names: readonly string[]): Array<{ name: string, id: string | undefined }> => names.map(name => ({ name, id: contactIdFromResourceName(name) }))
  const result = ctx.store.modifyMembers(accountId, groupId, refs(toAdd), refs(toRemove), group => {
    // Only user groups, myContacts and starred take new members (documented).
    if (toAdd.length > 0 && group.groupType === 'SYSTEM_CONTACT_GROUP' && group.id !== MY_CONTACTS && group.id !== 'starred') {
      throw failedPrecondition(`Cannot add contacts to the system contact group "${resourceName}".`)
    }
  }, changeStamp(ctx.clock, ctx.random))
  if (!result) throw notFound()
  return result
}
