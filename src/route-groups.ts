/**
 * Routes by the hundred, registered at the cost of a few. Fastify compiles each route it is
 * given (its context, its hooks, find-my-way's matching functions, a HEAD twin for each GET):
 * the emulator's ~130 routes took some 8 ms of every start, in every emulator a process starts.
 * A route group takes a context's routes under a few path prefixes instead: Fastify gets one
 * wildcard route per prefix (`/*` for the app's own: the API, the discovery document, the
 * control plane), and the routes themselves go into a find-my-way router built once per process
 * (the paths are the same in every emulator; only the handlers differ, and they are kept per
 * emulator, by the router's index). A route Fastify has itself (`/_emulator/import`, whose body
 * limit is its own) is found before a wildcard, as a static path always is. Routes that read
 * bodies or answer errors otherwise than the API say so in their settings (`bodies`, `errors`:
 * src/plugins/wire.ts) rather than in a context of their own.
 *
 * What a request sees is unchanged: the first request hook (`resolveRoute`, registered before
 * every other) reads the route the router finds — its path pattern, its settings, its
 * parameters — into `request.route` and `request.params`, where the hooks read them for a
 * group's routes and Fastify's alike; the router has Fastify's options (case-sensitive, no
 * trailing-slash or duplicate-slash folding, parameters of at most 100 characters), a GET
 * route answers HEAD as Fastify's do, and a path no route matches is answered by the not-found
 * handler (`reply.callNotFound()`), a longer parameter with Fastify's own error. A route
 * with options other than `config` (a body limit of its own), or outside the group's
 * prefixes, is given to Fastify as it is.
 */
import FindMyWay from 'find-my-way'
import { errorCodes, type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods, type RouteHandlerMethod, type RouteShorthandOptions } from 'fastify'
import symbols from 'fastify/lib/symbols.js'
import type { RouteSettings } from './types.js'
import { isControlPlanePath } from './http.js'

/** Where Fastify keeps a request's route context (its `routeOptions` getter builds an object of ten fields from it on every read). */
const ROUTE_CONTEXT: symbol = (symbols as { kRouteContext: symbol }).kRouteContext
if (typeof ROUTE_CONTEXT !== 'symbol') throw new Error('fastify/lib/symbols.js has no kRouteContext: this Fastify is not one src/route-groups.ts knows')

/** A route as the request hooks see it: its settings, with its path pattern (undefined: no route matched). */
export interface ResolvedRoute extends RouteSettings {
  url?: string
  /** A group's route: its handler (for the group's wildcard to call). */
  handler?: RouteHandlerMethod
  /** A group's path whose parameter is longer than the router takes: the error to answer. */
  tooLong?: string
}

/** What no route matched: the hooks see no path pattern and no settings. */
const NO_ROUTE: ResolvedRoute = Object.freeze({})

interface Entry { methods: HTTPMethods[], url: string, route: ResolvedRoute }

/** Marks a wildcard route's settings: the group to look the path up in. */
interface GroupSettings { group?: RouteGroup }

const NO_QUERY = Object.freeze({})

type Router = FindMyWay.Instance<FindMyWay.HTTPVersion.V1>

/** Routers by the routes they hold (methods and paths, in order): one per kind of group, per process; the latest few. */
const routers = new Map<string, Router>()
const ROUTERS_KEPT = 4

// Fastify's defaults (fastify.js, buildRouterOptions), so that a path matches here exactly as it did there.
const ROUTER_OPTIONS = {
  caseSensitive: true,
  ignoreTrailingSlash: false,
  ignoreDuplicateSlashes: false,
  maxParamLength: 100,
  useSemicolonDelimiter: false,
  onMaxParamLength: (path: string) => path,
  onBadUrl: () => {},
  // Fastify parses the query string itself: not twice.
  querystringParser: () => NO_QUERY
} as unknown as FindMyWay.Config<FindMyWay.HTTPVersion.V1>

/** A router's handler: unused (the route is found by its index). */
const UNUSED = (): void => {}

/**
 * The router of these paths (methods and paths, in order), built if it is the first. It is
 * the process's, so it holds only the paths: never an emulator's handlers, which would keep
 * the first emulator of the process in memory.
 */
function routerFor (paths: ReadonlyArray<{ readonly methods: readonly HTTPMethods[], readonly url: string }>): Router {
  const key = paths.map(e => `${e.methods.join(',')} ${e.url}`).join('\n')
  let router = routers.get(key)
  if (router !== undefined) return router
  router = FindMyWay(ROUTER_OPTIONS)
  // (A GET route answers HEAD as well: see resolve. Not routed twice: each route the router is
  // given costs it compiled functions, and the first start of a process waits for them.)
  for (const [index, { methods, url }] of paths.entries()) router.on(methods as FindMyWay.HTTPMethod[], url, UNUSED, { index })
  if (routers.size >= ROUTERS_KEPT) routers.delete(routers.keys().next().value!)
  routers.set(key, router)
  return router
}

type Shorthand = (url: string, optionsOrHandler: RouteShorthandOptions | RouteHandlerMethod, handler?: RouteHandlerMethod) => void

/** What routes are added with, as to Fastify (a group, or a group's routes with settings of their own: RouteGroup.withDefaults). */
export interface Routes {
  readonly get: Shorthand
  readonly post: Shorthand
  readonly put: Shorthand
  readonly patch: Shorthand
  readonly delete: Shorthand
  route: (options: RouteShorthandOptions & { method: HTTPMethods | HTTPMethods[], url: string, handler: RouteHandlerMethod }) => void
}

/**
 * The routes of one Fastify context under some path prefixes. Add routes as to Fastify
 * (`get`, `post`, `put`, `patch`, `delete`, `route`), then `mount()` once they are all added.
 */
export class RouteGroup implements Routes {
  private readonly entries: Entry[] = []
  private router: Router | undefined
  private mounted = false

  /**
   * @param app the context whose hooks, parsers and error handler the routes run with
   * @param prefixes the paths (ending in `/`) the group's wildcards cover
   * @param defaults settings every route of the group has (its own are added to them)
   */
  constructor (private readonly app: FastifyInstance, private readonly prefixes: readonly string[], private readonly defaults: RouteSettings = {}) {
    ({ get: this.get, post: this.post, put: this.put, patch: this.patch, delete: this.delete, route: this.route } = this.withDefaults({}))
  }

  readonly get: Shorthand
  readonly post: Shorthand
  readonly put: Shorthand
  readonly patch: Shorthand
  readonly delete: Shorthand
  readonly route: Routes['route']

  /** The group's routes with more settings of their own (the control plane's files add theirs so, under `controlPlane`). */
  withDefaults (more: RouteSettings): Routes {
    const defaults = { ...this.defaults, ...more }
    const shorthand = (method: HTTPMethods): Shorthand => (url, o, h) => { this.shorthand(defaults, [method], url, o, h) }
    return {
      get: shorthand('GET'),
      post: shorthand('POST'),
      put: shorthand('PUT'),
      patch: shorthand('PATCH'),
      delete: shorthand('DELETE'),
      route: options => { this.full(defaults, options) }
    }
  }

  private full (defaults: RouteSettings, options: RouteShorthandOptions & { method: HTTPMethods | HTTPMethods[], url: string, handler: RouteHandlerMethod }): void {
    const { method, url, handler, ...rest } = options
    this.add(defaults, Array.isArray(method) ? method : [method], url, rest, handler)
  }

  private shorthand (defaults: RouteSettings, methods: HTTPMethods[], url: string, optionsOrHandler: RouteShorthandOptions | RouteHandlerMethod, handler?: RouteHandlerMethod): void {
    if (typeof optionsOrHandler === 'function') this.add(defaults, methods, url, {}, optionsOrHandler)
    else this.add(defaults, methods, url, optionsOrHandler, handler!)
  }

  private add (defaults: RouteSettings, methods: HTTPMethods[], url: string, options: RouteShorthandOptions, handler: RouteHandlerMethod): void {
    if (this.mounted) throw new Error(`route ${url} added to a group already mounted`)
    const { config, ...others } = options
    const settings = { ...defaults, ...(config as RouteSettings | undefined) }
    // A route under the control plane's path without its mark and guard (app.controlRoutes gives
    // both: routes/emulator.ts) would answer without the guard.
    if (isControlPlanePath(url) && (settings.controlPlane !== true || settings.guard === undefined)) throw new Error(`route ${url} is under /_emulator/ but not marked controlPlane with the control plane's guard: add it to app.controlRoutes`)
    // Options of its own, or a path outside the prefixes: a route of Fastify's.
    if (Object.keys(others).length > 0 || !this.prefixes.some(p => url.startsWith(p))) {
      this.app.route({ ...others, method: methods, url, config: settings, handler })
      return
    }
    this.entries.push({ methods, url, route: { ...settings, url, handler } })
  }

  /** Gives Fastify the wildcards, and takes the process's router for these routes (built if it is the first). */
  mount (): void {
    this.mounted = true
    this.router = routerFor(this.entries.map(({ methods, url }) => ({ methods, url })))
    const settings: RouteSettings & GroupSettings = { ...this.defaults, group: this }
    for (const prefix of this.prefixes) {
      // The methods its routes take (HEAD with GET): a request of another is Fastify's not found, as it was.
      const methods = new Set(this.entries.filter(e => e.url.startsWith(prefix)).flatMap(e => e.methods))
      if (methods.size === 0) continue
      if (methods.has('GET')) methods.add('HEAD')
      this.app.route({ method: [...methods], url: `${prefix}*`, config: settings, handler: dispatch })
    }
  }

  /** The route of a path under the group's prefixes: NO_ROUTE when none matches. */
  resolve (request: FastifyRequest): ResolvedRoute {
    const router = this.router!
    // A GET route answers HEAD too (Fastify's exposeHeadRoutes), unless a HEAD route matches the path.
    const found = router.find(request.method as FindMyWay.HTTPMethod, request.url) ?? (request.method === 'HEAD' ? router.find('GET', request.url) : null)
    if (found === null) return NO_ROUTE
    // A parameter longer than the router takes: its onMaxParamLength answers the path.
    if (found.store === null) return { tooLong: (found.handler as unknown as () => string)() }
    request.params = found.params
    return this.entries[(found.store as { index: number }).index]!.route
  }
}

/** A wildcard's handler: the route's own, or not found. */
function dispatch (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply): unknown {
  const route = request.route
  if (route.handler !== undefined) return route.handler.call(this, request, reply)
  if (route.tooLong !== undefined) throw new errorCodes.FST_ERR_MAX_PARAM_LENGTH(route.tooLong)
  return reply.callNotFound()
}

/**
 * The first request hook of every request: `request.route` for the hooks after it (a group's
 * route found by its router, or Fastify's route's settings).
 */
export function resolveRoute (request: FastifyRequest): void {
  const config = (request as unknown as Record<symbol, { config: ResolvedRoute & GroupSettings }>)[ROUTE_CONTEXT]!.config
  request.route = config.group === undefined ? config : config.group.resolve(request)
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The route the request goes to, as resolveRoute found it (src/route-groups.ts). */
    route: ResolvedRoute
  }
}
