/**
 * The control plane, under /_emulator/ (never under /v1): health, reset, export, import, the
 * clock, photos. No API credentials are needed here; these routes are for the test harness,
 * not the client, and guarded as src/plugins/control-plane.ts says.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { StoredAccount, StoredDomain } from '../db/state-store.js'
import { alreadyExists, failedPrecondition, invalidArgument, notFound, storageFull, type ApiError } from '../src/errors.js'
import { ClockRangeError, formatTime, inClockRange, LATEST_TIME, parseDuration, parseTime } from '../src/clock.js'
import { checkAccountDomain, documentSize, FixtureError, fixtureDocumentSteps, parseFixtureDocumentAsync, readOtherPerson } from '../src/fixtures/fixture.js'
import type { OtherPeopleStore, OtherSourceType } from '../db/other-people-store.js'
import { otherIdFromResourceName, otherResourceName, renderOtherPerson } from '../src/people/other-people.js'
import { PERSON_FIELDS } from '../src/people/fields.js'
import { MAX_CONTACTS_IN_EMULATOR, maxOtherPeople } from '../src/limits.js'
import { runStepsAsync, runStepsInTransaction } from '../src/steps.js'
import { fidelity } from '../src/fidelity/report.js'
import { parseJournalFilter, parseJournalPage, type JournalEntry } from '../src/plugins/journal.js'
import { pageToken } from '../src/tokens.js'
import snapshotRoutes from './snapshots.js'
import faultRoutes from './faults.js'
import uiRoutes from './ui.js'
import { baseUrl } from '../src/http.js'
import { controlPlaneGuard, PHOTOS_ROUTE } from '../src/plugins/control-plane.js'
import { renderValue } from '../src/discovery/transcode.js'

/** A 1×1 grey PNG: what every contact's default photo shows. */
const DEFAULT_PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4DwABAQEAWEoVRgAAAABJRU5ErkJggg==', 'base64')

export default async function emulatorRoutes (app: FastifyInstance, options: { implemented: ReadonlySet<string> }): Promise<void> {
  // Every route of the control plane says so: the wire plugin answers it no JSONP.
  app.addHook('onRoute', route => { route.config = { ...route.config, controlPlane: true } })
  // Host, origin, control token, and no simple cross-site request (src/plugins/control-plane.ts).
  app.addHook('onRequest', controlPlaneGuard(app))

  // Answers throughout an import or reset (ungated): it does not touch the database.
  app.get('/_emulator/health', { config: { queryParams: [], compact: true, ungated: true } }, async () => ({ status: 'ok' }))

  // Snapshots of the whole state: save, restore, list, delete (routes/snapshots.ts).
  await app.register(snapshotRoutes)

  // Fault rules and quotas (routes/faults.ts).
  await app.register(faultRoutes)

  // The web UI and the reads it shows (routes/ui.ts).
  await app.register(uiRoutes)

  app.get('/_emulator/fidelity', { config: { queryParams: [], compact: true } }, async () => fidelity(options.implemented))

  app.post('/_emulator/reset', { config: { queryParams: ['account'], compact: true } }, async (request) => {
    const { account } = request.query as { account?: string }
    if (account === undefined) {
      await app.exclusive(async () => {
        await runStepsInTransaction(app.db, app.state.replaceSteps(app.startAccounts(), {}, app.startDomains()))
        app.renderings.clear()
        app.quotas.clear()
        // A whole reset also brings a fixed clock and a seeded random stream back to the start,
        // so that the same test run twice gives byte-identical responses.
        app.rewind()
      })
      return {}
    }
    await app.exclusive(async () => {
      const start = app.startAccounts().filter(a => a.id === account)
      if (start.length === 0 && !app.state.accountExists(account)) throw notFound(`Account "${account}" was not found.`)
      // A token of the fixture that another account holds now (an import moved it, or an
      // undeclared account took it): resetting would give it two owners. Nothing is changed.
      for (const { token } of start[0]?.tokens ?? []) {
        const owner = app.state.findToken(token)?.accountId
        if (owner !== undefined && owner !== account) {
          throw alreadyExists(`Cannot reset account "${account}": its fixture's token "${token}" now belongs to account "${owner}". Reset that account first (POST /_emulator/reset?account=${owner}), or reset everything.`)
        }
      }
      await runStepsInTransaction(app.db, app.state.replaceSteps(start, { onlyAccount: account }))
      app.renderings.clearAccount(account)
      app.quotas.clear(account)
    })
    return {}
  })

  // The request journal (src/plugins/journal.ts): what the API was asked, newest last.
  // A page at a time (pageSize, pageToken), each bounded in entries and in characters.
  app.get('/_emulator/requests', { config: { queryParams: ['account', 'method', 'status', 'since', 'pageSize', 'pageToken'], compact: true, ungated: true } }, async (request) => {
    const query = request.query as Record<string, string | string[]>
    const filter = parseJournalFilter(query)
    if (typeof filter === 'string') throw invalidArgument(filter)
    const page = parseJournalPage(query, filter)
    if (typeof page === 'string') throw invalidArgument(page)
    const found = app.journal.page(filter, page.size, page.after, request.sys.pretty ? 2 : undefined)
    const out: { requests: JournalEntry[], nextPageToken?: string } = { requests: found.entries }
    if (found.after !== undefined) out.nextPageToken = pageToken(found.after, page.params)
    return out
  })
  app.delete('/_emulator/requests', { config: { queryParams: [], compact: true, ungated: true } }, async () => {
    app.journal.clear()
    return {}
  })

  // Photos (BEHAVIOUR.md §4: the URLs are the emulator's, chosen): an uploaded one by its id,
  // and for any other name the default photo every contact shows.
  app.get(PHOTOS_ROUTE, { config: { queryParams: [], compact: true } }, async (request, reply) => {
    const uploaded = app.contacts.photo((request.params as { file: string }).file)
    return reply.header('content-type', uploaded?.contentType ?? 'image/png').header('cache-control', 'public, max-age=86400')
      .send(uploaded?.bytes ?? DEFAULT_PHOTO)
  })

  // The emulator clock: read (GET, or POST {}), advance ({"advance": "90s"}) or set
  // ({"set": "2026-01-01T00:00:00Z"}) — forward only.
  const clockState = (): Record<string, string> => ({ now: formatTime(app.clock.peek()), mode: app.clock.mode.kind })
  app.get('/_emulator/clock', { config: { queryParams: [], compact: true } }, async () => clockState())
  app.post('/_emulator/clock', { config: { queryParams: [], compact: true } }, async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    for (const key of Object.keys(body)) {
      if (key !== 'advance' && key !== 'set') throw invalidArgument(`Unknown clock field "${key}": use "advance" (e.g. "90s", "7d") or "set" (an RFC 3339 time).`)
    }
    if (body.advance !== undefined && body.set !== undefined) throw invalidArgument('Give "advance" or "set", not both.')
    if (body.advance !== undefined) {
      const micros = typeof body.advance === 'string' ? parseDuration(body.advance) : undefined
      if (micros === undefined) throw invalidArgument(`Invalid clock advance ${renderValue(body.advance)}: expected a duration such as "500ms", "90s", "30m", "2h" or "7d".`)
      const pastTheEnd = (): ApiError => invalidArgument(`Invalid clock advance ${renderValue(body.advance)}: the emulator clock cannot go past ${LATEST_TIME}.`)
      if (!inClockRange(app.clock.peek() + micros)) throw pastTheEnd()
      try {
        app.clock.advance(micros)
      } catch (err) {
        // A system clock that has moved on since the check, to just past the end.
        if (err instanceof ClockRangeError) throw pastTheEnd()
        throw err
      }
    }
    if (body.set !== undefined) {
      const micros = typeof body.set === 'string' ? parseTime(body.set) : undefined
      if (micros === undefined) throw invalidArgument(`Invalid clock time ${renderValue(body.set)}: expected an RFC 3339 time such as "2026-01-01T00:00:00Z".`)
      if (!inClockRange(micros)) throw invalidArgument(`Invalid clock time ${renderValue(body.set)}: the emulator clock stays between 1970-01-01T00:00:00Z and ${LATEST_TIME}.`)
      if (micros < app.clock.peek()) throw failedPrecondition(`The emulator clock cannot go backwards: ${body.set} is before ${formatTime(app.clock.peek())}.`)
      app.clock.set(micros)
    }
    // Tombstones the move has aged past a sync token's lifetime go now.
    app.pruneTombstones()
    return clockState()
  })

  // Rendered a slice at a time: a full emulator's export takes seconds, and other requests
  // (health among them) are served between slices.
  app.get('/_emulator/export', { config: { queryParams: [], compact: true } }, async (request) =>
    await runStepsAsync(fixtureDocumentSteps(app.state.exportState(), baseUrl(request))))

  app.post('/_emulator/import', { config: { queryParams: [], compact: true }, bodyLimit: app.config.maxStorageMiB * 2 * 1024 * 1024 }, async (request) => {
    // Checked before any work: what the document holds, and what the emulator would then hold.
    let size
    try {
      size = documentSize(request.body)
    } catch (err) {
      if (err instanceof FixtureError) throw invalidArgument(`Invalid fixture document: ${err.message}`)
      throw err
    }
    const afterImport = (): number => app.contacts.total() - size.accounts.reduce((n, id) => n + app.contacts.count(id), 0) + size.contacts
    const checkRoom = (): void => {
      if (afterImport() > MAX_CONTACTS_IN_EMULATOR) throw invalidArgument(`Invalid fixture document: the emulator would hold ${afterImport()} contacts, more than the ${MAX_CONTACTS_IN_EMULATOR} it may hold.`)
    }
    checkRoom()
    // Checking the document takes a few milliseconds a slice; requests are served between slices.
    // An account may name a domain the emulator holds already, without declaring it again.
    const parseOptions = { knownDomain: (domain: string) => app.state.domainExists(domain) }
    let accounts: StoredAccount[]
    let domains: StoredDomain[]
    try {
      ({ accounts, domains } = await parseFixtureDocumentAsync(request.body, app.clock, app.random, parseOptions))
    } catch (err) {
      if (err instanceof FixtureError) throw invalidArgument(`Invalid fixture document: ${err.message}`)
      throw err
    }
    // Storing it has the database to itself; requests wait before their handlers meanwhile.
    await app.exclusive(async () => {
      checkRoom()
      // A token belongs to one account: one the document does not replace keeps its tokens.
      const replaced = new Set(accounts.map(a => a.id))
      accounts.forEach((a, i) => a.tokens.forEach((t, j) => {
        const owner = app.state.findToken(t.token)
        if (owner && !replaced.has(owner.accountId)) {
          throw invalidArgument(`Invalid fixture document: accounts[${i}].tokens[${j}].token: token "${t.token}" already belongs to account "${owner.accountId}"`)
        }
      }))
      // The domains an account names still exist (a whole reset may have removed them since the check).
      const declared = new Set(domains.map(d => d.domain))
      try {
        accounts.forEach((a, i) => {
          if (a.domain !== null) checkAccountDomain(a.domain, `accounts[${i}].domain`, d => declared.has(d) || app.state.domainExists(d))
        })
      } catch (err) {
        if (err instanceof FixtureError) throw invalidArgument(`Invalid fixture document: ${err.message}`)
        throw err
      }
      await runStepsInTransaction(app.db, app.state.replaceSteps(accounts, undefined, domains))
      app.renderings.clear()
    })
    return domains.length > 0 ? { domains: domains.map(d => d.domain), accounts: accounts.map(a => a.id) } : { accounts: accounts.map(a => a.id) }
  })

  // People who are not contacts come and go as production's do (an email exchanged, a colleague
  // hired or gone): added and removed here, each a change that the next sync lists (BEHAVIOUR.md
  // §14, §15 chosen).
  const allFields = new Set(PERSON_FIELDS)
  const kinds: Record<string, { sourceType: OtherSourceType, prefix: string, plural: string }> = {
    otherContacts: { sourceType: 'OTHER_CONTACT', prefix: 'otherContacts/', plural: 'other contacts' },
    profiles: { sourceType: 'DOMAIN_PROFILE', prefix: 'people/', plural: 'domain profiles' },
    contacts: { sourceType: 'DOMAIN_CONTACT', prefix: 'people/', plural: 'shared domain contacts' }
  }
  /** Whose people a route changes: an account's other contacts, or a domain's directory. */
  const target = (params: Record<string, string>): { store: OtherPeopleStore, owner: string, exists: boolean, name: string, what: string } => params.account !== undefined
    ? { store: app.otherContacts, owner: params.account, exists: app.state.accountExists(params.account), name: `Account "${params.account}"`, what: `Account "${params.account}" was not found: import it, or make one write with its token first.` }
    : { store: app.directory, owner: params.domain!, exists: app.state.domainExists(params.domain!), name: `Domain "${params.domain!}"`, what: `Domain "${params.domain!}" was not found: import it first.` }

  const addPerson = async (request: FastifyRequest, kind: string): Promise<Record<string, unknown>> => {
    const t = target(request.params as Record<string, string>)
    if (!t.exists) throw notFound(t.what)
    if (app.storage.full()) throw storageFull(app.config.maxStorageMiB)
    const { sourceType, plural } = kinds[kind]!
    let person
    try {
      person = readOtherPerson(request.body ?? {}, sourceType, app.clock, app.random)
    } catch (err) {
      if (err instanceof FixtureError) throw invalidArgument(`Invalid person: ${err.message}`)
      throw err
    }
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
  app.post('/_emulator/accounts/:account/otherContacts', settings, async (request) => await addPerson(request, 'otherContacts'))
  app.delete('/_emulator/accounts/:account/otherContacts/:id', settings, async (request) => await removePerson(request, 'otherContacts'))
  for (const kind of ['profiles', 'contacts']) {
    app.post(`/_emulator/domains/:domain/${kind}`, settings, async (request) => await addPerson(request, kind))
    app.delete(`/_emulator/domains/:domain/${kind}/:id`, settings, async (request) => await removePerson(request, kind))
  }
}
