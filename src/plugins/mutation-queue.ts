/**
 * The per-account mutation queue (BEHAVIOUR.md §1.1 rule 7). Google asks clients to send one
 * user's mutations sequentially; the emulator serialises them instead: each account has a
 * FIFO, different accounts proceed independently, and a mutation starts only when the
 * previous one of its account has finished, even if a handler awaits in between.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

export class MutationQueue {
  private readonly tails = new Map<string, Promise<unknown>>()

  /** Runs `task` after every mutation of `accountId` queued before it. */
  async run<T> (accountId: string, task: () => T | Promise<T>): Promise<T> {
    const previous = this.tails.get(accountId) ?? Promise.resolve()
    const result = previous.then(task, task)
    const tail = result.then(() => undefined, () => undefined)
    this.tails.set(accountId, tail)
    // Forget an idle account so that the map does not grow with every account ever seen.
    tail.then(() => { if (this.tails.get(accountId) === tail) this.tails.delete(accountId) }, () => {})
    return await result
  }

  /** Accounts with mutations queued or running. */
  get size (): number {
    return this.tails.size
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    mutations: MutationQueue
  }
}

async function mutationQueue (app: FastifyInstance): Promise<void> {
  app.decorate('mutations', new MutationQueue())
}

export default fp(mutationQueue, { name: 'mutation-queue', fastify: '5.x' })
