/**
 * Snapshots of the whole state (db/snapshots.ts), part of the control plane: save one under a
 * name, restore it, list them, delete one. A restore brings back contacts, groups, other
 * contacts, the directory, accounts and their tokens, change positions and tombstones, the
 * clock and the random stream as they were when it was saved. A sync token stays valid when
 * its position is in the history the restore brings back (issued before the snapshot, or after
 * it by an account that had not changed since) and is expired otherwise (db/changes.ts,
 * Changes.validToken). Registered inside routes/emulator.ts, under its guard.
 */
import type { FastifyInstance } from 'fastify'
import { failedPrecondition, invalidArgument, notFound, snapshotsFull } from '../src/errors.js'
import { formatTime } from '../src/clock.js'
import { MAX_SNAPSHOTS, SNAPSHOT_NAME, type SnapshotInfo } from '../db/snapshots.js'
import { runStepsInTransaction } from '../src/steps.js'
import { renderValue } from '../src/discovery/transcode.js'

/** What a snapshot keeps besides the tables: the clock, the random stream, and the epoch of history it was saved in (db/sync-tokens.ts). */
interface SavedExtra { clock: { kind: 'system' | 'fixed', fixedNow: string, last: string, offset: string }, random?: number, epoch: number }

function readName (value: unknown, where: string): string {
  if (typeof value !== 'string' || !SNAPSHOT_NAME.test(value)) {
    throw invalidArgument(`Invalid snapshot name ${renderValue(value)}${where}: expected 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit.`)
  }
  return value
}

export default async function snapshotRoutes (app: FastifyInstance): Promise<void> {
  // Under /_emulator/: the control plane's route group (routes/emulator.ts).
  const routes = app.controlRoutes
  const settings = { config: { queryParams: [], compact: true } }

  /** Saves the state under a name (the name's snapshot, if any, is replaced). */
  const save = async (name: string): Promise<SnapshotInfo> => await app.exclusive(async () => {
    if (!app.snapshots.exists(name) && app.snapshots.count() >= MAX_SNAPSHOTS) {
      throw failedPrecondition(`The emulator already holds ${MAX_SNAPSHOTS} snapshots, the most it keeps: delete one (DELETE /_emulator/snapshots/NAME) first.`)
    }
    const clock = app.clock.snapshot()
    const extra: SavedExtra = { clock: { kind: clock.kind, fixedNow: clock.fixedNow.toString(), last: clock.last.toString(), offset: clock.offset.toString() }, random: app.random.snapshot?.(), epoch: app.changes.epoch() }
    try {
      return app.snapshots.save(name, formatTime(app.clock.peek()), { extra: JSON.stringify(extra), lastSeq: app.changes.lastPosition(), lineage: app.changes.lineage() })
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_FULL') throw snapshotsFull(app.config.maxStorageMiB)
      throw err
    }
  })

  const restore = async (name: string): Promise<SnapshotInfo> => await app.exclusive(async () => {
    const snapshot = app.snapshots.restorable(name)
    if (snapshot === undefined) throw notFound(`Snapshot "${name}" was not found.`)
    if (typeof snapshot === 'string') throw failedPrecondition(snapshot)
    const extra = JSON.parse(snapshot.point.extra) as SavedExtra
    // A slice at a time, in one transaction: health answers throughout a large restore.
    await runStepsInTransaction(app.db, app.snapshots.restoreSteps(snapshot, app.changes.lastPosition(), extra.epoch))
    // What was read from the replaced state is read again.
    app.accounts.replaced()
    app.renderings.clear()
    app.contacts.scheduleSearchIndex()
    app.clock.restore({ kind: extra.clock.kind, fixedNow: BigInt(extra.clock.fixedNow), last: BigInt(extra.clock.last), offset: BigInt(extra.clock.offset) })
    if (extra.random !== undefined) app.random.restore?.(extra.random)
    return snapshot.info
  })

  routes.get('/_emulator/snapshots', settings, async () => ({ snapshots: app.snapshots.list() }))

  routes.post('/_emulator/snapshots', settings, async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    for (const key of Object.keys(body)) {
      if (key !== 'name') throw invalidArgument(`Unknown snapshot field "${key}": the body is {"name": "..."}.`)
    }
    return await save(readName(body.name, ''))
  })

  // `:restore` is a verb after the name, as Google's custom methods are.
  routes.post('/_emulator/snapshots/:name(^[^:/]+)::restore', settings, async (request) =>
    await restore(readName((request.params as { name: string }).name, ' in the path')))

  routes.delete('/_emulator/snapshots/:name(^[^:/]+)', settings, async (request) => {
    const name = readName((request.params as { name: string }).name, ' in the path')
    const removed = await app.exclusive(async () => app.snapshots.remove(name))
    if (!removed) throw notFound(`Snapshot "${name}" was not found.`)
    return {}
  })
}
