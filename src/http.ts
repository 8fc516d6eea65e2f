/** Small facts about the HTTP request that several routes need. */
import type { FastifyRequest } from 'fastify'

/** The emulator's own absolute address as the client reached it: `http://127.0.0.1:8090`. */
export function baseUrl (request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`
}
