/**
 * People who are not the account's contacts, as the API shows them (FIDELITY.md: other contacts, directory):
 * other contacts (`otherContacts/c<decimal>`, an OTHER_CONTACT source), domain profiles
 * (`people/<decimal>`, DOMAIN_PROFILE) and a domain's shared contacts (`people/c<decimal>`,
 * DOMAIN_CONTACT). Rendered as contacts are: resource name and etag always, then each field
 * of the read mask that is non-empty, every item with its field metadata; the default photo.
 * Also the prefix matching of their searches. No Fastify, no SQL.
 */
import type { OtherSourceType, StoredOtherPerson } from '../../db/model.js'
import type { Person } from '../schemas/generated.js'
import { contactIdFromResourceName, contactResourceName } from '../ids.js'
import { memoised } from '../memo.js'
import { personEtag } from './etag.js'
import { PERSON_FIELDS } from './fields.js'
import { fold, FIELD_SEPARATOR } from './keys.js'
import { defaultPhoto, isDataField, itemMetadata, renderItems, type RenderContext } from './render.js'
import { words } from './search.js'

/** `otherContacts/c<decimal>` of an other contact's (hex) id. */
export const otherContactResourceName = memoised(10000, (id: string): string =>
  'otherContacts/c' + BigInt('0x' + id).toString(10))

/** The resource name of a person of another kind. */
export function otherResourceName (p: { id: string, sourceType: OtherSourceType }): string {
  switch (p.sourceType) {
    case 'OTHER_CONTACT': return otherContactResourceName(p.id)
    case 'DOMAIN_CONTACT': return contactResourceName(p.id)
    case 'DOMAIN_PROFILE': return 'people/' + p.id
  }
}

/**
 * The stored id of a resource name of the given kind, or undefined when the name is not one:
 * a 64-bit hex id for other contacts and shared domain contacts, the decimal for profiles.
 */
export function otherIdFromResourceName (sourceType: OtherSourceType, resourceName: string): string | undefined {
  switch (sourceType) {
    case 'OTHER_CONTACT':
      return resourceName.startsWith('otherContacts/c') ? contactIdFromResourceName('people/c' + resourceName.slice('otherContacts/c'.length)) : undefined
    case 'DOMAIN_CONTACT':
      return contactIdFromResourceName(resourceName)
    case 'DOMAIN_PROFILE':
      return /^people\/[1-9]\d{0,20}$/.test(resourceName) ? resourceName.slice('people/'.length) : undefined
  }
}

function source (p: StoredOtherPerson): Record<string, unknown> {
  const out: Record<string, unknown> = { type: p.sourceType, id: p.id, etag: p.etag, updateTime: p.updateTime }
  // A domain profile is a Workspace user's (Google shows the profile's user type).
  if (p.sourceType === 'DOMAIN_PROFILE') out.profileMetadata = { objectType: 'PERSON', userTypes: ['GOOGLE_APPS_USER'] }
  return out
}

/**
 * Renders a person of another kind with every field of `fields` that is non-empty. An export
 * (ctx.forExport) leaves out field metadata, computed values and photos, as for contacts.
 */
export function renderOtherPerson (p: StoredOtherPerson, fields: ReadonlySet<string>, ctx: RenderContext): Person {
  const exporting = ctx.forExport === true
  const metadata = itemMetadata(p.sourceType, p.id, exporting)
  // Built from the read mask's names, as renderPerson's (src/people/render.ts).
  const person: Record<string, unknown> = { resourceName: otherResourceName(p), etag: personEtag(p.etag, fields) }
  for (const field of PERSON_FIELDS) {
    if (!fields.has(field)) continue
    if (field === 'metadata') {
      person.metadata = { sources: [source(p)], objectType: 'PERSON' }
    } else if (isDataField(field)) {
      const items = renderItems(field, p.data[field], exporting, metadata)
      if (items !== undefined) person[field] = items
    } else if (field === 'photos' && !exporting) {
      person.photos = [defaultPhoto(ctx.baseUrl, p.id, metadata)]
    }
    // memberships: only contacts belong to groups; coverPhotos, ageRanges, skills: not kept.
  }
  return person as Person
}

/** A person removed since a sync token: its name and the deleted flag. */
export function renderDeletedOtherPerson (p: { id: string, sourceType: OtherSourceType }): Person {
  return { resourceName: otherResourceName(p), metadata: { sources: [{ type: p.sourceType, id: p.id }], deleted: true } }
}

/**
 * Adds a contact of the account to a directory person it is merged with (mergeSources
 * DIRECTORY_MERGE_SOURCE_TYPE_CONTACT): the contact's source joins the person's sources, and
 * its items follow the person's own (none of them primary). `contact` is the contact rendered
 * with the same read mask.
 */
export function mergeContact (person: Person, contact: Person): Person {
  // Field by field over whatever the two hold (the read mask decided which): records here.
  const own = person as Record<string, unknown>
  const out: Record<string, unknown> = { ...own }
  for (const [field, value] of Object.entries(contact)) {
    if (field === 'resourceName' || field === 'etag') continue
    if (field === 'metadata') {
      const mine = person.metadata ?? { objectType: 'PERSON', sources: [] }
      out.metadata = { ...mine, sources: [...(mine.sources ?? []), ...(contact.metadata?.sources ?? [])] }
      continue
    }
    if (!Array.isArray(value)) continue
    const items = value.map(item => {
      const i = item as { metadata?: Record<string, unknown> }
      if (i.metadata === undefined) return item
      const { primary: _p, ...metadata } = i.metadata
      return { ...i, metadata }
    })
    const ownItems = (own[field] ?? []) as unknown[]
    // The default photo of a person that has its own photo adds nothing.
    out[field] = field === 'photos' && ownItems.length > 0 ? ownItems : [...ownItems, ...items]
  }
  return out as Person
}

/** The email addresses of stored data, folded: what merges a contact into a directory person. */
export function emailKeys (data: Record<string, unknown>): string[] {
  const emails = (data.emailAddresses ?? []) as Array<{ value?: unknown }>
  return emails.map(e => e.value).filter((v): v is string => typeof v === 'string' && v.trim() !== '').map(v => fold(v.trim()))
}

/**
 * Prefix matching as searchContacts (src/people/search.ts): the query's words must be a run of
 * consecutive words of one field, the last of them as a prefix. Returns undefined for a query
 * with no word (the warm-up request, answered with nothing).
 */
export function prefixMatcher (query: string): ((searchText: string) => boolean) | undefined {
  const wanted = words(query)
  if (wanted.length === 0) return undefined
  const last = wanted.length - 1
  return (searchText: string): boolean => {
    for (const field of searchText.split(FIELD_SEPARATOR)) {
      const have = words(field)
      for (let start = 0; start + wanted.length <= have.length; start++) {
        let ok = true
        for (let i = 0; i <= last && ok; i++) {
          ok = i === last ? have[start + i]!.startsWith(wanted[i]!) : have[start + i] === wanted[i]
        }
        if (ok) return true
      }
    }
    return false
  }
}
