/**
 * Every method of the discovery document, routed in one place. A method with an
 * implementation gets its handler; every other one answers 501 UNIMPLEMENTED naming the
 * method, never a silent 404 or a fake success.
 */
import type { FastifyInstance, RouteHandlerMethod } from 'fastify'
import { methods } from '../../src/generated/discovery.js'
import type { MethodDescriptor } from '../../src/discovery/types.js'
import { unimplemented } from '../../src/errors.js'
import { peopleImplementations } from './people.js'
import { contactGroupImplementations } from './contact-groups.js'
import { connectionImplementations } from './connections.js'
import { otherContactImplementations } from './other-contacts.js'
import { directoryImplementations } from './directory.js'

/** Handlers by discovery method id. */
export type Implementations = Readonly<Record<string, RouteHandlerMethod>>

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

export default async function v1Routes (app: FastifyInstance, options: { implementations?: Implementations }): Promise<void> {
  const handlers = { ...implementations, ...options.implementations }
  for (const method of methods) {
    app.route({
      method: method.httpMethod,
      url: routePath(method),
      config: { apiMethod: method },
      handler: handlers[method.id] ?? unimplementedHandler(method)
    })
  }
}
