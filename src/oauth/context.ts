/**
 * What the authorization server works with (FIDELITY.md: oauth): its state, the emulator's clock
 * and random stream, the signing key (made on first use), and the errors it answers with.
 */
import type { OAuthStore, IdentityRow } from '../../db/oauth-store.js'
import type { AccountProfile, StoredAccount } from '../../db/model.js'
import type { RandomSource } from '../ids.js'
import { accountEmail } from '../fixtures/oauth.js'
import { profileId } from '../people/profile.js'
import type { SigningKey } from './keys.js'

export interface OAuthContext {
  store: OAuthStore
  /** Emulator-clock microseconds, read without moving a fixed clock. */
  now: () => number
  random: RandomSource
  key: () => SigningKey
  /** The `iss` of ID tokens and of the redirect (`--oauth-issuer`). */
  issuer: string
  autoApprove: boolean
  /** Stores a new account (the consent page's "use another account"). */
  createAccount: (account: StoredAccount) => void
}

/** Access tokens live 3599 s (observed), ID tokens 3600 s, codes 10 minutes (chosen). */
export const ACCESS_TOKEN_SECONDS = 3599
export const ID_TOKEN_SECONDS = 3600
export const CODE_MICROS = 10 * 60 * 1_000_000

/** An error of the token, revoke, tokeninfo and userinfo endpoints: `{"error","error_description"}` with its status. */
export class OAuthError extends Error {
  override name = 'OAuthError'
  constructor (readonly status: number, readonly error: string, readonly description: string) {
    super(`${error}: ${description}`)
  }

  toBody (): { error: string, error_description: string } {
    return { error: this.error, error_description: this.description }
  }
}

/**
 * An error of the authorization request that is never sent back to the app (a bad client,
 * redirect URI, scope or missing parameter): Google's HTML page, `Error 400: <error>`.
 */
export class AuthPageError extends Error {
  override name = 'AuthPageError'
  constructor (readonly status: number, readonly error: string, readonly lines: string[], readonly details: ReadonlyArray<[string, string]> = []) {
    super(`Error ${status}: ${error}`)
  }
}

/** Who an account is, as userinfo, ID tokens, tokeninfo and people/me show it. */
export interface Identity {
  accountId: string
  sub: string
  email: string
  domain: string | null
  name?: string
  givenName?: string
  familyName?: string
  picture?: string
}

export function identityOf (row: Pick<IdentityRow, 'id' | 'domain' | 'email'> & { profile: AccountProfile | string | null }): Identity {
  const profile = typeof row.profile === 'string' ? JSON.parse(row.profile) as AccountProfile : row.profile
  const name = profile?.names?.[0]
  const full = name?.displayName ?? ([name?.givenName, name?.familyName].filter(Boolean).join(' ') || undefined)
  const picture = profile?.photos?.find(p => p.url !== undefined)?.url
  return {
    accountId: row.id,
    sub: profileId(row.id),
    email: accountEmail(row),
    domain: row.domain,
    ...(full === undefined ? {} : { name: full }),
    ...(name?.givenName === undefined ? {} : { givenName: name.givenName }),
    ...(name?.familyName === undefined ? {} : { familyName: name.familyName }),
    ...(picture === undefined ? {} : { picture })
  }
}
