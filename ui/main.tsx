/**
 * The emulator's web UI (README "Web UI"): Preact, bundled by esbuild into dist/ui/app.js.
 * Every page is a deep link (`/_emulator/ui/accounts/alice?filter=ada`); every datum comes
 * from the control plane (api.ts), never from the HTML.
 */
import { render, type ComponentChildren } from 'preact'
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { call, ControlError, onTokenNeeded, storedToken, storeToken } from './api.js'
import type { JournalEntry } from '../src/journal-entry.js'
import './app.css'

const BASE = '/_emulator/ui'

// ---------------------------------------------------------------- routing

function currentPath (): string {
  return location.pathname.replace(/\/+$/, '') || BASE
}

function navigate (href: string): void {
  history.pushState(null, '', href)
  dispatchEvent(new PopStateEvent('popstate'))
}

function usePath (): [string, URLSearchParams] {
  const [state, setState] = useState(() => [currentPath(), location.search] as const)
  useEffect(() => {
    const update = (): void => setState([currentPath(), location.search])
    addEventListener('popstate', update)
    return () => removeEventListener('popstate', update)
  }, [])
  return [state[0], useMemo(() => new URLSearchParams(state[1]), [state[1]])]
}

/** A link that changes the page without reloading it (a plain link to a new tab or with a modifier). */
function Link ({ href, children, ...rest }: { href: string, children: ComponentChildren, class?: string, 'aria-current'?: 'page' | undefined }): preact.JSX.Element {
  return (
    <a
      href={href} {...rest} onClick={e => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
        e.preventDefault()
        navigate(href)
      }}
    >{children}
    </a>
  )
}

// ---------------------------------------------------------------- data

/** Runs a promise from an event handler; what it rejects with is shown by the handler itself, or logged. */
function fire (promise: Promise<unknown>): void {
  promise.catch((err: unknown) => console.error(err))
}

interface Loaded<T> { data: T | undefined, error: ControlError | Error | undefined, loading: boolean, reload: () => void }

/** Loads `path` (again when it or `key` changes, or on reload()). */
function useLoad<T> (path: string | null, key: unknown = null): Loaded<T> {
  const [state, setState] = useState<{ path: string | null, data: T | undefined, error: Error | undefined, loading: boolean }>({ path, data: undefined, error: undefined, loading: path !== null })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (path === null) return
    let live = true
    setState(s => ({ ...s, loading: true }))
    call<T>('GET', path).then(data => { if (live) setState({ path, data, error: undefined, loading: false }) }, (error: Error) => { if (live) setState({ path, data: undefined, error, loading: false }) })
    return () => { live = false }
  }, [path, key, tick])
  const reload = useCallback(() => setTick(t => t + 1), [])
  // What another address answered is never shown as this one's (a reload keeps it meanwhile).
  if (state.path !== path) return { data: undefined, error: undefined, loading: true, reload }
  return { data: state.data, error: state.error, loading: state.loading, reload }
}

function Problem ({ error }: { error: Error | undefined }): preact.JSX.Element | null {
  if (error === undefined) return null
  const status = error instanceof ControlError ? `${error.httpStatus} ${error.status}: ` : ''
  return <p class='problem' role='alert'>{status}{error.message}</p>
}

// ---------------------------------------------------------------- formatting

type Person = Record<string, any>

const values = (items: unknown, key = 'value'): string[] => Array.isArray(items) ? items.map(i => i?.[key]).filter((v): v is string => typeof v === 'string') : []
const displayName = (p: Person): string => values(p.names, 'displayName')[0] ?? values(p.names, 'unstructuredName')[0] ?? values(p.emailAddresses)[0] ?? '(no name)'
const shortTime = (t: unknown): string => typeof t === 'string' ? t.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''

function Json ({ value, label }: { value: unknown, label: string }): preact.JSX.Element {
  return <pre class='json' tabIndex={0} aria-label={label}>{JSON.stringify(value, null, 2)}</pre>
}

/** A table row whose JSON opens below it (a button: keyboard and screen readers reach it). */
function ExpandableRow ({ cells, json, label, columns }: { cells: ComponentChildren[], json: unknown, label: string, columns: number }): preact.JSX.Element {
  const [open, setOpen] = useState(false)
  return (
    <>
      <tr class={open ? 'open' : undefined}>
        {cells.map((c, i) => <td key={i}>{c}</td>)}
        <td><button type='button' aria-expanded={open} onClick={() => setOpen(!open)}>{open ? 'Hide' : 'JSON'}<span class='sr-only'> of {label}</span></button></td>
      </tr>
      {open && <tr class='detail'><td colSpan={columns + 1}><Json value={json} label={`JSON of ${label}`} /></td></tr>}
    </>
  )
}

// ---------------------------------------------------------------- pages

interface AccountSummary { id: string, declared: boolean, domain: string | null, createdTime: string, tokens: string[], contacts: number, contactGroups: number, otherContacts: number }

function AccountsPage (): preact.JSX.Element {
  const { data, error } = useLoad<{ accounts: AccountSummary[], domains: Array<{ domain: string, people: number }> }>('/_emulator/accounts')
  return (
    <>
      <h1>Accounts</h1>
      <Problem error={error} />
      {data !== undefined && (
        <>
          <table>
            <caption>{data.accounts.length} account{data.accounts.length === 1 ? '' : 's'}</caption>
            <thead><tr><th scope='col'>Account</th><th scope='col'>Domain</th><th scope='col' class='n'>Contacts</th><th scope='col' class='n'>Contact groups</th><th scope='col' class='n'>Other contacts</th><th scope='col'>Tokens</th></tr></thead>
            <tbody>
              {data.accounts.map(a => (
                <tr key={a.id}>
                  <th scope='row'><Link href={`${BASE}/accounts/${encodeURIComponent(a.id)}`}>{a.id}</Link>{!a.declared && <span class='tag'>undeclared</span>}</th>
                  <td>{a.domain ?? '—'}</td>
                  <td class='n'>{a.contacts}</td>
                  <td class='n'>{a.contactGroups}</td>
                  <td class='n'>{a.otherContacts}</td>
                  <td><code>{a.tokens.join(', ')}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.domains.length > 0 && (
            <table>
              <caption>Workspace domains</caption>
              <thead><tr><th scope='col'>Domain</th><th scope='col' class='n'>Directory people</th></tr></thead>
              <tbody>{data.domains.map(d => <tr key={d.domain}><th scope='row'>{d.domain}</th><td class='n'>{d.people}</td></tr>)}</tbody>
            </table>
          )}
        </>
      )}
    </>
  )
}

interface AccountDetail extends Omit<AccountSummary, 'contactGroups' | 'otherContacts'> {
  contactGroups: Person[]
  otherContacts: Person[]
  otherContactsTotal: number
  directory?: Person[]
  directoryTotal?: number
}

function AccountPage ({ id, query }: { id: string, query: URLSearchParams }): preact.JSX.Element {
  const account = useLoad<AccountDetail>(`/_emulator/accounts/${encodeURIComponent(id)}`)
  const groupNames = useMemo(() => new Map((account.data?.contactGroups ?? []).map(g => [g.resourceName as string, (g.formattedName ?? g.name) as string])), [account.data])
  const a = account.data
  return (
    <>
      <h1>Account <code>{id}</code></h1>
      <Problem error={account.error} />
      {a !== undefined && (
        <>
          <p class='facts'>{a.domain !== null ? <>Workspace domain <strong>{a.domain}</strong> · </> : 'Consumer account · '}created {shortTime(a.createdTime)} · tokens <code>{a.tokens.join(', ')}</code></p>
          <Contacts id={id} query={query} groupNames={groupNames} />
          <section aria-labelledby='groups'>
            <h2 id='groups'>Contact groups</h2>
            <table>
              <thead><tr><th scope='col'>Name</th><th scope='col'>Type</th><th scope='col'>Members</th><th scope='col'>Updated</th><th scope='col'>Etag</th><th scope='col'><span class='sr-only'>Details</span></th></tr></thead>
              <tbody>
                {a.contactGroups.map(g => (
                  <ExpandableRow
                    key={g.resourceName} columns={5} label={g.resourceName} json={g}
                    cells={[<span key='n'>{g.formattedName ?? g.name}<br /><code class='dim'>{g.resourceName}</code></span>, g.groupType === 'SYSTEM_CONTACT_GROUP' ? 'system' : 'user', g.memberCount ?? 0, shortTime(g.metadata?.updateTime), <code key='e'>{g.etag ?? ''}</code>]}
                  />
                ))}
              </tbody>
            </table>
          </section>
          <People title='Other contacts' id='other' people={a.otherContacts} total={a.otherContactsTotal} />
          {a.directory !== undefined && <People title={`Directory of ${a.domain ?? ''}`} id='directory' people={a.directory} total={a.directoryTotal ?? 0} />}
        </>
      )}
    </>
  )
}

function Contacts ({ id, query, groupNames }: { id: string, query: URLSearchParams, groupNames: Map<string, string> }): preact.JSX.Element {
  const initial = query.get('filter') ?? ''
  const [filter, setFilter] = useState(initial)
  const [applied, setApplied] = useState(initial)
  const [pages, setPages] = useState<Person[][]>([])
  const [token, setToken] = useState<string | undefined>(undefined)
  const [total, setTotal] = useState<number | undefined>(undefined)
  const [error, setError] = useState<Error | undefined>(undefined)
  const [loading, setLoading] = useState(false)

  // Only the latest request's answer is shown (a slow answer for an older filter is dropped).
  const latest = useRef(0)
  const load = useCallback(async (pageToken: string | undefined, replace: boolean) => {
    const mine = ++latest.current
    setLoading(true)
    const params = new URLSearchParams({ pageSize: '100' })
    if (applied !== '') params.set('filter', applied)
    if (pageToken !== undefined) params.set('pageToken', pageToken)
    try {
      const r = await call<{ contacts: Person[], total: number, nextPageToken?: string }>('GET', `/_emulator/accounts/${encodeURIComponent(id)}/contacts?${params.toString()}`)
      if (mine !== latest.current) return
      setPages(p => replace ? [r.contacts] : [...p, r.contacts])
      setToken(r.nextPageToken)
      setTotal(r.total)
      setError(undefined)
    } catch (e) {
      if (mine === latest.current) setError(e as Error)
    } finally {
      if (mine === latest.current) setLoading(false)
    }
  }, [id, applied])

  useEffect(() => { fire(load(undefined, true)) }, [load])
  // The filter is part of the address: a test report can link to it.
  useEffect(() => {
    const timer = setTimeout(() => {
      setApplied(filter.trim())
      const url = new URL(location.href)
      if (filter.trim() === '') url.searchParams.delete('filter')
      else url.searchParams.set('filter', filter.trim())
      history.replaceState(null, '', url)
    }, 200)
    return () => clearTimeout(timer)
  }, [filter])

  const contacts = pages.flat()
  return (
    <section aria-labelledby='contacts'>
      <h2 id='contacts'>Contacts</h2>
      <div class='toolbar'>
        <label for='contact-filter'>Filter contacts</label>
        <input id='contact-filter' type='search' value={filter} placeholder='name, email, phone…' onInput={e => setFilter((e.target as HTMLInputElement).value)} />
        <span role='status' aria-live='polite'>{loading ? 'Loading…' : total === undefined ? '' : applied === '' ? `${total} contact${total === 1 ? '' : 's'}` : `${contacts.length}${token !== undefined ? '+' : ''} of ${total} match`}</span>
      </div>
      <Problem error={error} />
      <table class='contacts'>
        <thead><tr><th scope='col'>Name</th><th scope='col'>Emails</th><th scope='col'>Phones</th><th scope='col'>Groups</th><th scope='col'>Updated</th><th scope='col'>Etag</th><th scope='col'><span class='sr-only'>Details</span></th></tr></thead>
        <tbody>
          {contacts.map(p => (
            <ExpandableRow
              key={p.resourceName} columns={6} label={`${displayName(p)} (${p.resourceName as string})`} json={p}
              cells={[
                <span key='n'>{displayName(p)}<br /><code class='dim'>{p.resourceName}</code></span>,
                values(p.emailAddresses).join(', '),
                values(p.phoneNumbers).join(', '),
                (p.memberships ?? []).map((m: any) => m.contactGroupMembership?.contactGroupResourceName).filter(Boolean).map((g: string) => groupNames.get(g) ?? g).join(', '),
                shortTime(p.metadata?.sources?.[0]?.updateTime),
                <code key='e'>{p.etag}</code>
              ]}
            />
          ))}
        </tbody>
      </table>
      {token !== undefined && <button type='button' disabled={loading} onClick={() => { fire(load(token, false)) }}>More contacts</button>}
    </section>
  )
}

function People ({ title, id, people, total }: { title: string, id: string, people: Person[], total: number }): preact.JSX.Element {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {people.length === 0
        ? <p>None.</p>
        : (
          <table>
            {total > people.length && <caption>The first {people.length} of {total}</caption>}
            <thead><tr><th scope='col'>Name</th><th scope='col'>Emails</th><th scope='col'>Phones</th><th scope='col'>Source</th><th scope='col'><span class='sr-only'>Details</span></th></tr></thead>
            <tbody>
              {people.map(p => (
                <ExpandableRow
                  key={p.resourceName} columns={4} label={`${displayName(p)} (${p.resourceName as string})`} json={p}
                  cells={[<span key='n'>{displayName(p)}<br /><code class='dim'>{p.resourceName}</code></span>, values(p.emailAddresses).join(', '), values(p.phoneNumbers).join(', '), p.metadata?.sources?.[0]?.type ?? '']}
                />
              ))}
            </tbody>
          </table>
          )}
    </section>
  )
}

/** The most journal entries the page keeps. */
const JOURNAL_KEPT = 2000

function JournalPage ({ query }: { query: URLSearchParams }): preact.JSX.Element {
  const [entries, setEntries] = useState<JournalEntry[]>([])
  const [live, setLive] = useState(true)
  const [error, setError] = useState<Error | undefined>(undefined)
  const [account, setAccount] = useState(query.get('account') ?? '')
  const [method, setMethod] = useState(query.get('method') ?? '')
  const [status, setStatus] = useState(query.get('status') ?? '')
  const last = useRef(0)
  const [selected, setSelected] = useState<number | undefined>(undefined)

  // One poll at a time: two asking from the same entry would list it twice.
  const polling = useRef(false)
  const poll = useCallback(async () => {
    if (polling.current) return
    polling.current = true
    try {
      // The journal answers a page at a time: pages are read up to the last one (a first visit
      // to a long journal reads them all and keeps the newest JOURNAL_KEPT; the bound on `read`
      // only guards against a journal that never ends).
      let read = 0
      for (;;) {
        const r = await call<{ requests: JournalEntry[], nextPageToken?: string }>('GET', `/_emulator/requests?since=${last.current}&pageSize=1000`)
        if (r.requests.length > 0) {
          last.current = r.requests[r.requests.length - 1]!.id
          read += r.requests.length
          setEntries(old => [...r.requests.reverse(), ...old].slice(0, JOURNAL_KEPT))
        }
        if (r.nextPageToken === undefined || read >= 100 * JOURNAL_KEPT) break
      }
      setError(undefined)
    } catch (e) {
      setError(e as Error)
    } finally {
      polling.current = false
    }
  }, [])
  useEffect(() => {
    fire(poll())
    if (!live) return
    const timer = setInterval(() => { fire(poll()) }, 1000)
    return () => clearInterval(timer)
  }, [live, poll])

  // The filters are part of the address: a test report can link to them.
  useEffect(() => {
    const url = new URL(location.href)
    for (const [name, value] of [['account', account], ['method', method], ['status', status]] as const) {
      if (value === '') url.searchParams.delete(name)
      else url.searchParams.set(name, value)
    }
    history.replaceState(null, '', url)
  }, [account, method, status])

  const accounts = useMemo(() => [...new Set(entries.map(e => e.account).filter((a): a is string => a !== null))].sort(), [entries])
  const methods = useMemo(() => [...new Set(entries.map(e => e.method).filter((m): m is string => m !== null))].sort(), [entries])
  const shown = entries.filter(e =>
    (account === '' || e.account === account) &&
    (method === '' || e.method === method) &&
    (status === '' || String(e.status) === status || e.error?.status === status || (status === 'errors' && e.status >= 400)))
  const detail = entries.find(e => e.id === selected)

  return (
    <>
      <h1>Request journal</h1>
      <div class='toolbar'>
        <label for='j-account'>Account</label>
        <select id='j-account' value={account} onChange={e => setAccount((e.target as HTMLSelectElement).value)}>
          <option value=''>any</option>
          {(account === '' || accounts.includes(account) ? accounts : [account, ...accounts]).map(a => <option key={a} value={a}>{a}</option>)}
        </select>
        <label for='j-method'>Method</label>
        <select id='j-method' value={method} onChange={e => setMethod((e.target as HTMLSelectElement).value)}>
          <option value=''>any</option>
          {(method === '' || methods.includes(method) ? methods : [method, ...methods]).map(m => <option key={m} value={m}>{m}</option>)}
        </select>
        <label for='j-status'>Status</label>
        <select id='j-status' value={status} onChange={e => setStatus((e.target as HTMLSelectElement).value)}>
          <option value=''>any</option>
          <option value='errors'>errors (4xx, 5xx)</option>
          {[...new Set([...(status === '' || status === 'errors' ? [] : [status]), ...entries.map(e => String(e.status))])].sort().map(s => <option key={s} value={s}>{s}</option>)}
        </select>
        <button type='button' aria-pressed={live} onClick={() => setLive(!live)}>{live ? 'Pause' : 'Resume'} live updates</button>
        <button type='button' onClick={() => { fire(call('DELETE', '/_emulator/requests').then(() => { setEntries([]); setSelected(undefined) }, setError)) }}>Clear journal</button>
        <span role='status' aria-live='polite'>{shown.length} of {entries.length} requests</span>
      </div>
      <Problem error={error} />
      <table class='journal'>
        <thead><tr><th scope='col' class='n'>#</th><th scope='col'>Time</th><th scope='col'>Account</th><th scope='col'>Method</th><th scope='col'>Request</th><th scope='col' class='n'>Status</th><th scope='col'>Error</th><th scope='col'>Fault</th><th scope='col' class='n'>ms</th><th scope='col'><span class='sr-only'>Details</span></th></tr></thead>
        <tbody>
          {shown.map(e => (
            <tr key={e.id} class={[e.status >= 400 ? 'failed' : '', e.id === selected ? 'selected' : ''].join(' ').trim() || undefined}>
              <td class='n'>{e.id}</td>
              <td>{shortTime(e.time)}</td>
              <td>{e.account ?? '—'}</td>
              <td><code>{e.method ?? '—'}</code></td>
              <td><code>{e.httpMethod} {e.path}</code></td>
              <td class='n'>{e.status}</td>
              <td>{e.error !== null ? <><strong>{e.error.reason}</strong> {e.error.message}</> : ''}</td>
              <td>{e.fault ?? ''}</td>
              <td class='n'>{e.durationMs.toFixed(1)}</td>
              <td><button type='button' onClick={() => setSelected(e.id === selected ? undefined : e.id)} aria-expanded={e.id === selected}>Bodies<span class='sr-only'> of request {e.id}</span></button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {detail !== undefined && (
        <section class='bodies' aria-label={`Request ${detail.id}`}>
          <h2>Request {detail.id}: <code>{detail.httpMethod} {detail.path}</code></h2>
          {Object.keys(detail.query).length > 0 && <><h3>Query</h3><Json value={detail.query} label='query' /></>}
          <h3>Request body</h3>
          {detail.requestBody === null ? <p>None.</p> : <Json value={detail.requestBody} label='request body' />}
          <h3>Response body ({detail.status})</h3>
          {detail.responseBody === null ? <p>None.</p> : <Json value={detail.responseBody} label='response body' />}
        </section>
      )}
    </>
  )
}

const FAULT_ERRORS = ['RATE_LIMIT_EXCEEDED', 'DAILY_QUOTA_EXCEEDED', 'UNAVAILABLE', 'INTERNAL', 'BAD_GATEWAY']

function FaultsPage (): preact.JSX.Element {
  const faults = useLoad<{ faults: Array<Record<string, any>> }>('/_emulator/faults')
  const methods = useLoad<{ methods: Array<{ id: string, emulated: boolean }> }>('/_emulator/fidelity')
  const accounts = useLoad<{ accounts: AccountSummary[] }>('/_emulator/accounts')
  const [form, setForm] = useState({ method: 'people.people.updateContact', account: '', error: 'RATE_LIMIT_EXCEEDED', times: '1', after: '0', probability: '1', when: 'before', delayMs: '0' })
  const [problem, setProblem] = useState<Error | undefined>(undefined)
  const [added, setAdded] = useState<string | undefined>(undefined)
  const field = (name: keyof typeof form) => ({ id: `f-${name}`, name, value: form[name], onInput: (e: Event) => { const value = (e.target as HTMLInputElement).value; setForm(f => ({ ...f, [name]: value })) } })

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    const rule: Record<string, unknown> = { method: form.method.trim(), times: Number(form.times), after: Number(form.after), probability: Number(form.probability), when: form.when, delayMs: Number(form.delayMs) }
    if (form.account.trim() !== '') rule.account = form.account.trim()
    if (form.error !== '') rule.error = form.error
    try {
      const r = await call<{ id: string }>('POST', '/_emulator/faults', rule)
      setAdded(r.id)
      setProblem(undefined)
      faults.reload()
    } catch (err) {
      setProblem(err as Error)
    }
  }
  return (
    <>
      <h1>Faults and quotas</h1>
      <section aria-labelledby='rules'>
        <h2 id='rules'>Fault rules</h2>
        <Problem error={faults.error} />
        {faults.data !== undefined && (faults.data.faults.length === 0
          ? <p>No fault rules.</p>
          : (
            <table>
              <thead><tr>{['Id', 'Method', 'Account', 'Times', 'After', 'Probability', 'When', 'Error', 'Delay ms', 'Hits', 'Matched'].map(h => <th key={h} scope='col'>{h}</th>)}<th scope='col'><span class='sr-only'>Remove</span></th></tr></thead>
              <tbody>
                {faults.data.faults.map(f => (
                  <tr key={f.id}>
                    <th scope='row'>{f.id}</th><td><code>{f.method}</code></td><td>{f.account ?? 'any'}</td><td class='n'>{f.times === 0 ? '∞' : f.times}</td><td class='n'>{f.after}</td><td class='n'>{f.probability}</td><td>{f.when}</td>
                    <td>{typeof f.error === 'string' ? f.error : f.error === undefined || f.error === null ? '—' : <code>{JSON.stringify(f.error)}</code>}</td><td class='n'>{f.delayMs}</td><td class='n'>{f.hits}</td><td class='n'>{f.matched}</td>
                    <td><button type='button' onClick={() => { fire(call('DELETE', `/_emulator/faults/${encodeURIComponent(f.id)}`).then(() => faults.reload(), setProblem)) }}>Remove<span class='sr-only'> rule {f.id}</span></button></td>
                  </tr>
                ))}
              </tbody>
            </table>
            ))}
        <button type='button' onClick={() => faults.reload()}>Refresh hits</button>
      </section>
      <section aria-labelledby='add-fault'>
        <h2 id='add-fault'>Add a fault rule</h2>
        <form class='grid' onSubmit={e => { fire(submit(e)) }}>
          <label for='f-method'>Method</label>
          <input {...field('method')} list='method-ids' required />
          <datalist id='method-ids'>
            <option value='*' />
            {(methods.data?.methods ?? []).map(m => <option key={m.id} value={m.id} />)}
          </datalist>
          <label for='f-account'>Account (empty: any)</label>
          <input {...field('account')} list='account-ids' />
          <datalist id='account-ids'>{(accounts.data?.accounts ?? []).map(a => <option key={a.id} value={a.id} />)}</datalist>
          <label for='f-error'>Error</label>
          <select {...field('error')} onChange={e => { const value = (e.target as HTMLSelectElement).value; setForm(f => ({ ...f, error: value })) }}>
            {FAULT_ERRORS.map(x => <option key={x} value={x}>{x}</option>)}
            <option value=''>none (a delay alone)</option>
          </select>
          <label for='f-when'>When</label>
          <select {...field('when')} onChange={e => { const value = (e.target as HTMLSelectElement).value; setForm(f => ({ ...f, when: value })) }}>
            <option value='before'>before: refused, nothing applied</option>
            <option value='after'>after: applied, then the error answered</option>
          </select>
          <label for='f-times'>Times (0: until removed)</label>
          <input {...field('times')} type='number' min='0' />
          <label for='f-after'>Let through first</label>
          <input {...field('after')} type='number' min='0' />
          <label for='f-probability'>Probability</label>
          <input {...field('probability')} type='number' min='0' max='1' step='0.01' />
          <label for='f-delayMs'>Delay (ms)</label>
          <input {...field('delayMs')} type='number' min='0' />
          <div class='actions'><button type='submit'>Add rule</button></div>
        </form>
        <Problem error={problem} />
        {added !== undefined && <p role='status'>Added rule {added}.</p>}
      </section>
      <Quotas accounts={accounts.data?.accounts ?? []} />
    </>
  )
}

function Quotas ({ accounts }: { accounts: AccountSummary[] }): preact.JSX.Element {
  const [account, setAccount] = useState('')
  const chosen = account !== '' ? account : accounts[0]?.id ?? ''
  const q = useLoad<{ enabled: boolean, quotas: Array<Record<string, any>> }>(chosen === '' ? null : `/_emulator/quotas?account=${encodeURIComponent(chosen)}`)
  return (
    <section aria-labelledby='quotas'>
      <h2 id='quotas'>Quotas</h2>
      <div class='toolbar'>
        <label for='q-account'>Account</label>
        <select id='q-account' value={chosen} onChange={e => setAccount((e.target as HTMLSelectElement).value)}>{accounts.map(a => <option key={a.id} value={a.id}>{a.id}</option>)}</select>
        <button type='button' onClick={() => q.reload()}>Refresh</button>
      </div>
      <Problem error={q.error} />
      {q.data !== undefined && !q.data.enabled && <p>Quotas are off: start the emulator with <code>--quotas on</code> to have calls spend them.</p>}
      {q.data?.enabled === true && (
        <table>
          <thead><tr><th scope='col'>Quota</th><th scope='col'>Window</th><th scope='col' class='n'>Limit</th><th scope='col' class='n'>Spent</th><th scope='col' class='n'>Remaining</th><th scope='col'>Resets</th></tr></thead>
          <tbody>{q.data.quotas.map(x => <tr key={x.name} class={x.remaining === 0 ? 'failed' : undefined}><th scope='row'>{x.displayName}</th><td>{x.window}</td><td class='n'>{x.limit}</td><td class='n'>{x.spent}</td><td class='n'>{x.remaining}</td><td>{shortTime(x.resetTime)}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  )
}

const ADVANCES: Array<[string, string]> = [['1m', '1 minute'], ['1h', '1 hour'], ['1d', '1 day'], ['7d', '7 days'], ['8d', '8 days']]

function StatePage (): preact.JSX.Element {
  const clock = useLoad<{ now: string, mode: string }>('/_emulator/clock')
  const snapshots = useLoad<{ snapshots: Array<{ name: string, time: string, size: number, contacts: number }> }>('/_emulator/snapshots')
  const [name, setName] = useState('')
  const [message, setMessage] = useState<string | undefined>(undefined)
  const [problem, setProblem] = useState<Error | undefined>(undefined)
  const file = useRef<HTMLInputElement>(null)
  const act = async (what: () => Promise<unknown>, done: string): Promise<void> => {
    try {
      await what()
      setMessage(done)
      setProblem(undefined)
    } catch (e) {
      setProblem(e as Error)
      setMessage(undefined)
    }
    clock.reload()
    snapshots.reload()
  }
  const exportState = async (): Promise<void> => {
    const doc = await call('GET', '/_emulator/export')
    const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }))
    const a = document.createElement('a')
    a.href = url
    a.download = 'people-emulator-export.json'
    a.click()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }
  const importState = async (): Promise<void> => {
    const chosen = file.current?.files?.[0]
    if (chosen === undefined) throw new Error('Choose a fixture document (JSON) first.')
    let doc: unknown
    try { doc = JSON.parse(await chosen.text()) } catch { throw new Error(`${chosen.name} is not JSON.`) }
    await call('POST', '/_emulator/import', doc)
  }
  return (
    <>
      <h1>Clock, snapshots and state</h1>
      <div role='status' aria-live='polite'>{message !== undefined && <p class='done'>{message}</p>}</div>
      <Problem error={problem} />
      <section aria-labelledby='clock'>
        <h2 id='clock'>Clock</h2>
        <Problem error={clock.error} />
        {clock.data !== undefined && <p>Emulator time <strong id='clock-now'>{clock.data.now}</strong> ({clock.data.mode} clock)</p>}
        <div class='toolbar'>
          {ADVANCES.map(([d, label]) => <button key={d} type='button' onClick={() => { fire(act(async () => await call('POST', '/_emulator/clock', { advance: d }), `Clock advanced by ${label}.`)) }}>+ {label}</button>)}
        </div>
      </section>
      <section aria-labelledby='snapshots'>
        <h2 id='snapshots'>Snapshots</h2>
        <form class='toolbar' onSubmit={e => { e.preventDefault(); fire(act(async () => await call('POST', '/_emulator/snapshots', { name: name.trim() }), `Saved snapshot "${name.trim()}".`)) }}>
          <label for='snapshot-name'>Snapshot name</label>
          <input id='snapshot-name' value={name} required onInput={e => setName((e.target as HTMLInputElement).value)} />
          <button type='submit'>Save snapshot</button>
        </form>
        <Problem error={snapshots.error} />
        {snapshots.data !== undefined && (snapshots.data.snapshots.length === 0
          ? <p>No snapshots.</p>
          : (
            <table>
              <thead><tr><th scope='col'>Name</th><th scope='col'>Saved at</th><th scope='col' class='n'>Contacts</th><th scope='col' class='n'>Size (bytes)</th><th scope='col'><span class='sr-only'>Actions</span></th></tr></thead>
              <tbody>
                {snapshots.data.snapshots.map(s => (
                  <tr key={s.name}>
                    <th scope='row'>{s.name}</th><td>{shortTime(s.time)}</td><td class='n'>{s.contacts}</td><td class='n'>{s.size}</td>
                    <td>
                      <button type='button' onClick={() => { fire(act(async () => await call('POST', `/_emulator/snapshots/${encodeURIComponent(s.name)}:restore`), `Restored snapshot "${s.name}".`)) }}>Restore<span class='sr-only'> {s.name}</span></button>{' '}
                      <button type='button' onClick={() => { fire(act(async () => await call('DELETE', `/_emulator/snapshots/${encodeURIComponent(s.name)}`), `Deleted snapshot "${s.name}".`)) }}>Delete<span class='sr-only'> {s.name}</span></button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            ))}
      </section>
      <section aria-labelledby='whole'>
        <h2 id='whole'>The whole state</h2>
        <div class='toolbar'>
          <button type='button' onClick={() => { if (confirm('Reset every account to the start-up fixtures?')) fire(act(async () => await call('POST', '/_emulator/reset'), 'Reset to the start-up fixtures.')) }}>Reset everything</button>
          <button type='button' onClick={() => { fire(act(exportState, 'Exported the state.')) }}>Export (download JSON)</button>
        </div>
        <div class='toolbar'>
          <label for='import-file'>Fixture document to import</label>
          <input id='import-file' type='file' accept='application/json,.json' ref={file} />
          <button type='button' onClick={() => { fire(act(importState, 'Imported the document.')) }}>Import</button>
        </div>
      </section>
    </>
  )
}

// ---------------------------------------------------------------- shell

function TokenForm ({ onDone }: { onDone: () => void }): preact.JSX.Element {
  const [value, setValue] = useState('')
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => { input.current?.focus() }, [])
  return (
    <form
      class='token' onSubmit={e => {
        e.preventDefault()
        storeToken(value.trim())
        onDone()
      }}
    >
      <h1>Control token</h1>
      <p>This emulator was started with <code>--control-token</code>. Enter it once: this browser keeps it for this emulator.</p>
      <label for='control-token'>Control token</label>
      <input id='control-token' ref={input} type='password' autoComplete='off' required value={value} onInput={e => setValue((e.target as HTMLInputElement).value)} />
      <button type='submit'>Continue</button>
    </form>
  )
}

const NAV: Array<[string, string]> = [[BASE, 'Accounts'], [`${BASE}/journal`, 'Journal'], [`${BASE}/faults`, 'Faults & quotas'], [`${BASE}/state`, 'Clock & snapshots']]

function App (): preact.JSX.Element {
  const [path, query] = usePath()
  const [needToken, setNeedToken] = useState(false)
  const [generation, setGeneration] = useState(0)
  useEffect(() => onTokenNeeded(() => setNeedToken(true)), [])
  const account = /^\/_emulator\/ui\/accounts\/([^/]+)$/.exec(path)
  let page: preact.JSX.Element
  if (path === BASE) page = <AccountsPage />
  else if (account !== null) page = <AccountPage id={decodeURIComponent(account[1]!)} query={query} />
  else if (path === `${BASE}/journal`) page = <JournalPage query={query} />
  else if (path === `${BASE}/faults`) page = <FaultsPage />
  else if (path === `${BASE}/state`) page = <StatePage />
  else page = <p>No such page. <Link href={BASE}>Accounts</Link></p>
  useEffect(() => {
    const title = path === BASE ? 'Accounts' : account !== null ? `Account ${decodeURIComponent(account[1]!)}` : NAV.find(n => n[0] === path)?.[1] ?? 'Not found'
    document.title = `${title} · People API emulator`
  }, [path])
  return (
    <>
      <a class='skip' href='#main'>Skip to content</a>
      <header>
        <span class='brand'>People API emulator</span>
        <nav aria-label='Emulator'>
          {NAV.map(([href, label]) => <Link key={href} href={href} aria-current={path === href || (href === BASE && account !== null) ? 'page' : undefined}>{label}</Link>)}
        </nav>
        {storedToken() !== null && <button type='button' class='link' onClick={() => { storeToken(null); setNeedToken(true) }}>Forget the token</button>}
      </header>
      <main id='main'>
        {needToken ? <TokenForm onDone={() => { setNeedToken(false); setGeneration(g => g + 1) }} /> : <div key={`${generation}:${path}`}>{page}</div>}
      </main>
    </>
  )
}

render(<App />, document.getElementById('app')!)
