/**
 * Google's sign-in front door on the emulator's own port (FIDELITY.md: oauth), at Google's paths
 * so that only the base URL changes: the authorization page (`/o/oauth2/v2/auth`, and
 * `/o/oauth2/auth`, Go's default), the token endpoint (`/token`, and its older homes), revoke,
 * tokeninfo, userinfo, the OpenID discovery document and the signing keys (JWK and PEM).
 * Answers are Google's: JSON pretty-printed with two spaces and `no-store` for tokens, HTML for
 * the pages. Not the control plane: an app reaches these as it reaches Google (CORS as the API's).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { baseUrl } from '../src/http.js'
import { ApiError } from '../src/errors.js'
import { AuthPageError, OAuthError } from '../src/oauth/context.js'
import { addAccount, alreadyGranted, approve, candidates, checkAuthRequest, denied, hintedAccount, interactionRequired, type AuthRequest } from '../src/oauth/authorize.js'
import { mintTokensRedacted, redactForm, redactJson } from '../src/oauth/redact.js'
import { EMAIL } from '../src/fixtures/oauth.js'
import { revoke, tokenInfo, tokenRequest, userInfo } from '../src/oauth/tokens.js'
import { certificatePem } from '../src/oauth/keys.js'
import { CONSENT_CSS, CONSENT_CSS_PATH, consentPage, errorPage } from '../src/oauth/pages.js'
import { tokenOf } from '../src/plugins/auth.js'
import { parseJsonBody } from '../src/plugins/wire.js'
import { isCrossOrigin } from '../src/control-plane.js'
import type { RouteGroup } from '../src/route-groups.js'
import type { BodyReading } from '../src/types.js'
import type { Identity } from '../src/oauth/context.js'

const AUTH_PATHS = ['/o/oauth2/v2/auth', '/o/oauth2/auth']
const TOKEN_PATHS = ['/token', '/oauth2/v4/token', '/oauth2/v3/token', '/o/oauth2/token']
/** The consent page's policy: the web UI's, but its form may post, and be redirected to the app. */
const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"
const NO_STORE = { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache', expires: 'Mon, 01 Jan 1990 00:00:00 GMT' }
/** Fields of the consent form that are the person's answer, not the app's request. */
const FORM_FIELDS = new Set(['account', 'new_email', 'new_name', 'decision'])

type Params = Record<string, string>

/** One value per name, the first, as for a query. */
function firstValues (params: URLSearchParams): Params {
  const out: Params = {}
  for (const [k, v] of params) if (!(k in out)) out[k] = v
  return out
}

/** One value per name (the first), from a parsed query or body. */
function single (value: unknown): Params {
  const out: Params = {}
  if (value === null || typeof value !== 'object') return out
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v
    if (typeof first === 'string') out[k] = first
    else if (typeof first === 'number' || typeof first === 'boolean') out[k] = String(first)
  }
  return out
}

/** Sends text as it is (the wire plugin's serializer would write a string as JSON). */
function text (reply: FastifyReply, body: string): FastifyReply {
  return reply.serializer((p: unknown) => p as string).send(body)
}

function json (reply: FastifyReply, status: number, body: unknown, request: FastifyRequest, redacted?: string): FastifyReply {
  request.redactedResponse = redacted
  return text(reply.status(status).headers({ 'content-type': 'application/json; charset=utf-8', ...NO_STORE }), JSON.stringify(body, null, 2))
}

/**
 * An HTML page; the journal keeps its title only (the consent page lists every account that
 * signs in, the error page the request's parameters).
 */
function html (reply: FastifyReply, status: number, page: string): FastifyReply {
  reply.request.redactedResponse = /<title>([^<]*)<\/title>/.exec(page)?.[1] ?? ''
  return text(reply.status(status).headers({ 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP, 'x-frame-options': 'DENY', ...NO_STORE }), page)
}

/** A body the endpoint could not read is its 400 `invalid_request`. */
function bodyOk (request: FastifyRequest): void {
  if (request.bodyProblem !== undefined) throw new OAuthError(400, 'invalid_request', request.bodyProblem)
}

/** The store is past its budget: what would grow it (a grant, a code, tokens) is refused. */
class StorageFull extends Error {}

function oauthFailure (reply: FastifyReply, request: FastifyRequest, err: unknown): FastifyReply {
  if (err instanceof OAuthError) return json(reply, err.status, err.toBody(), request)
  throw err
}

declare module 'fastify' {
  interface FastifyRequest {
    /** What was wrong with the body of a sign-in request (answered by the endpoint in its own shape). */
    bodyProblem: string | undefined
  }
}

/** A body a sign-in endpoint cannot read: the endpoint answers it in its own shape (bodyProblem). */
function unreadable (request: FastifyRequest): undefined {
  const type = request.headers['content-type']
  request.bodyProblem = type === undefined || type === '' ? 'Missing Content-Type: send application/x-www-form-urlencoded.' : `Invalid Content-Type "${type.slice(0, 100)}": send application/x-www-form-urlencoded.`
  return undefined
}

/**
 * Bodies as Google's endpoints take them: forms, or JSON. The journal keeps them with their
 * secrets redacted; a body that is neither (or malformed JSON) is answered by the endpoint in
 * its own shape (bodyProblem), not with the API's envelope.
 */
const SIGN_IN_BODIES: BodyReading = {
  form: (request, bytes) => {
    const text = bytes.toString('utf8')
    request.bodyText = redactForm(text)
    return firstValues(new URLSearchParams(text))
  },
  json: (request, text) => {
    let value: unknown = {}
    try {
      value = parseJsonBody(text)
    } catch {
      request.bodyProblem = 'Invalid JSON payload received.'
    }
    request.bodyText = redactJson(value, text)
    return value
  },
  other: unreadable
}

/**
 * The sign-in's routes, added to the app's route group (src/route-groups.ts): their bodies are
 * read, and their errors answered, as the sign-in's (their settings' `bodies` and `errors`).
 */
export default function oauthRoutes (app: FastifyInstance, group: RouteGroup): void {
  const ctx = app.oauth
  app.decorateRequest('bodyProblem', undefined)

  // What Fastify or the store throws on these paths is answered in the endpoint's own shape:
  // the HTML page on the authorization path, `{"error","error_description"}` elsewhere.
  const errors = (err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const full = err instanceof StorageFull || (err as { code?: string }).code === 'SQLITE_FULL'
    // The emulator's own refusals (a system parameter that is not valid, the shutdown's 503)
    // carry their status and say why; Fastify's carry a status code.
    const own = err instanceof ApiError ? err : undefined
    const code = own?.httpStatus ?? err.statusCode
    // (An empty Content-Type is Fastify's 415: a missing one, as Google would say.)
    const status = full ? 429 : code === 415 ? 400 : code !== undefined && ((code >= 400 && code < 500) || code === 503) ? code : 500
    const description = full
      ? `The emulator holds as much as it may (--max-storage ${app.config.maxStorageMiB} MiB): reset it or delete what a test no longer needs.`
      : own !== undefined && status !== 500 ? own.message : code === 415 ? 'Missing Content-Type: send application/x-www-form-urlencoded.' : status === 413 ? 'Request payload size exceeds the limit.' : status < 500 ? 'Bad Request' : 'Internal error.'
    if (status === 500) request.log.error({ err }, 'sign-in request failed')
    const error = status < 500 && !full ? 'invalid_request' : full || status === 503 ? 'temporarily_unavailable' : 'internal_failure'
    if (AUTH_PATHS.includes(request.route.url ?? '')) return html(reply, status, errorPage(new AuthPageError(status, error === 'invalid_request' ? error : 'temporarily_unavailable', [description])))
    return json(reply, status, { error, error_description: description }, request)
  }
  const routes = group.withDefaults({ bodies: SIGN_IN_BODIES, errors })

  /** Files the call under its account in the journal (its answer is about that account). */
  const attribute = (request: FastifyRequest, accountId: string): void => {
    request.account = { id: accountId, token: '', scopes: [], createdTime: '', stored: true, generation: app.accounts.generation, domain: null, declared: true, identity: null }
  }

  /** The consent page for the request, the accounts it offers read once by the caller. */
  const showConsent = (reply: FastifyReply, request: FastifyRequest, req: AuthRequest, params: Params, accounts: Identity[], extra: { problem?: string, selected?: string, newEmail?: string, newName?: string } = {}): FastifyReply => {
    const view = {
      action: request.route.url!,
      appName: req.client?.name ?? req.clientId,
      params: Object.entries(params).filter(([k]) => !FORM_FIELDS.has(k)),
      accounts,
      scopes: req.scope.scopes,
      ...extra
    }
    if (view.selected === undefined && req.loginHint !== undefined) {
      const hinted = hintedAccount(accounts, req)
      // A hint naming nobody known is the address "use another account" starts with.
      if (hinted !== undefined) view.selected = hinted.accountId
      else if (EMAIL.test(req.loginHint)) Object.assign(view, { selected: '', newEmail: req.loginHint })
    }
    return html(reply, extra.problem === undefined ? 200 : 400, consentPage(view))
  }

  /** The request checked; undefined once Google's error page for it is sent (never back to the app). */
  const checked = (reply: FastifyReply, params: Params): AuthRequest | undefined => {
    try {
      return checkAuthRequest(ctx, params)
    } catch (err) {
      if (!(err instanceof AuthPageError)) throw err
      html(reply, err.status, errorPage(err))
      return undefined
    }
  }

  const authorize = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const params = single(request.query)
    const req = checked(reply, params)
    if (req === undefined) return reply
    const accounts = candidates(ctx, req)
    const hinted = hintedAccount(accounts, req)
    if (req.prompt.has('none')) {
      // No session in the emulator: the account comes from login_hint, and must have granted it all.
      if (hinted === undefined || !alreadyGranted(ctx, req, hinted.accountId)) return reply.redirect(interactionRequired(ctx, req), 302)
      attribute(request, hinted.accountId)
      return reply.redirect(approve(ctx, req, hinted, false), 302)
    }
    // select_account asks for the chooser: the page is shown even when auto-approving.
    if (ctx.autoApprove && hinted !== undefined && !req.prompt.has('select_account')) {
      const shown = !alreadyGranted(ctx, req, hinted.accountId) || req.prompt.has('consent')
      attribute(request, hinted.accountId)
      return reply.redirect(approve(ctx, req, hinted, shown), 302)
    }
    return showConsent(reply, request, req, params, accounts)
  }

  const decide = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (app.storageBudget.full()) throw new StorageFull()
    if (request.bodyProblem !== undefined) return html(reply, 400, errorPage(new AuthPageError(400, 'invalid_request', [request.bodyProblem])))
    // A person's answer comes from the consent page itself: a page of another origin (its form
    // or its script) cannot grant itself an account (the control plane's own check).
    if (isCrossOrigin(request)) return html(reply, 403, errorPage(new AuthPageError(403, 'access_denied', ['The consent form was sent from another site: open the sign-in link again.'])))
    const form = single(request.body)
    const params: Params = Object.fromEntries(Object.entries(form).filter(([k]) => !FORM_FIELDS.has(k)))
    const req = checked(reply, params)
    if (req === undefined) return reply
    if (form.decision !== 'allow') return reply.redirect(denied(ctx, req), 302)
    const accounts = candidates(ctx, req)
    const chosen = form.account ?? ''
    if (chosen !== '') {
      const account = accounts.find(a => a.accountId === chosen)
      if (account === undefined) return showConsent(reply, request, req, params, accounts, { problem: 'Choose one of the accounts listed.' })
      attribute(request, account.accountId)
      return reply.redirect(approve(ctx, req, account, true), 302)
    }
    const email = (form.new_email ?? '').trim()
    const name = (form.new_name ?? '').trim()
    const again = { selected: '', newEmail: email, newName: name }
    if (!EMAIL.test(email) || !email.slice(email.indexOf('@')).includes('.') || email.length > 254) return showConsent(reply, request, req, params, accounts, { ...again, problem: 'Enter an email address, such as ada@example.com.' })
    if (req.hd !== undefined) return showConsent(reply, request, req, params, accounts, { ...again, problem: `Only accounts of ${req.hd === '*' ? 'a Workspace domain' : req.hd} can sign in here: choose one of those listed.` })
    const owner = app.accounts.accountByEmail(email)
    const existing = owner === undefined ? undefined : accounts.find(a => a.accountId === owner)
    if (existing !== undefined) {
      attribute(request, existing.accountId)
      return reply.redirect(approve(ctx, req, existing, true), 302)
    }
    if (owner !== undefined || app.accounts.accountExists(email)) return showConsent(reply, request, req, params, accounts, { ...again, problem: `"${email}" cannot sign in here: it names an account already.` })
    const added = addAccount(ctx, email, name)
    attribute(request, added.accountId)
    return reply.redirect(approve(ctx, req, added, true), 302)
  }

  for (const path of AUTH_PATHS) {
    routes.get(path, { config: { noCors: true } }, authorize)
    routes.post(path, { config: { noCors: true } }, decide)
  }
  routes.get(CONSENT_CSS_PATH, { config: { noCors: true } }, async (_request, reply) => text(reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600'), CONSENT_CSS))

  const token = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    try {
      bodyOk(request)
      if (app.storageBudget.full()) throw new StorageFull()
      const { answer, accountId } = tokenRequest(ctx, single(request.body), request.headers.authorization)
      attribute(request, accountId)
      return json(reply, 200, answer, request, mintTokensRedacted(answer))
    } catch (err) {
      return oauthFailure(reply, request, err)
    }
  }
  for (const path of TOKEN_PATHS) routes.post(path, token)

  const revokeRoute = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    try {
      bodyOk(request)
      revoke(ctx, single(request.query).token ?? single(request.body).token)
      return json(reply, 200, {}, request)
    } catch (err) {
      return oauthFailure(reply, request, err)
    }
  }
  routes.post('/revoke', revokeRoute)
  // The legacy address took GET as well (observed); oauth2.googleapis.com/revoke answers GET with a 404 page.
  routes.route({ method: ['GET', 'POST'], url: '/o/oauth2/revoke', handler: revokeRoute })
  routes.get('/revoke', async (_request, reply) => html(reply, 404, '<!doctype html><html lang="en"><title>Error 404 (Not Found)</title><p>404. That’s an error.</p><p>The requested URL /revoke was not found on this server.</p></html>'))

  const info = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const params = { ...single(request.body), ...single(request.query) }
    const bearer = tokenOf(request)
    try {
      bodyOk(request)
      const { answer, accountId } = tokenInfo(ctx, { id_token: params.id_token, access_token: params.access_token ?? (typeof bearer === 'string' ? bearer : undefined) })
      attribute(request, accountId)
      return json(reply, 200, answer, request)
    } catch (err) {
      return oauthFailure(reply, request, err)
    }
  }
  for (const path of ['/tokeninfo', '/oauth2/v3/tokeninfo']) routes.route({ method: ['GET', 'POST'], url: path, handler: info })

  const user = (legacy: boolean) => (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const bearer = tokenOf(request)
    try {
      const { answer, accountId } = userInfo(ctx, typeof bearer === 'string' ? bearer : undefined, legacy)
      attribute(request, accountId)
      return json(reply, 200, answer, request)
    } catch (err) {
      return oauthFailure(reply, request, err)
    }
  }
  for (const path of ['/v1/userinfo', '/oauth2/v3/userinfo']) routes.route({ method: ['GET', 'POST'], url: path, handler: user(false) })
  routes.route({ method: ['GET', 'POST'], url: '/oauth2/v2/userinfo', handler: user(true) })

  routes.get('/.well-known/openid-configuration', async (request, reply) => {
    const base = baseUrl(request)
    return text(reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'public, max-age=3600'), JSON.stringify({
      issuer: ctx.issuer,
      authorization_endpoint: `${base}/o/oauth2/v2/auth`,
      token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/v1/userinfo`,
      revocation_endpoint: `${base}/revoke`,
      jwks_uri: `${base}/oauth2/v3/certs`,
      response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: ['aud', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'picture', 'sub'],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'refresh_token']
    }, null, 1))
  })
  // The keys: clients keep them for max-age seconds; the emulator's key changes at each start unless seeded.
  const KEYS_CACHE = 'public, max-age=300, must-revalidate, no-transform'
  routes.get('/oauth2/v3/certs', async (_request, reply) =>
    text(reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', KEYS_CACHE), JSON.stringify({ keys: [ctx.key().jwk] }, null, 2)))
  let pem: string | undefined
  routes.get('/oauth2/v1/certs', async (_request, reply) => {
    const key = ctx.key()
    pem ??= await certificatePem(key)
    return text(reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', KEYS_CACHE), JSON.stringify({ [key.kid]: pem }, null, 1))
  })
}
