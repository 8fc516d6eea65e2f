/** The accounts page, and an account's page: its contacts, groups, other contacts and directory. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { call } from '../api.js'
import { BASE, Link } from '../router.js'
import { fire, Problem, useLoad } from '../load.js'
import { displayName, ExpandableRow, shortTime, values, type Person } from '../format.js'
import { SignInGrants } from './grants.js'

// ---------------------------------------------------------------- pages

export interface AccountSummary { id: string, name: string, declared: boolean, domain: string | null, createdTime: string, tokens: string[], contacts: number, contactGroups: number, otherContacts: number }

export function AccountsPage (): preact.JSX.Element {
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
                  <th scope='row'><Link href={`${BASE}/accounts/${encodeURIComponent(a.id)}`}>{a.name}</Link>{!a.declared && <span class='tag'>undeclared</span>}</th>
                  <td>{a.domain ?? '—'}</td>
                  <td class='n'>{a.contacts}</td>
                  <td class='n'>{a.contactGroups}</td>
                  <td class='n'>{a.otherContacts}</td>
                  <td><code>{a.declared ? a.tokens.join(', ') : a.name}</code></td>
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

export interface AccountDetail extends Omit<AccountSummary, 'contactGroups' | 'otherContacts'> {
  contactGroups: Person[]
  otherContacts: Person[]
  otherContactsTotal: number
  directory?: Person[]
  directoryTotal?: number
}

export function AccountPage ({ id, query }: { id: string, query: URLSearchParams }): preact.JSX.Element {
  const account = useLoad<AccountDetail>(`/_emulator/accounts/${encodeURIComponent(id)}`)
  const groupNames = useMemo(() => new Map((account.data?.contactGroups ?? []).map(g => [g.resourceName as string, (g.formattedName ?? g.name) as string])), [account.data])
  const a = account.data
  return (
    <>
      <h1>Account <code>{a?.name ?? ''}</code></h1>
      <Problem error={account.error} />
      {a !== undefined && (
        <>
          <p class='facts'>{a.domain !== null ? <>Workspace domain <strong>{a.domain}</strong> · </> : 'Consumer account · '}created {shortTime(a.createdTime)} · tokens <code>{a.declared ? a.tokens.join(', ') : a.name}</code> · <Link href={`${BASE}/journal?account=${encodeURIComponent(a.name)}`}>its requests</Link></p>
          {a.declared && <SignInGrants id={id} />}
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

export function Contacts ({ id, query, groupNames }: { id: string, query: URLSearchParams, groupNames: Map<string, string> }): preact.JSX.Element {
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

export function People ({ title, id, people, total }: { title: string, id: string, people: Person[], total: number }): preact.JSX.Element {
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
