/**
 * A contact group as the API shows it (FIDELITY.md: contactGroups, contactGroups.update): resourceName always, etag for
 * user groups; then the fields of the read mask. `formattedName` travels with `name`;
 * system groups carry no etag and no metadata; `memberCount` is left out when zero.
 */
import type { GroupWithCount } from '../../db/model.js'
import type { ContactGroup } from '../schemas/generated.js'
import { contactResourceName, groupResourceName } from '../ids.js'
import { systemGroupFormattedName } from './system-groups.js'

export function renderGroup (group: GroupWithCount, fields: ReadonlySet<string>, memberIds: readonly string[] = []): ContactGroup {
  const system = group.groupType === 'SYSTEM_CONTACT_GROUP'
  const out: ContactGroup = { resourceName: groupResourceName(group.id) }
  if (!system && group.etag) out.etag = group.etag
  if (fields.has('metadata') && !system && group.updateTime) out.metadata = { updateTime: group.updateTime }
  if (fields.has('groupType')) out.groupType = group.groupType
  if (fields.has('name')) {
    out.name = group.name
    out.formattedName = system ? systemGroupFormattedName(group.id) ?? group.name : group.name
  }
  if (fields.has('clientData') && group.clientData && group.clientData.length > 0) out.clientData = group.clientData
  if (fields.has('memberCount') && group.memberCount > 0) out.memberCount = group.memberCount
  if (memberIds.length > 0) out.memberResourceNames = memberIds.map(contactResourceName)
  return out
}

/** A group deleted since a sync token: its name and the deleted flag. */
export function renderDeletedGroup (groupId: string): ContactGroup {
  return { resourceName: groupResourceName(groupId), metadata: { deleted: true } }
}
