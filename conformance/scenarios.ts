/**
 * The parity scenarios: the project's conformance rules that need no control plane, run
 * against any People API endpoint — the emulator, or people.googleapis.com with a real token —
 * over plain HTTP, so that what is compared is the wire itself. Each scenario creates what it
 * needs under a name of its run (`Parity <run id>`), checks what the endpoint answers against
 * what FIDELITY.md says Google answers, and leaves the resources it created to the cleanup
 * (conformance/parity.ts), which deletes them and confirms they are gone.
 *
 * A check that fails does not stop its scenario: it is reported as a difference (expected,
 * got) with the evidence behind the expectation — `documented`, `observed`, or `chosen` (the
 * emulator's choice where Google's behaviour is unknown: a difference there is news).
 */

export type Evidence = 'documented' | 'observed' | 'chosen'

export interface Difference {
  check: string
  evidence: Evidence
  expected: unknown
  got: unknown
}

export interface Response {
  status: number
  contentType: string
  text: string
  /** The parsed body, or undefined when it is not JSON. */
  json: any
}

export interface CallOptions {
  query?: Record<string, string | string[] | boolean | number | undefined>
  body?: unknown
  /** Send the body as this exact text (a malformed body). */
  rawBody?: string
  headers?: Record<string, string>
  /** false: no Authorization header. */
  auth?: boolean
}

/** A scenario stopped because a step it needs failed (the difference is already recorded). */
export class Abort extends Error {}

export class Context {
  readonly differences: Difference[] = []
  /** Resource names to delete at the end: contacts and contact groups. */
  readonly created: { contacts: Set<string>, groups: Set<string> }

  constructor (readonly rootUrl: string, private readonly token: string, readonly runId: string, created: Context['created'], readonly pollMs: number) {
    this.created = created
  }

  async call (method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const url = new URL(path.replace(/^\//, ''), this.rootUrl)
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v))
    }
    const headers: Record<string, string> = { ...options.headers }
    if (options.auth !== false) headers.authorization = `Bearer ${this.token}`
    let payload: string | undefined
    if (options.rawBody !== undefined || options.body !== undefined) {
      headers['content-type'] ??= 'application/json'
      payload = options.rawBody ?? JSON.stringify(options.body)
    }
    const res = await fetch(url, { method, headers, body: payload })
    const text = await res.text()
    let json: any
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json }
  }

  /** Records a difference unless `got` equals `expected` (deeply, as JSON). */
  equal (check: string, got: unknown, expected: unknown, evidence: Evidence = 'documented'): boolean {
    if (JSON.stringify(got) === JSON.stringify(expected)) return true
    this.differences.push({ check, evidence, expected, got })
    return false
  }

  /** Records a difference unless `ok`; `got` describes what was seen. */
  ok (check: string, ok: boolean, got: unknown, expected: unknown, evidence: Evidence = 'documented'): boolean {
    if (!ok) this.differences.push({ check, evidence, expected, got })
    return ok
  }

  /** A step the rest of the scenario needs: a 2xx answer, or the scenario stops here. */
  need (check: string, res: Response): any {
    if (res.status >= 200 && res.status < 300) return res.json
    this.differences.push({ check, evidence: 'documented', expected: '2xx', got: `${res.status} ${res.text.slice(0, 500)}` })
    throw new Abort(check)
  }

  /** An error answer: its HTTP status, canonical status, and (when given) message. */
  error (check: string, res: Response, status: number, canonical: string, message?: string, evidence: Evidence = 'observed'): void {
    const error = res.json?.error
    this.equal(`${check}: HTTP status`, res.status, status, 'documented')
    this.equal(`${check}: status`, error?.status, canonical, 'documented')
    if (message !== undefined) this.equal(`${check}: message`, error?.message, message, evidence)
  }

  /** Waits for an eventually consistent read (Google's sync): tries `read` until `done`. */
  async poll<T> (read: () => Promise<T>, done: (value: T) => boolean, tries = 10): Promise<T> {
    let value = await read()
    for (let i = 1; i < tries && !done(value); i++) {
      await new Promise(resolve => setTimeout(resolve, this.pollMs))
      value = await read()
    }
    return value
  }

  /** Creates a contact of this run; it is deleted by the cleanup. */
  async createContact (person: Record<string, unknown>, personFields = 'names,emailAddresses,metadata'): Promise<any> {
    const created = this.need('createContact', await this.call('POST', 'v1/people:createContact', { query: { personFields }, body: person }))
    this.created.contacts.add(created.resourceName)
    return created
  }

  /** Creates a contact group of this run; it is deleted by the cleanup. */
  async createGroup (name: string): Promise<any> {
    const created = this.need('contactGroups.create', await this.call('POST', 'v1/contactGroups', { body: { contactGroup: { name } } }))
    this.created.groups.add(created.resourceName)
    return created
  }
}

export interface Scenario {
  name: string
  run: (ctx: Context) => Promise<void>
}

const UPDATE_DOCS = 'Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/updateContact.'

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'updateContact: masked fields are replaced, others kept, and the etag changes',
    async run (ctx) {
      const c = await ctx.createContact({ names: [{ givenName: 'Parity', familyName: ctx.runId }], emailAddresses: [{ value: `parity-${ctx.runId}@example.com` }], biographies: [{ value: 'kept' }] })
      const res = await ctx.call('PATCH', `v1/${c.resourceName as string}:updateContact`, { query: { updatePersonFields: 'names,emailAddresses', personFields: 'names,emailAddresses,biographies' }, body: { etag: c.etag, names: [{ givenName: 'Parity', familyName: `${ctx.runId} updated` }] } })
      const updated = ctx.need('updateContact with the current etag', res)
      ctx.equal('the masked name is replaced', updated.names?.[0]?.familyName, `${ctx.runId} updated`)
      ctx.equal('a masked field absent from the body is cleared', updated.emailAddresses, undefined)
      ctx.equal('a field outside the mask is kept', updated.biographies?.[0]?.value, 'kept')
      ctx.ok('the answer has a new etag', typeof updated.etag === 'string' && updated.etag !== c.etag, updated.etag, 'an etag other than the one sent')
      const again = ctx.need('updateContact with the etag the update answered', await ctx.call('PATCH', `v1/${c.resourceName as string}:updateContact`, { query: { updatePersonFields: 'biographies' }, body: { etag: updated.etag, biographies: [{ value: 'changed' }] } }))
      ctx.equal('the answered etag is the one to send next', again.biographies?.[0]?.value, 'changed')
    }
  },
  {
    name: 'updateContact: the etag is required and must be current',
    async run (ctx) {
      const c = await ctx.createContact({ names: [{ givenName: 'Parity', familyName: ctx.runId }] })
      const path = `v1/${c.resourceName as string}:updateContact`
      const first = ctx.need('updateContact', await ctx.call('PATCH', path, { query: { updatePersonFields: 'names' }, body: { etag: c.etag, names: [{ givenName: 'Parity', familyName: 'once' }] } }))
      ctx.error('a stale etag', await ctx.call('PATCH', path, { query: { updatePersonFields: 'names' }, body: { etag: c.etag, names: [{ givenName: 'x' }] } }),
        400, 'FAILED_PRECONDITION', 'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.')
      ctx.error('no etag', await ctx.call('PATCH', path, { query: { updatePersonFields: 'names' }, body: { names: [{ givenName: 'x' }] } }),
        400, 'INVALID_ARGUMENT', 'Request must set person.etag or person.metadata.sources.etag for the source that is being updated.')
      const source = first.metadata?.sources?.find((s: any) => s.type === 'CONTACT')
      ctx.ok('the answer has a CONTACT source', source !== undefined, first.metadata, 'metadata.sources with a CONTACT source')
      if (source !== undefined) {
        ctx.error('a stale metadata.sources etag', await ctx.call('PATCH', path, { query: { updatePersonFields: 'names' }, body: { metadata: { sources: [{ type: 'CONTACT', id: source.id, etag: '#AAAAAAAAAAA=' }] }, names: [{ givenName: 'x' }] } }),
          400, 'FAILED_PRECONDITION', 'Request person.metadata.sources.etag is different than the current person.metadata.sources.etag. Clear local cache and get the latest person.')
      }
      const after = ctx.need('people.get', await ctx.call('GET', `v1/${c.resourceName as string}`, { query: { personFields: 'names' } }))
      ctx.equal('the refused updates changed nothing', after.names?.[0]?.familyName, 'once')
    }
  },
  {
    name: 'updateContact: the masks and the singletons',
    async run (ctx) {
      const c = await ctx.createContact({ names: [{ givenName: 'Parity', familyName: ctx.runId }] })
      const path = `v1/${c.resourceName as string}:updateContact`
      ctx.error('updatePersonFields missing', await ctx.call('PATCH', path, { body: { etag: c.etag, names: [{ givenName: 'x' }] } }),
        400, 'INVALID_ARGUMENT', `updatePersonFields mask is required. Please specify one or more valid paths. ${UPDATE_DOCS}`)
      const readOnly = await ctx.call('PATCH', path, { query: { updatePersonFields: 'photos' }, body: { etag: c.etag } })
      ctx.error('a read-only path in updatePersonFields', readOnly, 400, 'INVALID_ARGUMENT')
      ctx.ok('its message names the path', String(readOnly.json?.error?.message).startsWith('Invalid updatePersonFields mask path: "photos".'), readOnly.json?.error?.message, 'Invalid updatePersonFields mask path: "photos". …', 'observed')
      ctx.error('an unknown path in personFields', await ctx.call('PATCH', path, { query: { updatePersonFields: 'names', personFields: 'foo' }, body: { etag: c.etag, names: [{ givenName: 'x' }] } }),
        400, 'INVALID_ARGUMENT', 'Invalid personFields mask path: "foo". Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/get.')
      ctx.error('two names', await ctx.call('PATCH', path, { query: { updatePersonFields: 'names' }, body: { etag: c.etag, names: [{ givenName: 'a' }, { givenName: 'b' }] } }),
        400, 'INVALID_ARGUMENT', 'Cannot have more than one person.names per source.')
      ctx.error('people/me is not a contact', await ctx.call('PATCH', 'v1/people/me:updateContact', { query: { updatePersonFields: 'names' }, body: { etag: c.etag, names: [{ givenName: 'x' }] } }),
        400, 'INVALID_ARGUMENT', 'Resource name "people/me" is not a valid contact person resource.')
    }
  },
  {
    name: 'contactGroups.update: rename, etags, names unique, system groups',
    async run (ctx) {
      const a = await ctx.createGroup(`Parity ${ctx.runId} A`)
      const b = await ctx.createGroup(`Parity ${ctx.runId} B`)
      const renamed = ctx.need('contactGroups.update with the current etag', await ctx.call('PUT', `v1/${a.resourceName as string}`, { body: { contactGroup: { name: `Parity ${ctx.runId} A2`, etag: a.etag } } }))
      ctx.equal('the group is renamed', renamed.name, `Parity ${ctx.runId} A2`)
      ctx.equal('formattedName travels with name', renamed.formattedName, `Parity ${ctx.runId} A2`)
      ctx.equal('the group type', renamed.groupType, 'USER_CONTACT_GROUP')
      ctx.ok('the answer has a new etag', typeof renamed.etag === 'string' && renamed.etag !== a.etag, renamed.etag, 'an etag other than the one sent')
      ctx.error('a stale etag', await ctx.call('PUT', `v1/${a.resourceName as string}`, { body: { contactGroup: { name: `Parity ${ctx.runId} A3`, etag: a.etag } } }), 400, 'FAILED_PRECONDITION')
      ctx.error('the name of another group', await ctx.call('PUT', `v1/${b.resourceName as string}`, { body: { contactGroup: { name: `Parity ${ctx.runId} A2`, etag: b.etag } } }), 409, 'ALREADY_EXISTS')
      ctx.error('a system group', await ctx.call('PUT', 'v1/contactGroups/starred', { body: { contactGroup: { name: 'Renamed' } } }), 400, 'FAILED_PRECONDITION', undefined)
      const got = ctx.need('contactGroups.get', await ctx.call('GET', `v1/${a.resourceName as string}`))
      ctx.equal('the refused updates changed nothing', got.name, `Parity ${ctx.runId} A2`)
    }
  },
  {
    name: 'sync: a connections sync token lists a new contact, then its deletion',
    async run (ctx) {
      const list = async (query: Record<string, string | boolean | number>): Promise<{ people: any[], token: string | undefined, res: Response }> => {
        const people: any[] = []
        let pageToken: string | undefined
        for (let page = 0; page < 100; page++) {
          const res = await ctx.call('GET', 'v1/people/me/connections', { query: { personFields: 'names,metadata', pageSize: 1000, ...query, pageToken } })
          if (res.status !== 200) return { people, token: undefined, res }
          people.push(...(res.json.connections ?? []))
          pageToken = res.json.nextPageToken
          if (pageToken === undefined) return { people, token: res.json.nextSyncToken, res }
        }
        throw new Abort('more than 100 pages')
      }
      const full = await list({ requestSyncToken: true })
      if (!ctx.ok('a full sync ends with nextSyncToken', full.token !== undefined, full.res.text.slice(0, 300), 'nextSyncToken on the last page')) return
      const c = await ctx.createContact({ names: [{ givenName: 'Parity', familyName: `${ctx.runId} sync` }] })
      const changed = await ctx.poll(async () => await list({ syncToken: full.token!, requestSyncToken: true }), r => r.people.some(p => p.resourceName === c.resourceName))
      ctx.ok('the next sync lists the new contact', changed.people.some(p => p.resourceName === c.resourceName), changed.people.map(p => p.resourceName), [c.resourceName])
      if (changed.token === undefined) return
      ctx.need('deleteContact', await ctx.call('DELETE', `v1/${c.resourceName as string}:deleteContact`))
      ctx.created.contacts.delete(c.resourceName)
      const deleted = await ctx.poll(async () => await list({ syncToken: changed.token!, requestSyncToken: true }), r => r.people.some(p => p.resourceName === c.resourceName))
      const entry = deleted.people.find(p => p.resourceName === c.resourceName)
      ctx.equal('the sync after the delete lists it as deleted', entry?.metadata?.deleted, true)
      ctx.error('a sync token that is not one', await ctx.call('GET', 'v1/people/me/connections', { query: { personFields: 'names', syncToken: 'not-a-token' } }), 400, 'INVALID_ARGUMENT')
    }
  },
  {
    name: 'batch: batchCreateContacts, batchUpdateContacts, batchDeleteContacts',
    async run (ctx) {
      const created = ctx.need('batchCreateContacts', await ctx.call('POST', 'v1/people:batchCreateContacts', { body: { readMask: 'names', contacts: [{ contactPerson: { names: [{ givenName: 'Parity', familyName: `${ctx.runId} b1` }] } }, { contactPerson: { names: [{ givenName: 'Parity', familyName: `${ctx.runId} b2` }] } }] } }))
      const people = (created.createdPeople ?? []).map((p: any) => p.person)
      for (const p of people) if (typeof p?.resourceName === 'string') ctx.created.contacts.add(p.resourceName)
      ctx.equal('createdPeople in request order', people.map((p: any) => p?.names?.[0]?.familyName), [`${ctx.runId} b1`, `${ctx.runId} b2`])
      if (people.length !== 2) return
      const updated = ctx.need('batchUpdateContacts', await ctx.call('POST', 'v1/people:batchUpdateContacts', { body: { updateMask: 'names', readMask: 'names', contacts: { [people[0].resourceName]: { etag: people[0].etag, names: [{ givenName: 'Parity', familyName: `${ctx.runId} b1 updated` }] } } } }))
      ctx.equal('updateResult by resource name', updated.updateResult?.[people[0].resourceName]?.person?.names?.[0]?.familyName, `${ctx.runId} b1 updated`)
      const stale = await ctx.call('POST', 'v1/people:batchUpdateContacts', { body: { updateMask: 'names', readMask: 'names', contacts: { [people[0].resourceName]: { etag: people[0].etag, names: [{ givenName: 'x' }] } } } })
      ctx.error('batchUpdateContacts with a stale etag', stale, 400, 'FAILED_PRECONDITION')
      const removed = await ctx.call('POST', 'v1/people:batchDeleteContacts', { body: { resourceNames: people.map((p: any) => p.resourceName) } })
      ctx.equal('batchDeleteContacts answers {}', [removed.status, removed.json], [200, {}])
      if (removed.status === 200) for (const p of people) ctx.created.contacts.delete(p.resourceName)
    }
  },
  {
    name: 'HTTP batch: POST /batch runs each call and answers a part for each',
    async run (ctx) {
      const boundary = `parity_${ctx.runId}`
      const parts = ['GET /v1/contactGroups?pageSize=1', 'GET /v1/people/me/connections?personFields=names&pageSize=1', 'GET /v1/contactGroups/1f2e3d4c5b6a798']
        .map((line, i) => `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item${i + 1}>\r\n\r\n${line} HTTP/1.1\r\n\r\n`).join('') + `--${boundary}--\r\n`
      const res = await ctx.call('POST', 'batch', { rawBody: parts, headers: { 'content-type': `multipart/mixed; boundary=${boundary}` } })
      ctx.equal('the batch answers 200', res.status, 200)
      ctx.ok('as multipart/mixed', /^multipart\/mixed; boundary=/.test(res.contentType), res.contentType, 'multipart/mixed; boundary=…')
      const statuses = [...res.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map(m => Number(m[1]))
      ctx.equal('a part per call, in order, each with its own status', statuses, [200, 200, 404])
      const ids = [...res.text.matchAll(/Content-ID: <([^>]*)>/gi)].map(m => m[1])
      ctx.equal('the parts answer the calls\' Content-IDs', ids, ['response-item1', 'response-item2', 'response-item3'])
    }
  },
  {
    name: 'errors: the envelope, unknown parameters and fields, wrong types, credentials',
    async run (ctx) {
      const unknownParam = await ctx.call('GET', 'v1/contactGroups', { query: { foo: 'bar' } })
      ctx.error('an unknown query parameter', unknownParam, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unknown name "foo": Cannot bind query parameter. Field \'foo\' could not be found in request message.')
      ctx.equal('the legacy errors entry', unknownParam.json?.error?.errors?.[0]?.reason, 'badRequest')
      ctx.ok('as application/json; charset=UTF-8', /^application\/json; charset=utf-8$/i.test(unknownParam.contentType), unknownParam.contentType, 'application/json; charset=UTF-8')
      ctx.error('an unknown field', await ctx.call('POST', 'v1/people:createContact', { body: { foo: 1 } }), 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unknown name "foo" at \'person\': Cannot find field.')
      const wrongType = await ctx.call('POST', 'v1/people:createContact', { body: { names: [{ givenName: 123 }] } })
      ctx.error('a value of the wrong type', wrongType, 400, 'INVALID_ARGUMENT', 'Invalid value at \'person.names[0].given_name\' (TYPE_STRING), 123')
      ctx.equal('with a BadRequest detail', wrongType.json?.error?.details?.[0]?.['@type'], 'type.googleapis.com/google.rpc.BadRequest')
      ctx.error('malformed JSON', await ctx.call('POST', 'v1/people:createContact', { rawBody: '{"names": [' }), 400, 'INVALID_ARGUMENT')
      ctx.error('a contact that does not exist', await ctx.call('GET', 'v1/people/c1', { query: { personFields: 'names' } }), 404, 'NOT_FOUND', 'Requested entity was not found.')
      const anonymous = await ctx.call('GET', 'v1/people/me', { query: { personFields: 'names' }, auth: false })
      ctx.error('no credentials', anonymous, 401, 'UNAUTHENTICATED', 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.')
      ctx.equal('its ErrorInfo reason', anonymous.json?.error?.details?.[0]?.reason, 'CREDENTIALS_MISSING', 'observed')
    }
  }
]
