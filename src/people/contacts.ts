/**
 * The contact methods' rules (FIDELITY.md: people.updateContact, contact model, the other people.* areas): reading a Person body, resource
 * names, etags, singletons and memberships, and the create / update / delete operations on
 * the store. No Fastify here: routes call these and render what they return.
 */
import type { ContactsStore } from '../../db/contacts-store.js'
import type { ChangeStamp, GroupRef, StoredContact } from '../../db/model.js'
import type { Clock } from '../clock.js'
import { changeStamp } from '../change-stamp.js'
import { failedPrecondition, invalidArgument, notFound } from '../errors.js'
import { MY_CONTACTS } from '../groups/system-groups.js'
import { contactIdFromResourceName, GROUP_PREFIX, newContactId, newSourceEtag, type RandomSource } from '../ids.js'
import { contactDataFromPerson, contactFieldData, personField } from './contact-data.js'
import type { Person } from '../schemas/generated.js'
import { CONTACT_DATA_FIELDS } from './fields.js'
import { emulatorFull, MAX_CONTACTS_IN_EMULATOR, MAX_CONTACTS_PER_ACCOUNT, MAX_FIELD_LENGTH, MAX_PHOTO_BYTES } from '../limits.js'
import { protoPath, type PathSegment } from '../discovery/transcode.js'
import { sourceEtagOf } from './etag.js'
import { imageType, newPhotoId } from './photos.js'

export interface ContactsContext {
  store: ContactsStore
  clock: Clock
  random: RandomSource
}

/**
 * 400 when a string value of the given fields is longer than a field value may be
 * (counted in characters, not bytes).
 */
export function checkLengths (value: unknown, path: PathSegment[], root: string): void {
  // `path` is shared and pushed/popped: only a failing value turns it into a message.
  if (typeof value === 'string') {
    if (value.length > MAX_FIELD_LENGTH && [...value].length > MAX_FIELD_LENGTH) {
      throw invalidArgument(`Invalid value at '${protoPath(root, path)}': a field value may hold at most ${MAX_FIELD_LENGTH} characters.`)
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i)
      checkLengths(value[i], path, root)
      path.pop()
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const k in value) {
      path.push(k)
      checkLengths((value as Record<string, unknown>)[k], path, root)
      path.pop()
    }
  }
}

function checkFieldLengths (person: Person, fields: Iterable<string>): void {
  for (const field of fields) if (field !== 'memberships') checkLengths(personField(person, field), [field], 'person')
}

/** Fields that hold one value at most on a contact source. */
export const SINGLETONS = ['biographies', 'birthdays', 'genders', 'names'] as const

/** System groups a contact may be added to; the others only keep members they have. */
const ADDABLE_SYSTEM_GROUPS = new Set([MY_CONTACTS, 'starred'])

/** `people/c<decimal>` → the CONTACT source id; anything else is not a contact (400). */
export function contactIdOf (resourceName: string): string {
  if (!/^people\/c\d+$/.test(resourceName)) {
    throw invalidArgument(`Resource name "${resourceName}" is not a valid contact person resource.`)
  }
  // Well-formed but not a 64-bit id (leading zeros, too large): no contact has it.
  const id = contactIdFromResourceName(resourceName)
  if (id === undefined) throw notFound()
  return id
}

function stamp (ctx: ContactsContext): ChangeStamp {
  return changeStamp(ctx.clock, ctx.random)
}

function checkSingletons (person: Person, fields: Iterable<string>): void {
  for (const field of fields) {
    const value = personField(person, field)
    if ((SINGLETONS as readonly string[]).includes(field) && Array.isArray(value) && value.length > 1) {
      throw invalidArgument(`Cannot have more than one person.${field} per source.`)
    }
  }
}

/** The group resource names a body's memberships ask for (output-only and domain ones ignored). */
function requestedGroups (person: Person): string[] {
  return (person.memberships ?? [])
    .map(m => m.contactGroupMembership?.contactGroupResourceName)
    .filter((name): name is string => typeof name === 'string' && name !== '')
}

/**
 * Checks the requested groups against the account's: each must exist, and a system group
 * other than myContacts and starred can only be kept, not added.
 */
function resolveMemberships (names: readonly string[], current: readonly string[], group: (id: string) => GroupRef | undefined): string[] {
  const out: string[] = []
  for (const name of names) {
    const id = name.startsWith(GROUP_PREFIX) ? name.slice(GROUP_PREFIX.length) : ''
    const found = id === '' ? undefined : group(id)
    if (!found) throw invalidArgument(`Contact group "${name}" was not found.`)
    if (found.groupType === 'SYSTEM_CONTACT_GROUP' && !ADDABLE_SYSTEM_GROUPS.has(id) && !current.includes(id)) {
      throw invalidArgument(`Cannot add a contact to the system contact group "${name}".`)
    }
    if (!out.includes(id)) out.push(id)
  }
  return out
}

const NO_MEMBERSHIP = 'Contact must have at least one contact group membership.'

export function getContact (ctx: ContactsContext, accountId: string, resourceName: string): StoredContact {
  const contact = ctx.store.get(accountId, contactIdOf(resourceName))
  if (!contact) throw notFound()
  return contact
}

/** people.createContact: a new contact in myContacts (and the groups it asks for). */
export function createContact (ctx: ContactsContext, accountId: string, person: Person): StoredContact {
  checkSingletons(person, SINGLETONS)
  checkFieldLengths(person, CONTACT_DATA_FIELDS)
  const requested = requestedGroups(person)
  const time = stamp(ctx)
  return ctx.store.create(accountId, () => {
    if (ctx.store.count(accountId) >= MAX_CONTACTS_PER_ACCOUNT) {
      throw invalidArgument(`The account already holds ${MAX_CONTACTS_PER_ACCOUNT} contacts, the most an account may have.`)
    }
    if (ctx.store.total() >= MAX_CONTACTS_IN_EMULATOR) throw emulatorFull()
    // Chosen: every contact the API creates is in myContacts, first, whatever else it asks for.
    const groups = resolveMemberships(requested, [], id => ctx.store.group(accountId, id))
    return {
      id: newContactId(ctx.random),
      data: contactDataFromPerson(person),
      etag: newSourceEtag(ctx.random),
      updateTime: time.time,
      memberships: [MY_CONTACTS, ...groups.filter(g => g !== MY_CONTACTS)]
    }
  }, time)
}

/** people.updateContact, its rules in order (FIDELITY.md: people.updateContact). */
export function updateContact (ctx: ContactsContext, accountId: string, resourceName: string, person: Person, mask: ReadonlySet<string>): StoredContact {
  const contactId = contactIdOf(resourceName)
  // Rule 3: the request names the version it was based on.
  const topLevel = person.etag !== undefined && person.etag !== '' ? person.etag : undefined
  const sourceEtag = person.metadata?.sources?.find(s => s.type === 'CONTACT')?.etag
  if (topLevel === undefined && (sourceEtag === undefined || sourceEtag === '')) {
    throw invalidArgument('Request must set person.etag or person.metadata.sources.etag for the source that is being updated.')
  }
  const time = stamp(ctx)
  const updated = ctx.store.mutate(accountId, contactId, current => {
    // Rule 4: a stale version is FAILED_PRECONDITION; an etag that does not decode is stale.
    if (topLevel !== undefined) {
      const version = topLevel.startsWith('#') ? topLevel : sourceEtagOf(topLevel)
      if (version !== current.etag) {
        throw failedPrecondition('Request person.etag is different than the current person.etag. Clear local cache and get the latest person.')
      }
    } else if (sourceEtag !== current.etag) {
      throw failedPrecondition('Request person.metadata.sources.etag is different than the current person.metadata.sources.etag. Clear local cache and get the latest person.')
    }
    // Rule 5: memberships, when masked, must leave at least one group.
    let memberships = current.memberships
    if (mask.has('memberships')) {
      const requested = requestedGroups(person)
      if (requested.length === 0) throw invalidArgument(NO_MEMBERSHIP)
      memberships = resolveMemberships(requested, current.memberships, id => ctx.store.group(accountId, id))
    }
    // Rule 6: singletons.
    checkSingletons(person, mask)
    checkFieldLengths(person, mask)
    // Rules 1–2: masked fields are replaced or cleared; everything else stays.
    const data = { ...current.data }
    for (const field of mask) {
      if (field === 'memberships') continue
      const items = contactFieldData(field, personField(person, field))
      if (items) data[field] = items
      else delete data[field]
    }
    return { id: current.id, data, etag: newSourceEtag(ctx.random), updateTime: time.time, memberships }
  }, time)
  if (!updated) throw notFound()
  return updated
}

export function deleteContact (ctx: ContactsContext, accountId: string, resourceName: string): void {
  if (!ctx.store.delete(accountId, contactIdOf(resourceName), stamp(ctx))) throw notFound()
}

/** people.updateContactPhoto: the photo replaces the default one; the contact gets a new etag. */
export function updateContactPhoto (ctx: ContactsContext, accountId: string, resourceName: string, photoBytes: string | undefined): StoredContact {
  const contactId = contactIdOf(resourceName)
  const bytes = Buffer.from(photoBytes ?? '', 'base64')
  if (bytes.length === 0) throw invalidArgument('photoBytes is required: send the photo as base64.')
  if (bytes.length > MAX_PHOTO_BYTES) throw invalidArgument(`photoBytes is too large: the photo takes ${bytes.length} bytes, and a photo may take at most ${MAX_PHOTO_BYTES} (2 MiB).`)
  const contentType = imageType(bytes)
  if (contentType === undefined) throw invalidArgument('photoBytes is not an image: send a PNG, JPEG, GIF, WebP or BMP photo.')
  const time = stamp(ctx)
  const updated = ctx.store.mutate(accountId, contactId, current => ({
    ...current,
    etag: newSourceEtag(ctx.random),
    updateTime: time.time,
    photo: { id: newPhotoId(ctx.random), bytes, contentType }
  }), time)
  if (!updated) throw notFound()
  return updated
}

/** people.deleteContactPhoto: back to the default photo (nothing changes when there is none). */
export function deleteContactPhoto (ctx: ContactsContext, accountId: string, resourceName: string): StoredContact {
  const contact = getContact(ctx, accountId, resourceName)
  if (!contact.photoId) return contact
  const time = stamp(ctx)
  return ctx.store.mutate(accountId, contact.id, current => ({ ...current, etag: newSourceEtag(ctx.random), updateTime: time.time, photo: null }), time)!
}
