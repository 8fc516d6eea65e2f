/**
 * The emulator's web UI (docs/control-plane.md "Web UI"): Preact, bundled by esbuild into dist/ui/app.js.
 * Every page is a deep link (`/_emulator/ui/accounts/alice?filter=ada`); every datum comes
 * from the control plane (api.ts), never from the HTML.
 */
import { render } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { onTokenNeeded, storedToken, storeToken } from './api.js'
import { BASE, Link, usePath } from './router.js'
import { AccountPage, AccountsPage } from './pages/accounts.js'
import { JournalPage } from './pages/journal.js'
import { FaultsPage } from './pages/faults.js'
import { StatePage } from './pages/state.js'
import './app.css'

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
