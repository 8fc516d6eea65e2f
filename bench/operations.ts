/**
 * The operations the bench measures, each as a real client sends it (bench/run.ts), and how each
 * is run against the emulator and against the baseline (bench/baseline.mjs) with the same answer.
 */
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AUTHORIZATION, headersOf, load, ORIGIN, SLOTS, type Request, type Result, type Slot } from './load.js'

/** Values never sent before, across every run of the bench. */
let serial = 0
/** Area codes of US numbers (all valid, so every number gets its canonicalForm). */
export const AREAS = [212, 415, 617, 312, 206, 303, 512, 702]
/** A valid US phone number not sent before, written as people type them. */
export function phone (n: number): string {
  const line = String(n % 10000).padStart(4, '0')
  const exchange = 200 + Math.floor(n / 10000) % 790
  const area = AREAS[Math.floor(n / 7_900_000) % AREAS.length]!
  return `+1 ${area} ${exchange} ${line}`
}

/** A realistic edit: the name, both email addresses and the phone number all new. */
export function personEdit (etag?: string): string {
  const n = ++serial
  return JSON.stringify({
    ...(etag === undefined ? {} : { etag }),
    names: [{ givenName: `Ada ${n}`, familyName: 'Lovelace' }],
    emailAddresses: [{ value: `ada.${n}@example.com`, type: 'home' }, { value: `a.lovelace.${n}@example.org`, type: 'work' }],
    phoneNumbers: [{ value: phone(n), type: 'mobile' }]
  })
}
export const nameEdit = (etag?: string): string => JSON.stringify({ etag, names: [{ givenName: `Ada ${++serial}`, familyName: 'Lovelace' }] })
export const groupEdit = (slot: Slot): string => JSON.stringify({ contactGroup: { etag: slot.etag, name: `Group ${slot.index} v${++serial}` } })

export const contact = (index: number): string => `people/c${1000000 + index}`
export const group = (index: number): string => `contactGroups/${(0xb000 + index).toString(16)}`
export const GET_FIELDS = 'names,emailAddresses,phoneNumbers,organizations,memberships,metadata'

/** An operation as the emulator serves it; the baseline has a route of the same kind for it. */
export interface Operation {
  /** What BENCH_ONLY names it by. */
  name: string
  /** Its row in the table. */
  label: string
  request: (slot: Slot) => Request
  /** The baseline's route: how it puts the request's values in its captured answer. */
  kind: 'person' | 'group' | 'static'
  /** The status every request must get. */
  expect: number
  /** The resource (as a GET path with a read mask) whose etag a slot's first request carries. */
  etagOf?: (index: number) => string
  /** Work before each run against the emulator (not measured). */
  before?: (url: string) => Promise<void>
  /** The least ratio to the baseline wanted. */
  target?: number
}

export async function resetEmulator (url: string): Promise<void> {
  const reset = await fetch(`${url}/_emulator/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } })
  if (reset.status !== 200) throw new Error(`reset: ${reset.status}`)
}

export const OPERATIONS: Operation[] = [
  {
    name: 'updateContact',
    label: 'updateContact',
    kind: 'person',
    expect: 200,
    target: 0.5,
    etagOf: i => `${contact(i)}?personFields=names`,
    request: slot => ({ method: 'PATCH', path: `/v1/${contact(slot.index)}:updateContact?updatePersonFields=names,emailAddresses,phoneNumbers`, body: personEdit(slot.etag) })
  },
  {
    name: 'people.get',
    label: 'people.get',
    kind: 'person',
    expect: 200,
    target: 0.8,
    request: slot => ({ method: 'GET', path: `/v1/${contact(slot.index)}?personFields=${GET_FIELDS}` })
  },
  {
    name: 'createContact',
    label: 'createContact',
    kind: 'person',
    expect: 200,
    target: 0.35,
    // One account per slot: a single account would reach Google's 25,000-contact limit within
    // seconds. Each run starts from the start fixtures (a reset, not measured): the runs
    // together would pass the 100,000 contacts the emulator holds at most.
    before: resetEmulator,
    request: slot => ({ method: 'POST', path: '/v1/people:createContact', body: personEdit(), token: `bench-create-${slot.index}` })
  },
  {
    name: 'contactGroups.update',
    label: 'contactGroups.update',
    kind: 'group',
    expect: 200,
    target: 0.5,
    etagOf: i => group(i),
    request: slot => ({ method: 'PUT', path: `/v1/${group(slot.index)}`, body: groupEdit(slot) })
  },
  {
    name: 'connections.list',
    label: 'connections.list (pages of 100)',
    kind: 'static',
    expect: 200,
    request: () => ({ method: 'GET', path: '/v1/people/me/connections?personFields=names,emailAddresses,phoneNumbers,metadata&pageSize=100' })
  },
  {
    name: 'cors',
    label: 'people.get with an Origin (CORS)',
    kind: 'person',
    expect: 200,
    request: slot => ({ method: 'GET', path: `/v1/${contact(slot.index)}?personFields=${GET_FIELDS}`, headers: { origin: ORIGIN } })
  },
  {
    name: 'preflight',
    label: 'CORS preflight of updateContact (OPTIONS)',
    kind: 'static',
    expect: 200,
    request: slot => ({ method: 'OPTIONS', path: `/v1/${contact(slot.index)}:updateContact?updatePersonFields=names`, headers: { origin: ORIGIN, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type' } })
  },
  {
    name: 'updateContact-compact',
    label: 'updateContact, names only, prettyPrint=false',
    kind: 'person',
    expect: 200,
    etagOf: i => `${contact(i)}?personFields=names`,
    request: slot => ({ method: 'PATCH', path: `/v1/${contact(slot.index)}:updateContact?updatePersonFields=names&personFields=names,emailAddresses,phoneNumbers,metadata&prettyPrint=false`, body: nameEdit(slot.etag) })
  },
  {
    name: 'people.get-compact',
    label: 'people.get, prettyPrint=false',
    kind: 'person',
    expect: 200,
    request: slot => ({ method: 'GET', path: `/v1/${contact(slot.index)}?personFields=names,emailAddresses,phoneNumbers,metadata&prettyPrint=false` })
  }
]

/** The current etag of each slot's resource, so that its first request is a real update too. */
export async function currentEtags (url: string, path: (slot: number) => string): Promise<string[]> {
  return await Promise.all(Array.from({ length: SLOTS }, async (_, slot) => {
    const res = await fetch(`${url}/v1/${path(slot)}`, { headers: { authorization: AUTHORIZATION } })
    if (!res.ok) throw new Error(`cannot read ${path(slot)}: ${res.status}`)
    return ((await res.json()) as { etag: string }).etag
  }))
}

/** One run of an operation against the emulator. */
export async function runEmulator (op: Operation, url: string, seconds: number): Promise<Result> {
  await op.before?.(url)
  const etags = op.etagOf === undefined ? undefined : await currentEtags(url, op.etagOf)
  return await load(seconds, url, op.request, op.expect, op.etagOf !== undefined, etags)
}

/** The baseline's path for an operation: one route per operation. */
export const basePath = (op: Operation): string => `/b/${OPERATIONS.indexOf(op)}`

export async function runBaseline (op: Operation, url: string, seconds: number): Promise<Result> {
  return await load(seconds, url, slot => ({ ...op.request(slot), path: `${basePath(op)}/${slot.index}` }), op.expect, op.etagOf !== undefined)
}

/**
 * The baseline's routes, in a file for its command line: each operation's answer as the
 * emulator gives it (one request, on a slot's resource, before the runs), or the headers of
 * an answer without a body (the preflight's).
 */
export async function captureRoutes (url: string, ops: Operation[]): Promise<string[]> {
  const routes: unknown[] = []
  for (const op of ops) {
    await op.before?.(url)
    const slot: Slot = { index: 0, etag: op.etagOf === undefined ? undefined : (await currentEtags(url, op.etagOf))[0] }
    const r = op.request(slot)
    const res = await fetch(url + r.path, { method: r.method, headers: headersOf(r), body: r.body })
    const text = await res.text()
    if (res.status !== op.expect) throw new Error(`${op.label}: ${res.status} ${text.slice(0, 300)}`)
    const route: Record<string, unknown> = { method: r.method, path: `${basePath(op)}/:id`, kind: op.kind, status: res.status }
    if (text === '') {
      route.headers = Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'))
    } else {
      route.answer = JSON.parse(text)
      route.indent = text.startsWith('{\n') ? 2 : 0
    }
    if (op.name === 'updateContact' && (route.answer as { phoneNumbers?: Array<{ canonicalForm?: string }> }).phoneNumbers?.[0]?.canonicalForm === undefined) {
      throw new Error('updateContact: the phone numbers sent must be valid ones (the answer has no canonicalForm)')
    }
    routes.push(route)
  }
  const file = join(mkdtempSync(join(tmpdir(), 'pae-bench-routes-')), 'routes.json')
  writeFileSync(file, JSON.stringify(routes))
  return [file]
}
