/** Helpers for contact-group tests: inject calls that check every 2xx body against the schema. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { bearer, body } from './app.js'
import { assertConforms } from './schema.js'

interface T { equal: (...args: any[]) => unknown, same: (...args: any[]) => unknown }

export async function createGroup (t: T, app: FastifyInstance, name: string, token = 'test-token', extra: Record<string, unknown> = {}): Promise<any> {
  const res = await app.inject({ method: 'POST', url: '/v1/contactGroups', headers: bearer(token), payload: { contactGroup: { name, ...extra } } })
  t.equal(res.statusCode, 200, `create group: ${res.body.slice(0, 300)}`)
  assertConforms(t, 'ContactGroup', body(res))
  return body(res)
}

export async function updateGroup (app: FastifyInstance, resourceName: string, payload: Record<string, unknown>, token = 'test-token'): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'PUT', url: `/v1/${resourceName}`, headers: bearer(token), payload })
}

export async function getGroup (t: T, app: FastifyInstance, resourceName: string, query = '', token = 'test-token'): Promise<any> {
  const res = await app.inject({ url: `/v1/${resourceName}${query}`, headers: bearer(token) })
  t.equal(res.statusCode, 200, `get group: ${res.body.slice(0, 300)}`)
  assertConforms(t, 'ContactGroup', body(res))
  return body(res)
}

export async function modify (app: FastifyInstance, resourceName: string, payload: Record<string, unknown>, token = 'test-token'): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'POST', url: `/v1/${resourceName}/members:modify`, headers: bearer(token), payload })
}

export const member = (name: string): unknown => ({ contactGroupMembership: { contactGroupResourceName: name } })
