/**
 * Long work cut into steps (generators that yield between them), run so that the event loop
 * serves other requests — health checks among them — between steps.
 */
import type { Db } from '../db/database.js'
import { forgetPositions } from '../db/changes.js'

/** The next turn of the event loop. */
export async function nextTurn (): Promise<void> {
  await new Promise(resolve => setImmediate(resolve))
}

/** Runs steps to the end at once (start-up, tests). */
export function runSteps<T> (steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
  }
}

/** Runs steps with a turn of the event loop between them. */
export async function runStepsAsync<T> (steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
    await nextTurn()
  }
}

/**
 * Runs steps inside one `BEGIN IMMEDIATE` transaction held open across turns of the event
 * loop: committed when they end, rolled back when one throws. Only while nothing else uses
 * the connection (MutationGate.exclusive): every statement run meanwhile would be part of it.
 */
export async function runStepsInTransaction<T> (db: Db, steps: Generator<void, T>): Promise<T> {
  db.exec('BEGIN IMMEDIATE')
  try {
    const result = await runStepsAsync(steps)
    db.exec('COMMIT')
    return result
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw err
  } finally {
    forgetPositions(db)
  }
}
