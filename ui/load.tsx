/** Loading from the control plane (api.ts), and showing what failed. */
import { useCallback, useEffect, useState } from 'preact/hooks'
import { call, ControlError } from './api.js'

// ---------------------------------------------------------------- data

/** Runs a promise from an event handler; what it rejects with is shown by the handler itself, or logged. */
export function fire (promise: Promise<unknown>): void {
  promise.catch((err: unknown) => console.error(err))
}

export interface Loaded<T> { data: T | undefined, error: ControlError | Error | undefined, loading: boolean, reload: () => void }

/** Loads `path` (again when it or `key` changes, or on reload()). */
export function useLoad<T> (path: string | null, key: unknown = null): Loaded<T> {
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

export function Problem ({ error }: { error: Error | undefined }): preact.JSX.Element | null {
  if (error === undefined) return null
  const status = error instanceof ControlError ? `${error.httpStatus} ${error.status}: ` : ''
  return <p class='problem' role='alert'>{status}{error.message}</p>
}
