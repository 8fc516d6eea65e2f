/**
 * A stored contact as the API shows it (FIDELITY.md: contact model): resource name and person
 * etag always; then each field of the read mask that is non-empty, every item with its
 * field metadata (the first one primary), computed values added; memberships with their
 * group ids; the default photo.
 */
import type { StoredContact } from '../../db/model.js'
import { AccountLru } from '../../db/account-lru.js'
import type { Person } from '../schemas/generated.js'
import { schemas } from '../generated/discovery.js'
import { contactResourceName, groupResourceName } from '../ids.js'
import { computeItem, type ComputeOptions } from './computed.js'
import { personEtag } from './etag.js'
import { shareJson } from '../json-text.js'
import { CONTACT_DATA_FIELDS, PERSON_FIELDS } from './fields.js'

export interface RenderContext {
  /** Absolute base URL of the emulator, for photo URLs (`http://127.0.0.1:8090`). */
  baseUrl: string
  /**
   * The renderings to reuse, and the account the contact belongs to (the cache keeps each
   * account's apart: two accounts may hold the same contact id with the same etag). Without
   * them nothing is kept.
   */
  cache?: RenderCache<Person>
  accountId?: string
  /** For fixture exports: leave computed values of writable fields out (see computeItem). */
  forExport?: boolean
  /**
   * A contact just written: render it without keeping the rendering. The next read asks
   * with its own mask anyway, and keeping every version written would fill the cache with
   * renderings no read will ask for (they age into the old generation of the heap, which
   * then costs a full collection to clear).
   */
  written?: boolean
}

const ITEM_SCHEMA = new Map(PERSON_FIELDS.map(f => [f, schemas.Person!.properties[f]?.items?.ref ?? '']))
const DATA_FIELDS = new Set(CONTACT_DATA_FIELDS)
const RESPONSE: ComputeOptions = { fillWritable: true }
const EXPORT: ComputeOptions = { fillWritable: false }

export function contactSource (contact: StoredContact): Record<string, unknown> {
  return { type: 'CONTACT', id: contact.id, etag: contact.etag, updateTime: contact.updateTime }
}

/** The URL of a contact's default photo, served by GET /_emulator/photos/:id. */
export function defaultPhotoUrl (baseUrl: string, contactId: string): string {
  return `${baseUrl}/_emulator/photos/${contactId}.png`
}

/** The cache key of a read mask (a Set is rendered to text once). */
const maskKeys = new WeakMap<ReadonlySet<string>, string>()
function maskKey (fields: ReadonlySet<string>): string {
  let key = maskKeys.get(fields)
  if (key === undefined) {
    key = [...fields].sort().join(',')
    maskKeys.set(fields, key)
  }
  return key
}

/**
 * Rendered people of one emulator, per account: within an account by contact version (its
 * source etag), photo, read mask and base URL. A contact changes its etag on every change, so
 * an entry is never stale. Each account's renderings are bounded on their own, in entries and
 * in the bytes of their JSON text (one contact may be up to 128 KiB): one account's reads never
 * evict another's, so no account can time another's activity through the cache.
 */
export class RenderCache<T extends object> {
  private readonly entries: AccountLru<T>

  constructor (readonly maxEntries = 2000, readonly maxBytes = 32 * 1024 * 1024) {
    this.entries = new AccountLru(maxEntries, maxBytes)
  }

  get (accountId: string, key: string): T | undefined {
    return this.entries.get(accountId, key)
  }

  set (accountId: string, key: string, person: T, bytes: number): void {
    if (bytes > this.maxBytes / 16) return
    this.entries.set(accountId, key, person, bytes)
  }

  /** Forgets every rendering: an import or reset may bring back a contact version with other data. */
  clear (): void {
    this.entries.clear()
  }

  /** Forgets one account's renderings (a reset of that account). */
  clearAccount (accountId: string): void {
    this.entries.clearAccount(accountId)
  }

  /** Renderings in all. */
  get size (): number {
    return this.entries.size
  }

  /** One account's renderings. */
  sizeOf (accountId: string): number {
    return this.entries.sizeOf(accountId)
  }
}

/** Renders a contact with every field of `fields` (a read mask) that is non-empty. The result is shared: never modify it. */
export function renderPerson (contact: StoredContact, fields: ReadonlySet<string>, ctx: RenderContext): Person {
  const { cache, accountId } = ctx
  if (cache === undefined || accountId === undefined || ctx.forExport === true || ctx.written === true) return render(contact, fields, ctx)
  const key = `${contact.id}\u0000${contact.etag}\u0000${contact.photoId ?? ''}\u0000${maskKey(fields)}\u0000${ctx.baseUrl}`
  let person = cache.get(accountId, key)
  if (person === undefined) {
    person = render(contact, fields, ctx)
    // The text is kept with the rendering (src/json-text.ts): the compact text, or once a
    // compact answer was sent its UTF-8 bytes instead, and the indented answer's bytes written
    // on first use (about one and a half times the compact text) — two and a half in all.
    const text = JSON.stringify(person)
    shareJson(person, text)
    cache.set(accountId, key, person, Math.ceil(text.length * 2.5))
  }
  return person
}

/** Field metadata of a source's items: the first one's (primary) and the others'. */
export interface ItemMetadata { primary?: Record<string, unknown>, secondary?: Record<string, unknown> }

/**
 * The field metadata of the items of one source. The first item of each field is the primary
 * one; every item names its source. Exports leave field metadata out: output only, the same
 * for every item, and most of an export's size (an export must fit in an import; see
 * src/limits.ts).
 */
export function itemMetadata (type: string, id: string, exporting: boolean): ItemMetadata {
  if (exporting) return {}
  const source = { type, id }
  return { primary: { primary: true, sourcePrimary: true, source }, secondary: { source } }
}

/** Whether a person field holds stored data (items rendered by renderItems). */
export function isDataField (field: string): boolean {
  return DATA_FIELDS.has(field)
}

/**
 * A stored data field's items as the API shows them — computed values added (writable ones
 * left out of exports), field metadata on each — or undefined when it holds none.
 */
export function renderItems (field: string, stored: unknown, exporting: boolean, metadata: ItemMetadata): Array<Record<string, unknown>> | undefined {
  const list = stored as Array<Record<string, unknown>> | undefined
  if (list === undefined || list.length === 0) return undefined
  const schema = ITEM_SCHEMA.get(field)!
  const options = exporting ? EXPORT : RESPONSE
  const items = new Array<Record<string, unknown>>(list.length)
  for (let i = 0; i < list.length; i++) items[i] = computeItem(schema, list[i]!, options, i === 0 ? metadata.primary : metadata.secondary)
  return items
}

/** The default photo every person without a photo of its own shows. */
export function defaultPhoto (baseUrl: string, id: string, metadata: ItemMetadata): Record<string, unknown> {
  return { metadata: metadata.primary, url: defaultPhotoUrl(baseUrl, id), default: true }
}

function render (contact: StoredContact, fields: ReadonlySet<string>, ctx: RenderContext): Person {
  const exporting = ctx.forExport === true
  const metadata = itemMetadata('CONTACT', contact.id, exporting)
  const { primary, secondary } = metadata

  // Built field by field from the read mask's names (the schema decides them at run time): a
  // record while it is built, the Person the mask asked for when done.
  const person: Record<string, unknown> = {
    resourceName: contactResourceName(contact.id),
    etag: personEtag(contact.etag, fields)
  }
  for (const field of PERSON_FIELDS) {
    if (!fields.has(field)) continue
    if (field === 'metadata') {
      person.metadata = { sources: [contactSource(contact)], objectType: 'PERSON' }
    } else if (DATA_FIELDS.has(field)) {
      const items = renderItems(field, contact.data[field], exporting, metadata)
      if (items !== undefined) person[field] = items
    } else if (field === 'memberships') {
      if (contact.memberships.length > 0) {
        person.memberships = contact.memberships.map((groupId, i) => {
          const membership = { contactGroupMembership: { contactGroupId: groupId, contactGroupResourceName: groupResourceName(groupId) } }
          return exporting ? membership : { metadata: i === 0 ? primary : secondary, ...membership }
        })
      }
    } else if (field === 'photos' && !exporting) {
      // Exports leave photos out: they are output only, and their URLs name the port.
      person.photos = [contact.photoId
        ? { metadata: primary, url: `${ctx.baseUrl}/_emulator/photos/${contact.photoId}` }
        : defaultPhoto(ctx.baseUrl, contact.id, metadata)]
    }
    // coverPhotos, ageRanges and skills exist only on profiles: never on a contact.
  }
  return person as Person
}

/** A contact deleted since a sync token: its name and the deleted flag. */
export function renderDeletedPerson (contactId: string): Person {
  return { resourceName: contactResourceName(contactId), metadata: { sources: [{ type: 'CONTACT', id: contactId }], deleted: true } }
}
