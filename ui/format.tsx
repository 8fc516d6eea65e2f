/** How the web UI shows people, times and JSON. */
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'

// ---------------------------------------------------------------- formatting

export type Person = Record<string, any>

export const values = (items: unknown, key = 'value'): string[] => Array.isArray(items) ? items.map(i => i?.[key]).filter((v): v is string => typeof v === 'string') : []
export const displayName = (p: Person): string => values(p.names, 'displayName')[0] ?? values(p.names, 'unstructuredName')[0] ?? values(p.emailAddresses)[0] ?? '(no name)'
export const shortTime = (t: unknown): string => typeof t === 'string' ? t.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''

export function Json ({ value, label }: { value: unknown, label: string }): preact.JSX.Element {
  return <pre class='json' tabIndex={0} aria-label={label}>{JSON.stringify(value, null, 2)}</pre>
}

/** A table row whose JSON opens below it (a button: keyboard and screen readers reach it). */
export function ExpandableRow ({ cells, json, label, columns }: { cells: ComponentChildren[], json: unknown, label: string, columns: number }): preact.JSX.Element {
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
