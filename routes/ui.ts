/**
 * The web UI (`/_emulator/ui`, docs/control-plane.md "Web UI"): its pages and assets, and the control-plane
 * reads it shows — the accounts with their counts, and one account's contacts, groups, other
 * contacts and directory as the API renders them. Registered inside routes/emulator.ts, under
 * its guard: same host rules, no cross-origin use. The pages and assets hold no data, so they
 * need no control token (a browser's navigation cannot send one); every read of data does, and
 * the page asks for it once (ui/ says how).
 *
 * The assets are built by `npm run build` (scripts/build.mjs, esbuild) into dist/ui and read on
 * first use, not at start-up.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Cursor, OtherSourceType } from '../db/model.js'
import { invalidArgument, notFound, unavailable } from '../src/errors.js'
import { baseUrl } from '../src/http.js'
import { packageRoot } from '../src/package-info.js'
import { PERSON_FIELDS } from '../src/people/fields.js'
import { renderOtherPerson } from '../src/people/other-people.js'
import { renderPerson } from '../src/people/render.js'
import { renderGroup } from '../src/groups/render.js'
import { contactResourceName } from '../src/ids.js'
import { pageToken, paramsHash, readPageToken } from '../src/tokens.js'
import { tokenDigest } from '../src/plugins/journal.js'

/** The UI's pages: one HTML shell, each path a deep link the page's script shows. */
export const UI_PAGES = ['/_emulator/ui', '/_emulator/ui/', '/_emulator/ui/journal', '/_emulator/ui/faults', '/_emulator/ui/state', '/_emulator/ui/accounts/:account']

const ASSETS = new Map([
  ['app.js', 'text/javascript; charset=utf-8'],
  ['app.css', 'text/css; charset=utf-8']
])

/**
 * What a browser may do with the UI's pages: its own scripts, styles and requests only, never
 * framed by another page, no referrer sent.
 */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache'
}

const SHELL = Buffer.from(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>People API emulator</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/_emulator/ui/assets/app.css">
<script type="module" src="/_emulator/ui/assets/app.js"></script>
</head>
<body>
<div id="app"><noscript>The emulator's web UI needs JavaScript. The same data: GET /_emulator/accounts, /_emulator/requests, /_emulator/export.</noscript></div>
</body>
</html>
`)

const GROUP_FIELDS = new Set(['clientData', 'groupType', 'memberCount', 'metadata', 'name'])
const ALL_PERSON_FIELDS = new Set(PERSON_FIELDS)
const OTHER_CONTACT: OtherSourceType[] = ['OTHER_CONTACT']
const DIRECTORY: OtherSourceType[] = ['DOMAIN_PROFILE', 'DOMAIN_CONTACT']
/** The most other contacts or directory people one account read shows (chosen). */
const MAX_PEOPLE_SHOWN = 1000
const DEFAULT_CONTACTS_PAGE = 100
const MAX_CONTACTS_PAGE = 1000

/** Whether a string of a stored value (at any depth) contains `filter` (lower case), case-insensitively. */
function containsText (value: unknown, filter: string): boolean {
  if (typeof value === 'string') return value.toLowerCase().includes(filter)
  if (value === null || typeof value !== 'object') return false
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (containsText(v, filter)) return true
  return false
}

const isCursor = (c: unknown): c is Cursor => Array.isArray(c) && c.length === 2 && typeof c[0] === 'string' && typeof c[1] === 'string'

// Long as a list of routes is: each route is a few lines of its own, registered one after another.
export default async function uiRoutes (app: FastifyInstance): Promise<void> {
  // Under /_emulator/: the control plane's route group (routes/emulator.ts).
  const routes = app.controlRoutes
  const assets = new Map<string, Buffer>()
  /** An asset's bytes, read once; undefined when the UI was not built. */
  const asset = (name: string): Buffer | undefined => {
    let bytes = assets.get(name)
    if (bytes === undefined) {
      try {
        bytes = readFileSync(join(packageRoot, 'dist', 'ui', name))
      } catch {
        return undefined
      }
      assets.set(name, bytes)
    }
    return bytes
  }
  // The pages' own parameters (read by the page's script): an account's contact filter, the
  // journal's filters.
  const page = { config: { queryParams: ['filter', 'account', 'method', 'status'], compact: true, ungated: true, page: true } }
  const sendPage = (reply: FastifyReply, type: string, bytes: Buffer): FastifyReply => reply.headers(PAGE_HEADERS).header('content-type', type).send(bytes)

  for (const url of UI_PAGES) {
    routes.get(url, page, async (_request, reply) => {
      if (asset('app.js') === undefined) throw notBuilt()
      return sendPage(reply, 'text/html; charset=utf-8', SHELL)
    })
  }
  routes.get('/_emulator/ui/assets/:file', { config: { queryParams: [], compact: true, ungated: true, page: true } }, async (request, reply) => {
    const { file } = request.params as { file: string }
    const type = ASSETS.get(file)
    if (type === undefined) throw notFound(`The web UI has no asset "${file}".`)
    const bytes = asset(file)
    if (bytes === undefined) throw notBuilt()
    return sendPage(reply, type, bytes)
  })

  // An account as the journal names it: an undeclared account's id is its token, shown by its digest.
  const accountName = (a: { id: string, declared: boolean }): string => a.declared ? a.id : tokenDigest(a.id)

  // The accounts and domains, each with what it holds.
  routes.get('/_emulator/accounts', { config: { queryParams: [], compact: true } }, async () => {
    const otherCounts = (id: string): number => app.otherContacts.count(id, OTHER_CONTACT)
    return {
      accounts: app.accounts.listAccounts().map(a => ({
        id: a.id,
        name: accountName(a),
        declared: a.declared,
        domain: a.domain,
        createdTime: a.createdTime,
        tokens: a.tokens.map(t => t.token),
        contacts: app.contacts.count(a.id),
        contactGroups: app.groups.list(a.id).length,
        otherContacts: otherCounts(a.id)
      })),
      domains: app.accounts.listDomains().map(d => ({ domain: d.domain, createdTime: d.createdTime, people: app.directory.count(d.domain, DIRECTORY) }))
    }
  })

  // One account: its groups with their member counts, its other contacts and its domain's
  // directory, rendered with every field as the API renders them.
  routes.get('/_emulator/accounts/:account', { config: { queryParams: [], compact: true } }, async (request) => {
    const { account } = request.params as { account: string }
    const found = app.accounts.accountSummary(account)
    if (found === undefined) throw notFound(`Account "${account}" was not found.`)
    const ctx = { baseUrl: baseUrl(request) }
    const people = (store: typeof app.otherContacts, owner: string, types: OtherSourceType[]): { people: Array<Record<string, unknown>>, total: number } => ({
      people: store.page(owner, types, 0, MAX_PEOPLE_SHOWN).map(p => renderOtherPerson(p.person, ALL_PERSON_FIELDS, ctx)),
      total: store.count(owner, types)
    })
    const others = people(app.otherContacts, account, OTHER_CONTACT)
    const out: Record<string, unknown> = {
      id: found.id,
      name: accountName(found),
      declared: found.declared,
      domain: found.domain,
      createdTime: found.createdTime,
      tokens: found.tokens.map(t => t.token),
      contacts: app.contacts.count(account),
      contactGroups: app.groups.list(account).map(g => renderGroup(g, GROUP_FIELDS)),
      otherContacts: others.people,
      otherContactsTotal: others.total
    }
    if (found.domain !== null) {
      const directory = people(app.directory, found.domain, DIRECTORY)
      out.directory = directory.people
      out.directoryTotal = directory.total
    }
    return out
  })

  // One account's contacts by first name, a page at a time; `filter` keeps those with a value
  // (any text of the contact: names, emails, phone numbers, organizations…) or resource name
  // containing it, case-insensitively.
  routes.get('/_emulator/accounts/:account/contacts', { config: { queryParams: ['filter', 'pageSize', 'pageToken'], compact: true } }, async (request) => {
    const { account } = request.params as { account: string }
    const query = request.query as Record<string, string | string[] | undefined>
    for (const name of ['filter', 'pageSize', 'pageToken']) {
      if (Array.isArray(query[name])) throw invalidArgument(`The parameter "${name}" may be given once.`)
    }
    if (!app.accounts.accountExists(account)) throw notFound(`Account "${account}" was not found.`)
    const filter = ((query.filter as string | undefined) ?? '').trim().toLowerCase()
    const sizeText = query.pageSize as string | undefined
    if (sizeText !== undefined && !/^\d{1,4}$/.test(sizeText)) throw invalidArgument(`Invalid pageSize ${JSON.stringify(sizeText)}: expected a number from 1 to ${MAX_CONTACTS_PAGE}.`)
    const size = sizeText === undefined ? DEFAULT_CONTACTS_PAGE : Number(sizeText)
    if (size < 1 || size > MAX_CONTACTS_PAGE) throw invalidArgument(`Invalid pageSize ${size}: expected a number from 1 to ${MAX_CONTACTS_PAGE}.`)
    // A page token is bound to the filter and page size it was issued for (src/tokens.ts).
    const params = paramsHash({ filter, size })
    let cursor = query.pageToken === undefined || query.pageToken === '' ? undefined : readPageToken(query.pageToken as string, params, isCursor).cursor
    const ctx = { baseUrl: baseUrl(request) }
    const shown: Array<Record<string, unknown>> = []
    let next: Cursor | undefined
    // Slices of the store until the page is full (one more match tells whether another page follows).
    for (;;) {
      const rows = app.contacts.page(account, 'FIRST_NAME_ASCENDING', cursor, 500)
      for (const row of rows) {
        if (filter !== '' && !contactResourceName(row.contact.id).includes(filter) && !containsText(row.contact.data, filter)) continue
        if (shown.length === size) { next = cursor; break }
        shown.push(renderPerson(row.contact, ALL_PERSON_FIELDS, ctx))
        cursor = row.cursor
      }
      if (next !== undefined || rows.length < 500) break
      cursor = rows[rows.length - 1]!.cursor
      // A filter that matches few contacts reads the whole account (~150 ms at 20,000): other
      // requests are served between slices of 500.
      await new Promise(resolve => setImmediate(resolve))
    }
    const out: Record<string, unknown> = { contacts: shown, total: app.contacts.count(account) }
    if (next !== undefined) out.nextPageToken = pageToken(next, params)
    return out
  })
}

const notBuilt = (): Error => unavailable('The web UI is not built: run `npm run build` (it writes dist/ui).')
