/** The clock and snapshots page: the emulator clock moved forward, snapshots saved, restored and deleted, reset. */
import { useRef, useState } from 'preact/hooks'
import { call } from '../api.js'
import { fire, Problem, useLoad } from '../load.js'
import { shortTime } from '../format.js'

export const ADVANCES: Array<[string, string]> = [['1m', '1 minute'], ['1h', '1 hour'], ['1d', '1 day'], ['7d', '7 days'], ['8d', '8 days']]

// One component for the page's three panels (clock, snapshots, reset): they share its loading
// state and the message that reports what the last action did.
export function StatePage (): preact.JSX.Element {
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
