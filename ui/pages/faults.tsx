/** The faults and quotas page: fault rules added, listed and removed; what accounts spent. */
import { useState } from 'preact/hooks'
import { call } from '../api.js'
import { fire, Problem, useLoad } from '../load.js'
import { shortTime } from '../format.js'
import type { AccountSummary } from './accounts.js'

export const FAULT_ERRORS = ['RATE_LIMIT_EXCEEDED', 'DAILY_QUOTA_EXCEEDED', 'UNAVAILABLE', 'INTERNAL', 'BAD_GATEWAY']

// One component for the rule form and the rules it adds: the form's fields are the page's state.
export function FaultsPage (): preact.JSX.Element {
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

export function Quotas ({ accounts }: { accounts: AccountSummary[] }): preact.JSX.Element {
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
