/** The journal page: what the API was asked, live, a page of the journal at a time. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { call } from '../api.js'
import type { JournalEntry } from '../../src/journal-entry.js'
import { fire, Problem } from '../load.js'
import { Json, shortTime } from '../format.js'

/** The most journal entries the page keeps. */
export const JOURNAL_KEPT = 2000

// One component, longer than most: its polling state, its filter form and its table share the
// state the page holds; the rows are a component of their own (ExpandableRow).
export function JournalPage ({ query }: { query: URLSearchParams }): preact.JSX.Element {
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
