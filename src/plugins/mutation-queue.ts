/**
 * The per-account mutation queue (FIDELITY.md: concurrency; people.updateContact rule 7). Google asks clients to send one
 * user's mutations sequentially; the emulator serialises them instead: each account has a
 * FIFO, different accounts proceed independently, and a mutation starts only when the
 * previous one of its account has finished, even if a handler awaits in between.
 *
 * Each account's queue is bounded (`--max-queued-mutations`): past that, a mutation is
 * refused at once with Google's write-quota 429, so memory cannot grow without bound.
 */
import type { FastifyInstance } from 'fastify'
import { rateLimitExceeded } from '../quotas.js'

export class MutationQueue {
  private readonly accounts = new Map<string, { tail: Promise<unknown>, depth: number }>()

  /** @param maxDepth mutations one account may have queued or running at once */
  constructor (readonly maxDepth: number) {}

  /** Runs `task` after every mutation of `accountId` queued before it; 429 when the queue is full. */
  async run<T> (accountId: string, task: () => T | Promise<T>): Promise<T> {
    const entry = this.accounts.get(accountId)
    if (entry && entry.depth >= this.maxDepth) throw rateLimitExceeded('critical_write')
    if (entry === undefined || entry.depth === 0) {
      // Nothing of the account's is queued or running: the task starts now. Only if it
      // awaits do later mutations need to wait behind it.
      const result = task()
      if (!(result instanceof Promise)) return result
      return await this.enqueue(accountId, entry, Promise.resolve(), () => result)
    }
    return await this.enqueue(accountId, entry, entry.tail, task)
  }

  /**
   * Runs a synchronous task as run() does, without a promise when nothing of the account is
   * queued or running: then the task runs at once and its result is returned (or its error
   * thrown) here. Otherwise it is queued and a promise is returned, as by run().
   */
  runSync<T> (accountId: string, task: () => T): T | Promise<T> {
    const entry = this.accounts.get(accountId)
    if (entry === undefined || entry.depth === 0) return task()
    return this.run(accountId, task)
  }

  private async enqueue<T> (accountId: string, existing: { tail: Promise<unknown>, depth: number } | undefined, after: Promise<unknown>, task: () => T | Promise<T>): Promise<T> {
    let entry = existing
    if (!entry) {
      entry = { tail: after, depth: 0 }
      this.accounts.set(accountId, entry)
    }
    const current = entry
    current.depth++
    const result = after.then(task, task)
    current.tail = result.then(settle, settle)
    function settle (): void {
      current.depth--
    }
    const tail = current.tail
    // Forget an idle account so that the map does not grow with every account ever seen.
    tail.then(() => { if (current.depth === 0 && this.accounts.get(accountId) === current) this.accounts.delete(accountId) }, () => {})
    return await result
  }

  /** Resolves once no account has a mutation queued or running. */
  async idle (): Promise<void> {
    while (this.accounts.size > 0) {
      await Promise.all([...this.accounts.values()].map(async entry => await entry.tail.then(() => {}, () => {})))
    }
  }

  /** Mutations queued or running for an account. */
  depth (accountId: string): number {
    return this.accounts.get(accountId)?.depth ?? 0
  }

  /** Accounts with mutations queued or running. */
  get size (): number {
    return this.accounts.size
  }
}

/**
 * Work that must have the database to itself for a while (an import, a reset): it waits until
 * no mutation is queued or running, and meanwhile every request waits before its handler runs
 * (a hook), except those of routes marked `ungated` (health): they answer throughout.
 */
export class Gate {
  private closed: Promise<void> | undefined

  constructor (private readonly queue: MutationQueue) {}

  /** What a request waits for before its handler runs; undefined when nothing is running. */
  get waiting (): Promise<void> | undefined {
    return this.closed
  }

  /** Resolves once no exclusive work runs (a close waits for it before the database closes). */
  async settled (): Promise<void> {
    while (this.closed !== undefined) await this.closed
  }

  async exclusive<T> (work: () => Promise<T>): Promise<T> {
    while (this.closed !== undefined) await this.closed
    let open = (): void => {}
    this.closed = new Promise<void>(resolve => { open = resolve })
    try {
      await this.queue.idle()
      return await work()
    } finally {
      this.closed = undefined
      open()
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    mutations: MutationQueue
    /** Runs work with the database to itself (see Gate). */
    exclusive: <T>(work: () => Promise<T>) => Promise<T>
  }
}

async function mutationQueue (app: FastifyInstance): Promise<void> {
  const queue = new MutationQueue(app.config.maxQueuedMutations)
  const gate = new Gate(queue)
  app.decorate('mutations', queue)
  app.decorate('exclusive', async <T>(work: () => Promise<T>) => await gate.exclusive(work))
  // An import, reset or restore under way finishes before the database closes (the storage
  // plugin's own onClose runs after this one), even if its request's connection was cut.
  app.addHook('onClose', async () => { await gate.settled() })
  // The handler waits while exclusive work runs: it would see (or join) its open transaction.
  app.addHook('preHandler', (request, _reply, done) => {
    const waiting = gate.waiting
    if (waiting === undefined || request.route.ungated === true) { done(); return }
    waiting.then(() => { done() }, done)
  })
}

export default mutationQueue
