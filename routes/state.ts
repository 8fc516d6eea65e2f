/**
 * The state as a whole, part of the control plane: reset (everything, or one account, back to
 * the start fixtures), export (the state as a fixture document) and import (a fixture document's
 * accounts and domains replace those of theirs the emulator holds). Registered inside
 * routes/emulator.ts, under its guard.
 */
import type { FastifyInstance } from 'fastify'
import { alreadyExists, invalidArgument, notFound } from '../src/errors.js'
import { checkAccountDomain, documentSize, fixtureDocumentSteps, fixtureInput, parseFixtureDocumentAsync } from '../src/fixtures/fixture.js'
import { MAX_CONTACTS_IN_EMULATOR } from '../src/limits.js'
import { runStepsAsync, runStepsInTransaction } from '../src/steps.js'
import { baseUrl } from '../src/http.js'
import { accountEmail, type StoredAccount } from '../db/model.js'

const INVALID_DOCUMENT = 'Invalid fixture document'

export default async function stateRoutes (app: FastifyInstance): Promise<void> {
  // Under /_emulator/: the control plane's route group (routes/emulator.ts).
  const routes = app.controlRoutes
  /** What of an account's sign-in (its address, a refresh token) another account holds — one `other` says is not being replaced. */
  const signInConflict = (a: Omit<StoredAccount, 'contacts'>, other: (id: string) => boolean): { path: string, what: string, owner: string } | undefined => {
    const address = accountEmail(a)
    const owner = app.accounts.accountByEmail(address)
    if (owner !== undefined && other(owner)) return { path: 'email', what: `sign-in address "${address}"`, owner }
    for (const [i, g] of (a.grants ?? []).entries()) {
      for (const [j, r] of g.refreshTokens.entries()) {
        const holder = app.accounts.refreshTokenOwner(r.token)
        if (holder !== undefined && other(holder)) return { path: `grants[${i}].refreshTokens[${j}].token`, what: `refresh token "${r.token}"`, owner: holder }
      }
    }
    return undefined
  }

  routes.post('/_emulator/reset', { config: { queryParams: ['account'], compact: true } }, async (request) => {
    const { account } = request.query as { account?: string }
    if (account === undefined) {
      await app.exclusive(async () => {
        // The first whole reset replaces everything and keeps an image of the state it gave;
        // the next ones write only what differs from that image (db/snapshots.ts).
        const image = app.snapshots.resetImage()
        if (image !== undefined) {
          await runStepsInTransaction(app.db, app.accounts.resetFromImageSteps(app.snapshots.replaceRows(image)))
          app.contacts.scheduleSearchIndex()
        } else {
          await runStepsInTransaction(app.db, app.accounts.replaceSteps(app.startAccounts(), {}, app.startDomains(), app.startClients()))
          app.snapshots.saveResetImage()
        }
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
      if (start.length === 0 && !app.accounts.accountExists(account)) throw notFound(`Account "${account}" was not found.`)
      // A token of the fixture that another account holds now (an import moved it, or an
      // undeclared account took it): resetting would give it two owners. Nothing is changed.
      for (const { token } of start[0]?.tokens ?? []) {
        const owner = app.accounts.findToken(token)?.accountId
        if (owner !== undefined && owner !== account) {
          throw alreadyExists(`Cannot reset account "${account}": its fixture's token "${token}" now belongs to account "${owner}". Reset that account first (POST /_emulator/reset?account=${owner}), or reset everything.`)
        }
      }
      // The same for its sign-in address and its refresh tokens (src/fixtures/oauth.ts).
      const taken = start[0] === undefined ? undefined : signInConflict(start[0], id => id !== account)
      if (taken !== undefined) {
        throw alreadyExists(`Cannot reset account "${account}": its fixture's ${taken.what} now belongs to account "${taken.owner}". Reset that account first (POST /_emulator/reset?account=${taken.owner}), or reset everything.`)
      }
      await runStepsInTransaction(app.db, app.accounts.replaceSteps(start, { onlyAccount: account }))
      app.renderings.clearAccount(account)
      app.quotas.clear(account)
    })
    return {}
  })

  // Rendered a slice at a time: a full emulator's export takes seconds, and other requests
  // (health among them) are served between slices.
  routes.get('/_emulator/export', { config: { queryParams: [], compact: true } }, async (request) =>
    await runStepsAsync(fixtureDocumentSteps(app.accounts.exportState(), baseUrl(request))))

  routes.post('/_emulator/import', { config: { queryParams: [], compact: true }, bodyLimit: app.config.maxStorageMiB * 2 * 1024 * 1024 }, async (request) => {
    // Checked before any work: what the document holds, and what the emulator would then hold.
    const size = await fixtureInput(INVALID_DOCUMENT, () => documentSize(request.body))
    const afterImport = (): number => app.contacts.total() - size.accounts.reduce((n, id) => n + app.contacts.count(id), 0) + size.contacts
    const checkRoom = (): void => {
      if (afterImport() > MAX_CONTACTS_IN_EMULATOR) throw invalidArgument(`${INVALID_DOCUMENT}: the emulator would hold ${afterImport()} contacts, more than the ${MAX_CONTACTS_IN_EMULATOR} it may hold.`)
    }
    checkRoom()
    // Checking the document takes a few milliseconds a slice; requests are served between slices.
    // An account may name a domain the emulator holds already, without declaring it again.
    const parseOptions = { knownDomain: (domain: string) => app.accounts.domainExists(domain) }
    const { accounts, domains, clients } = await fixtureInput(INVALID_DOCUMENT, async () => await parseFixtureDocumentAsync(request.body, app.clock, app.random, parseOptions))
    // Storing it has the database to itself; requests wait before their handlers meanwhile.
    await app.exclusive(async () => {
      checkRoom()
      // A token belongs to one account: one the document does not replace keeps its tokens.
      const replaced = new Set(accounts.map(a => a.id))
      accounts.forEach((a, i) => a.tokens.forEach((t, j) => {
        const owner = app.accounts.findToken(t.token)
        if (owner && !replaced.has(owner.accountId)) {
          throw invalidArgument(`${INVALID_DOCUMENT}: accounts[${i}].tokens[${j}].token: token "${t.token}" already belongs to account "${owner.accountId}"`)
        }
      }))
      // So do a sign-in address and a refresh token.
      accounts.forEach((a, i) => {
        const taken = signInConflict(a, id => !replaced.has(id))
        if (taken !== undefined) throw invalidArgument(`${INVALID_DOCUMENT}: accounts[${i}].${taken.path}: the ${taken.what} already belongs to account "${taken.owner}"`)
      })
      // The domains an account names still exist (a whole reset may have removed them since the check).
      const declared = new Set(domains.map(d => d.domain))
      await fixtureInput(INVALID_DOCUMENT, () => {
        accounts.forEach((a, i) => {
          if (a.domain !== null) checkAccountDomain(a.domain, `accounts[${i}].domain`, d => declared.has(d) || app.accounts.domainExists(d))
        })
      })
      await runStepsInTransaction(app.db, app.accounts.replaceSteps(accounts, undefined, domains, clients))
      app.renderings.clear()
    })
    return domains.length > 0 ? { domains: domains.map(d => d.domain), accounts: accounts.map(a => a.id) } : { accounts: accounts.map(a => a.id) }
  })
}
