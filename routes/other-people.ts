/**
 * People who are not contacts, part of the control plane: an account's other contacts and a
 * domain's directory people, added and removed one at a time. Registered inside
 * routes/emulator.ts, under its guard.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { alreadyExists, invalidArgument, notFound, storageFull } from '../src/errors.js'
import { formatTime } from '../src/clock.js'
import { fixtureInput, readOtherPerson } from '../src/fixtures/fixture.js'
import type { OtherPeopleStore } from '../db/other-people-store.js'
import type { OtherSourceType } from '../db/model.js'
import { otherIdFromResourceName, otherResourceName, renderOtherPerson } from '../src/people/other-people.js'
import { PERSON_FIELDS } from '../src/people/fields.js'
import { maxOtherPeople } from '../src/limits.js'
import { baseUrl } from '../src/http.js'
import type { Person } from '../src/schemas/generated.js'

export default async function otherPeopleRoutes (app: FastifyInstance): Promise<void> {
  // Under /_emulator/: the control plane's route group (routes/emulator.ts).
  const routes = app.controlRoutes
  // People who are not contacts come and go as production's do (an email exchanged, a colleague
  // hired or gone): added and removed here, each a change that the next sync lists (FIDELITY.md:
  // other contacts, directory; chosen).
  const allFields = new Set(PERSON_FIELDS)
  const kinds: Record<string, { sourceType: OtherSourceType, prefix: string, plural: string }> = {
    otherContacts: { sourceType: 'OTHER_CONTACT', prefix: 'otherContacts/', plural: 'other contacts' },
    profiles: { sourceType: 'DOMAIN_PROFILE', prefix: 'people/', plural: 'domain profiles' },
    contacts: { sourceType: 'DOMAIN_CONTACT', prefix: 'people/', plural: 'shared domain contacts' }
  }
  /** Whose people a route changes: an account's other contacts, or a domain's directory. */
  const target = (params: Record<string, string>): { store: OtherPeopleStore, owner: string, exists: boolean, name: string, what: string } => params.account !== undefined
    ? { store: app.otherContacts, owner: params.account, exists: app.accounts.accountExists(params.account), name: `Account "${params.account}"`, what: `Account "${params.account}" was not found: import it, or make one write with its token first.` }
    : { store: app.directory, owner: params.domain!, exists: app.accounts.domainExists(params.domain!), name: `Domain "${params.domain!}"`, what: `Domain "${params.domain!}" was not found: import it first.` }

  const addPerson = async (request: FastifyRequest, kind: string): Promise<Person> => {
    const t = target(request.params as Record<string, string>)
    if (!t.exists) throw notFound(t.what)
    if (app.storageBudget.full()) throw storageFull(app.config.maxStorageMiB)
    const { sourceType, plural } = kinds[kind]!
    const person = await fixtureInput('Invalid person', () => readOtherPerson(request.body ?? {}, sourceType, app.clock, app.random))
    if (t.store.get(t.owner, [sourceType], person.id) !== undefined) throw alreadyExists(`${otherResourceName(person)} already exists.`)
    const max = maxOtherPeople(sourceType)
    if (t.store.count(t.owner, [sourceType]) >= max) throw invalidArgument(`${t.name} already holds ${max} ${plural}, the most it may hold.`)
    t.store.add(t.owner, person)
    return renderOtherPerson(person, allFields, { baseUrl: baseUrl(request) })
  }
  const removePerson = async (request: FastifyRequest, kind: string): Promise<Record<string, unknown>> => {
    const t = target(request.params as Record<string, string>)
    if (!t.exists) throw notFound(t.what)
    const { sourceType, prefix } = kinds[kind]!
    const id = otherIdFromResourceName(sourceType, prefix + (request.params as { id: string }).id)
    if (id === undefined || !t.store.remove(t.owner, sourceType, id, formatTime(app.clock.nowMicros()))) throw notFound()
    return {}
  }
  const settings = { config: { queryParams: [], compact: true } }
  routes.post('/_emulator/accounts/:account/otherContacts', settings, async (request) => await addPerson(request, 'otherContacts'))
  routes.delete('/_emulator/accounts/:account/otherContacts/:id', settings, async (request) => await removePerson(request, 'otherContacts'))
  for (const kind of ['profiles', 'contacts']) {
    routes.post(`/_emulator/domains/:domain/${kind}`, settings, async (request) => await addPerson(request, kind))
    routes.delete(`/_emulator/domains/:domain/${kind}/:id`, settings, async (request) => await removePerson(request, kind))
  }
}
