/** Helpers for contact tests: create and read through inject, checking every 2xx body. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { bearer, body } from './app.js'
import { assertConforms } from './schema.js'

// Loose on purpose: tap's assertion signatures are overloaded.
interface T { equal: (...args: any[]) => unknown, same: (...args: any[]) => unknown }

export async function createContact (t: T, app: FastifyInstance, person: Record<string, unknown>, token = 'test-token', query = ''): Promise<any> {
  const res = await app.inject({ method: 'POST', url: `/v1/people:createContact${query}`, headers: bearer(token), payload: person })
  t.equal(res.statusCode, 200, `createContact: ${res.body.slice(0, 300)}`)
  const created = body(res)
  assertConforms(t, 'Person', created)
  return created
}

export async function getPerson (t: T, app: FastifyInstance, resourceName: string, personFields: string, token = 'test-token'): Promise<any> {
  const res = await app.inject({ url: `/v1/${resourceName}?personFields=${personFields}`, headers: bearer(token) })
  t.equal(res.statusCode, 200, `get: ${res.body.slice(0, 300)}`)
  const person = body(res)
  assertConforms(t, 'Person', person)
  return person
}

export async function update (app: FastifyInstance, resourceName: string, person: Record<string, unknown>, query: string, token = 'test-token'): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'PATCH', url: `/v1/${resourceName}:updateContact?${query}`, headers: bearer(token), payload: person })
}

/** Google's error envelope with one legacy error. */
export function apiError (code: number, status: string, reason: string, message: string): unknown {
  return { error: { code, message, errors: [{ message, domain: 'global', reason }], status } }
}
