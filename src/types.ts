/** What the plugins add to Fastify's instance and request objects. */
import type { FastifyError, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Db } from '../db/database.js'
import type { AccountProfile, PackedAccount, StoredClient, StoredDomain } from '../db/model.js'
import type { AccountsStore } from '../db/accounts-store.js'
import type { ContactsStore } from '../db/contacts-store.js'
import type { OtherPeopleStore } from '../db/other-people-store.js'
import type { GroupsStore } from '../db/groups-store.js'
import type { Changes } from '../db/changes.js'
import type { Snapshots } from '../db/snapshots.js'
import type { SyncTokens } from '../db/sync-tokens.js'
import type { StorageBudget } from './plugins/storage.js'
import type { EmulatorClock } from './clock.js'
import type { Config } from './config.js'
import type { ParamValue, SystemParams } from './discovery/query.js'
import type { MethodDescriptor } from './discovery/types.js'
import type { RandomSource } from './ids.js'
import type { RenderCache } from './people/render.js'
import type { Routes } from './route-groups.js'
import type { Person } from './schemas/generated.js'

/** The authenticated caller of a request. */
export interface Account {
  id: string
  /**
   * What the account shows of itself on `people/me` (FIDELITY.md: oauth, people/me): its declared
   * address and profile, and whether the token came from the sign-in front door (which shows
   * the default address too). null: an undeclared token's account, which shows nothing.
   */
  identity: { email: string | null, profile: AccountProfile | null, minted: boolean } | null
  /** The token the request came with. */
  token: string
  scopes: readonly string[]
  /**
   * When the account was created: sync tokens from an account that was since recreated are
   * expired. Empty while the account is not stored.
   */
  createdTime: string
  /**
   * False for the account an undeclared token names before its first write: reads see an
   * empty account, and the first mutation stores it (src/plugins/auth.ts, ensureAccount).
   */
  stored: boolean
  /** The state store's generation when the account was resolved (see AccountsStore.generation). */
  generation: number
  /** The Workspace domain the account belongs to; null: a consumer account. */
  domain: string | null
  /**
   * Declared by fixtures or an import (its contents were stored whole, not written by its own
   * calls); false for an undeclared token's account, stored by its first write.
   */
  declared: boolean
}

/**
 * How a route reads a body, by its type, when not as the API does (src/plugins/wire.ts): what
 * the handler gets as `request.body`, or an error thrown. The sign-in's endpoints read forms
 * and answer a body they cannot read themselves; /batch reads the bytes of a multipart body.
 * A form or a multipart body is read only for a route that has a reader for it: for any other,
 * it is a body of another type, not read.
 */
export interface BodyReading {
  /** An application/json body, its text. */
  json: (request: FastifyRequest, text: string) => unknown
  /** An application/x-www-form-urlencoded body, its bytes. */
  form?: (request: FastifyRequest, bytes: Buffer) => unknown
  /** A multipart/mixed body, its bytes. */
  multipart?: (request: FastifyRequest, bytes: Buffer) => unknown
  /** A body of any other type (or none named), not read. */
  other: (request: FastifyRequest) => unknown
}

/** How a route answers an error, when not with the API's envelope (the sign-in's own shapes). */
export type ErrorAnswer = (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => FastifyReply

/** The per-route settings the wire plugin reads. */
export interface RouteSettings {
  /** The discovery method this route serves (every /v1 route has one). */
  apiMethod?: MethodDescriptor
  /** Query parameters of a control-plane route, besides the system ones. */
  queryParams?: readonly string[]
  /** Answers compact JSON unless `prettyPrint=true` (the control plane's answers are for code). */
  compact?: boolean
  /** Answers even while exclusive work (an import) holds the database: it does not use it. */
  ungated?: boolean
  /** A page or asset of the web UI (routes/ui.ts): no data, so no control token needed. */
  page?: boolean
  /** A route of the control plane (set on every route routes/emulator.ts registers): it never answers JSONP. */
  controlPlane?: boolean
  /** A page of the sign-in front door (routes/oauth.ts): never readable cross-origin, as Google's accounts pages are not. */
  noCors?: boolean
  /**
   * Who may call the route, checked after every other request hook (src/app.ts): the discovery
   * document's host check (its rootUrl follows the Host header), the control plane's guard
   * (src/control-plane.ts).
   */
  guard?: onRequestHookHandler
  /** Its bodies read otherwise than the API's (the sign-in's, /batch): src/plugins/wire.ts. */
  bodies?: BodyReading
  /** Its errors answered otherwise than with the API's envelope (the sign-in's). */
  errors?: ErrorAnswer
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    /** The control plane's routes, under /_emulator/ (routes/emulator.ts): its files add to them. */
    controlRoutes: Routes
    db: Db
    /** Accounts, their tokens, and the bulk operations of the control plane (db/accounts-store.ts). */
    accounts: AccountsStore
    contacts: ContactsStore
    groups: GroupsStore
    /** Accounts' other contacts (FIDELITY.md: other contacts). */
    otherContacts: OtherPeopleStore
    /** Domains' directories (FIDELITY.md: directory). */
    directory: OtherPeopleStore
    /** The domains the fixtures declared at start: what a whole reset goes back to. */
    startDomains: () => readonly StoredDomain[]
    startClients: () => readonly StoredClient[]
    /** A file database kept its state over the start fixtures (`--fixtures-on-start new-database`). */
    fixturesKept: boolean
    /** How much the database holds against --max-storage. */
    storageBudget: StorageBudget
    /** Change positions and tombstones, shared by the stores. */
    changes: Changes
    /** The sync tokens handed out in this history (db/sync-tokens.ts). */
    syncTokens: SyncTokens
    /** Named snapshots of the whole state (db/snapshots.ts). */
    snapshots: Snapshots
    /** Prunes tombstones now (it also runs every 10 s): older than 7 days, or beyond an account's bound. */
    pruneTombstones: () => void
    /** Rendered people, by account and contact version (see src/people/render.ts). */
    renderings: RenderCache<Person>
    clock: EmulatorClock
    random: RandomSource
    /** Whether the emulator is closing (its close has begun). */
    isClosing: () => boolean
    /** Brings the clock (fixed mode) and a seeded random stream back to where they were after the start fixtures. */
    rewind: () => void
    /** The accounts the fixtures declared at start, contacts packed as text: what reset goes back to. */
    startAccounts: () => readonly PackedAccount[]
  }
  interface FastifyRequest {
    /** Set by the wire plugin's first hook; null only for a request refused before it (closing). */
    sys: SystemParams
    account: Account | null
    /** The method's path and query parameters, checked and converted. */
    api: Record<string, ParamValue>
  }
  interface FastifyContextConfig extends RouteSettings {}
}
