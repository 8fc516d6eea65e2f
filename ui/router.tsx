/** Routing of the web UI: every page is a deep link under /_emulator/ui, changed without reloading. */
import type { ComponentChildren } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'

export const BASE = '/_emulator/ui'

// ---------------------------------------------------------------- routing

export function currentPath (): string {
  return location.pathname.replace(/\/+$/, '') || BASE
}

export function navigate (href: string): void {
  history.pushState(null, '', href)
  dispatchEvent(new PopStateEvent('popstate'))
}

export function usePath (): [string, URLSearchParams] {
  const [state, setState] = useState(() => [currentPath(), location.search] as const)
  useEffect(() => {
    const update = (): void => setState([currentPath(), location.search])
    addEventListener('popstate', update)
    return () => removeEventListener('popstate', update)
  }, [])
  return [state[0], useMemo(() => new URLSearchParams(state[1]), [state[1]])]
}

/** A link that changes the page without reloading it (a plain link to a new tab or with a modifier). */
export function Link ({ href, children, ...rest }: { href: string, children: ComponentChildren, class?: string, 'aria-current'?: 'page' | undefined }): preact.JSX.Element {
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
