/** An account's sign-in grants (GET /_emulator/oauth/grants): client, scopes, tokens, expiry, and a button that revokes one. */
import { useState } from 'preact/hooks'
import { call } from '../api.js'
import { shortTime } from '../format.js'
import { fire, Problem, useLoad } from '../load.js'

interface Grant { clientId: string, scopes: string[], granted: string, refreshTokens: number, accessTokens: number, expires?: string }
interface Grants { account: string, email: string, grants: Grant[] }

/** Scopes as people say them: the last part of a URL scope. */
const shortScope = (scope: string): string => scope.replace('https://www.googleapis.com/auth/', '')

export function SignInGrants ({ id }: { id: string }): preact.JSX.Element {
  const grants = useLoad<Grants>(`/_emulator/oauth/grants?account=${encodeURIComponent(id)}`)
  const [failure, setFailure] = useState<Error | undefined>(undefined)
  const [done, setDone] = useState('')
  const revoke = async (clientId: string): Promise<void> => {
    setFailure(undefined)
    try {
      await call('DELETE', `/_emulator/oauth/grants?account=${encodeURIComponent(id)}&clientId=${encodeURIComponent(clientId)}`)
      setDone(`Revoked the grant to ${clientId}: its tokens no longer work.`)
      grants.reload()
    } catch (err) {
      setFailure(err as Error)
    }
  }
  const g = grants.data
  return (
    <section aria-labelledby='sign-in'>
      <h2 id='sign-in'>Sign-in</h2>
      <Problem error={grants.error ?? failure} />
      {done !== '' && <p role='status'>{done}</p>}
      {g !== undefined && (
        <>
          <p class='facts'>Signs in as <strong>{g.email}</strong></p>
          {g.grants.length === 0
            ? <p>No app has been granted access.</p>
            : (
              <table>
                <thead><tr><th scope='col'>Client</th><th scope='col'>Scopes</th><th scope='col'>Granted</th><th scope='col'>Refresh tokens</th><th scope='col'>Live access tokens</th><th scope='col'>Expires</th><th scope='col'><span class='sr-only'>Revoke</span></th></tr></thead>
                <tbody>
                  {g.grants.map(grant => (
                    <tr key={grant.clientId}>
                      <td><code>{grant.clientId}</code></td>
                      <td>{grant.scopes.map(shortScope).join(', ')}</td>
                      <td>{shortTime(grant.granted)}</td>
                      <td>{grant.refreshTokens}</td>
                      <td>{grant.accessTokens}</td>
                      <td>{grant.expires === undefined ? '—' : shortTime(grant.expires)}</td>
                      <td><button type='button' aria-label={`Revoke the grant to ${grant.clientId}`} onClick={() => fire(revoke(grant.clientId))}>Revoke</button></td>
                    </tr>
                  ))}
                </tbody>
              </table>
              )}
        </>
      )}
    </section>
  )
}
