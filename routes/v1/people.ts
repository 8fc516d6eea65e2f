/**
 * people.createContact, get, getBatchGet, updateContact, deleteContact. Handlers read the
 * request, call the rules in src/people and render what comes back; every mutation goes
 * through the account's queue.
 */
import type { FastifyRequest } from 'fastify'
import type { ApiRequest, Implementations } from './index.js'
import type { MethodId } from '../../src/generated/contract.js'
import type { Person } from '../../src/schemas/generated.js'
import { invalidArgument, notFound } from '../../src/errors.js'
import { answerWith, batchEntries, mutation, mutationSync, renderContext } from './common.js'
import { readRequest } from '../../src/discovery/transcode.js'
import { checkCount, MAX_BATCH_GET, SEARCH_DEFAULT_PAGE_SIZE, SEARCH_MAX_PAGE_SIZE } from '../../src/limits.js'
import {
  createContact, deleteContact, deleteContactPhoto, getContact, updateContact, updateContactPhoto, type ContactsContext
} from '../../src/people/contacts.js'
import { parseIncludeField, parseReadMask, parseUpdateMask } from '../../src/people/masks.js'
import { isOwnProfile, renderProfile } from '../../src/people/profile.js'
import { renderPerson } from '../../src/people/render.js'
import { ftsQuery } from '../../src/people/search.js'

/** Limits of the batch methods (documented). */
export const MAX_BATCH_CREATE = 200
export const MAX_BATCH_UPDATE = 200
export const MAX_BATCH_DELETE = 500

function context (request: FastifyRequest): ContactsContext {
  const app = request.server
  return { store: app.contacts, clock: app.clock, random: app.random }
}

/** personFields (or the deprecated requestMask.includeField), required on reads. */
function requiredReadMask (request: ApiRequest<'people.people.get' | 'people.people.getBatchGet'>, method: string): ReadonlySet<string> {
  const include = request.api['requestMask.includeField']
  const personFields = request.api.personFields
  if ((personFields === undefined || personFields === '') && include !== undefined && include !== '') return parseIncludeField(include, method)
  return parseReadMask(personFields, { param: 'personFields', method, defaultAll: false })
}

/** One person by resource name: the account's profile or one of its contacts. */
function readOne (request: ApiRequest<MethodId>, resourceName: string, fields: ReadonlySet<string>): Person {
  const id = request.account.id
  if (isOwnProfile(id, resourceName)) {
    const { identity, scopes, domain } = request.account
    return renderProfile(id, fields, identity === null ? undefined : { ...identity, scopes, domain })
  }
  // Another account's profile, or any profile id that is not this account's.
  if (/^people\/\d+$/.test(resourceName)) throw notFound()
  return renderPerson(getContact(context(request), id, resourceName), fields, renderContext(request))
}

export const peopleImplementations: Implementations = {
  'people.people.createContact': async (request) => {
    const person = readRequest('Person', request.body, 'person')
    const fields = parseReadMask(request.api.personFields, { param: 'personFields', method: 'createContact', defaultAll: true })
    const { id } = request.account
    const contact = await mutation(request, () => createContact(context(request), id, person))
    return renderPerson(contact, fields, renderContext(request, true))
  },

  'people.people.get': async (request) => {
    const fields = requiredReadMask(request, 'get')
    return readOne(request, request.api.resourceName, fields)
  },

  'people.people.getBatchGet': async (request) => {
    const names = request.api.resourceNames ?? []
    checkCount('resourceNames', names.length, MAX_BATCH_GET, 'requested')
    const fields = requiredReadMask(request, 'getBatchGet')
    return { responses: batchEntries(names, name => ({ requestedResourceName: name, person: readOne(request, name, fields) })) }
  },

  // Not async: with nothing of the account queued, the update and its answer take no promise
  // (Fastify sends a value a handler returns, and catches what it throws).
  'people.people.updateContact': (request) => {
    const person = readRequest('Person', request.body, 'person')
    const mask = parseUpdateMask(request.api.updatePersonFields)
    const fields = parseReadMask(request.api.personFields, { param: 'personFields', method: 'updateContact', defaultAll: true })
    const { id } = request.account
    const updated = mutationSync(request, () =>
      updateContact(context(request), id, request.api.resourceName, person, mask))
    return answerWith(updated, contact => renderPerson(contact, fields, renderContext(request, true)))
  },

  'people.people.batchCreateContacts': async (request) => {
    const body = readRequest('BatchCreateContactsRequest', request.body)
    const entries = body.contacts ?? []
    checkCount('contacts', entries.length, MAX_BATCH_CREATE, 'created')
    const fields = parseReadMask(body.readMask, { param: 'readMask', method: 'batchCreateContacts', defaultAll: false })
    const { id } = request.account
    const ctx = context(request)
    const created = await mutation(request, () =>
      ctx.store.transaction(() => entries.map(e => createContact(ctx, id, e.contactPerson ?? {}))))
    const render = renderContext(request, true)
    return { createdPeople: created.map(contact => ({ person: renderPerson(contact, fields, render) })) }
  },

  'people.people.batchUpdateContacts': async (request) => {
    const body = readRequest('BatchUpdateContactsRequest', request.body)
    const entries = Object.entries(body.contacts ?? {})
    checkCount('contacts', entries.length, MAX_BATCH_UPDATE, 'updated')
    const mask = parseUpdateMask(body.updateMask, 'updateMask', 'batchUpdateContacts')
    const fields = parseReadMask(body.readMask, { param: 'readMask', method: 'batchUpdateContacts', defaultAll: false })
    const { id } = request.account
    const ctx = context(request)
    // All or nothing: the first entry that breaks a rule fails the request and nothing changes.
    const updated = await mutation(request, () =>
      ctx.store.transaction(() => entries.map(([name, person]) => [name, updateContact(ctx, id, name, person, mask)] as const)))
    const render = renderContext(request, true)
    const updateResult: Record<string, { person: Person }> = {}
    for (const [name, contact] of updated) updateResult[name] = { person: renderPerson(contact, fields, render) }
    return { updateResult }
  },

  'people.people.batchDeleteContacts': async (request) => {
    const body = readRequest('BatchDeleteContactsRequest', request.body)
    const names = [...new Set(body.resourceNames ?? [])]
    checkCount('resourceNames', names.length, MAX_BATCH_DELETE, 'deleted')
    const { id } = request.account
    const ctx = context(request)
    await mutation(request, () => ctx.store.transaction(() => { for (const name of names) deleteContact(ctx, id, name) }), false)
    return {}
  },

  'people.people.searchContacts': async (request) => {
    const fields = parseReadMask(request.api.readMask, { param: 'readMask', method: 'searchContacts', defaultAll: false })
    const requested = request.api.pageSize ?? 0
    if (requested < 0) throw invalidArgument('pageSize must not be negative.')
    // Documented: default 10, values over 30 are capped at 30.
    const pageSize = requested === 0 ? SEARCH_DEFAULT_PAGE_SIZE : Math.min(requested, SEARCH_MAX_PAGE_SIZE)
    // An empty query is Google's warm-up request: it answers with no results.
    const query = ftsQuery(request.api.query ?? '', request.account.id)
    if (query === undefined) return {}
    const found = context(request).store.search(request.account.id, query, pageSize)
    const render = renderContext(request)
    return found.length > 0 ? { results: found.map(contact => ({ person: renderPerson(contact, fields, render) })) } : {}
  },

  'people.people.updateContactPhoto': async (request) => {
    const body = readRequest('UpdateContactPhotoRequest', request.body)
    const personFields = body.personFields
    // Documented: without personFields the response skips the read after the change.
    const fields = personFields === undefined || personFields === '' ? undefined : parseReadMask(personFields, { param: 'personFields', method: 'updateContactPhoto', defaultAll: false })
    const { id } = request.account
    const contact = await mutation(request, () =>
      updateContactPhoto(context(request), id, request.api.resourceName, body.photoBytes))
    return fields ? { person: renderPerson(contact, fields, renderContext(request)) } : {}
  },

  'people.people.deleteContactPhoto': async (request) => {
    const personFields = request.api.personFields
    const fields = personFields === undefined || personFields === '' ? undefined : parseReadMask(personFields, { param: 'personFields', method: 'deleteContactPhoto', defaultAll: false })
    const { id } = request.account
    const contact = await mutation(request, () => deleteContactPhoto(context(request), id, request.api.resourceName), false)
    return fields ? { person: renderPerson(contact, fields, renderContext(request)) } : {}
  },

  'people.people.deleteContact': async (request) => {
    const { id } = request.account
    await mutation(request, () => deleteContact(context(request), id, request.api.resourceName), false)
    return {}
  }
}
