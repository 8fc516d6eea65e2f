/**
 * Every method of the discovery document, routed in one place. A method with an
 * implementation gets its handler; every other one answers 501 UNIMPLEMENTED naming the
 * method, never a silent 404 or a fake success.
 */
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import type { MethodId, Methods } from '../../src/generated/contract.js'
import type { Account } from '../../src/types.js'
import { methods } from '../../src/generated/discovery.js'
import type { MethodDescriptor } from '../../src/discovery/types.js'
import { unimplemented } from '../../src/errors.js'
import type { Routes } from '../../src/route-groups.js'
import { peopleImplementations } from './people.js'
import { contactGroupImplementations } from './contact-groups.js'
import { connectionImplementations } from './connections.js'
import { otherContactImplementations } from './other-contacts.js'
import { directoryImplementations } from './directory.js'

/**
 * The request a handler of method `K` gets: its path and query parameters as the wire checked and
 * converted them (`api`), and the account its token names — never null on an API route: the
 * auth plugin answers 401 or 403 before any handler runs.
 */
export interface ApiRequest<K extends MethodId> extends FastifyRequest {
  api: Methods[K]['params']
  account: Account
}

/** A handler of method `K`: it answers the method's response type (a promise only when it waits). */
export type ApiHandler<K extends MethodId> = (request: ApiRequest<K>, reply: FastifyReply) => Methods[K]['response'] | Promise<Methods[K]['response']>

/** Handlers by discovery method id, each typed by the generated contract (src/generated/contract.ts). */
export type Implementations = { readonly [K in MethodId]?: ApiHandler<K> }

/**
 * Handlers that stand in for methods in tests (a probe that echoes what reached it): any
 * Fastify handler, under a method id that exists.
 */
export type ProbeImplementations = { readonly [K in MethodId]?: ApiHandler<K> | RouteHandlerMethod }

/** The methods the emulator implements, from each resource's route file. */
export const implementations: Implementations = {
  ...peopleImplementations,
  ...contactGroupImplementations,
  ...connectionImplementations,
  ...otherContactImplementations,
  ...directoryImplementations
}

/**
 * The Fastify path of a flat discovery path. Google's custom verbs follow a literal `:`
 * (`people/{peopleId}:updateContact`); a parameter must end before it, so each one is a
 * regex-terminated parameter that matches no `:` or `/`, and the verb's colon is escaped.
 */
export function routePath (method: MethodDescriptor): string {
  return '/' + method.flatPath
    .replace(/:/g, '::')
    .replace(/\{(\w+)\}/g, (_, name: string) => `:${name}(^[^:/]+)`)
}

export function unimplementedHandler (method: MethodDescriptor): RouteHandlerMethod {
  const message = `Method ${method.id} is not implemented by this emulator. GET /_emulator/fidelity lists what is emulated.`
  return async () => { throw unimplemented(message) }
}

/** Adds the API's routes to the app's group: found by a router built once per process, behind one Fastify route (src/route-groups.ts). */
export default async function v1Routes (routes: Routes, options: { implementations?: ProbeImplementations }): Promise<void> {
  const handlers: ProbeImplementations = { ...implementations, ...options.implementations }
  for (const method of methods) {
    const handler = handlers[method.id]
    routes.route({
      method: method.httpMethod,
      url: routePath(method),
      config: { apiMethod: method },
      // The one place a typed handler meets Fastify's: the wire plugin has set `request.api` to
      // this method's parameters and the auth plugin `request.account` before it runs.
      handler: handler === undefined ? unimplementedHandler(method) : handler as RouteHandlerMethod
    })
  }
}
