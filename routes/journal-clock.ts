/**
 * The request journal, part of the control plane (src/plugins/journal.ts): what the API was
 * asked, newest last, a page at a time; and the clock (read, advance, set — forward only).
 * Registered inside routes/emulator.ts, under its guard.
 */
import type { FastifyInstance } from 'fastify'
import { failedPrecondition, invalidArgument, type ApiError } from '../src/errors.js'
import { ClockRangeError, formatTime, inClockRange, LATEST_TIME, parseDuration, parseTime } from '../src/clock.js'
import { parseJournalFilter, parseJournalPage, type JournalEntry } from '../src/plugins/journal.js'
import { pageToken } from '../src/tokens.js'
import { renderValue } from '../src/discovery/transcode.js'

export default async function journalAndClockRoutes (app: FastifyInstance): Promise<void> {
  // Under /_emulator/: the control plane's route group (routes/emulator.ts).
  const routes = app.controlRoutes
  // The request journal (src/plugins/journal.ts): what the API was asked, newest last.
  // A page at a time (pageSize, pageToken), each bounded in entries and in characters.
  routes.get('/_emulator/requests', { config: { queryParams: ['account', 'method', 'status', 'since', 'pageSize', 'pageToken'], compact: true, ungated: true } }, async (request) => {
    const query = request.query as Record<string, string | string[]>
    const filter = parseJournalFilter(query)
    if (typeof filter === 'string') throw invalidArgument(filter)
    const page = parseJournalPage(query, filter)
    if (typeof page === 'string') throw invalidArgument(page)
    const found = app.journal.page(filter, page.size, page.after, request.sys.pretty ? 2 : undefined)
    const out: { requests: JournalEntry[], nextPageToken?: string } = { requests: found.entries }
    if (found.after !== undefined) out.nextPageToken = pageToken(found.after, page.params)
    return out
  })
  routes.delete('/_emulator/requests', { config: { queryParams: [], compact: true, ungated: true } }, async () => {
    app.journal.clear()
    return {}
  })

  // The emulator clock: read (GET, or POST {}), advance ({"advance": "90s"}) or set
  // ({"set": "2026-01-01T00:00:00Z"}) — forward only.
  const clockState = (): Record<string, string> => ({ now: formatTime(app.clock.peek()), mode: app.clock.mode.kind })
  routes.get('/_emulator/clock', { config: { queryParams: [], compact: true } }, async () => clockState())
  routes.post('/_emulator/clock', { config: { queryParams: [], compact: true } }, async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    for (const key of Object.keys(body)) {
      if (key !== 'advance' && key !== 'set') throw invalidArgument(`Unknown clock field "${key}": use "advance" (e.g. "90s", "7d") or "set" (an RFC 3339 time).`)
    }
    if (body.advance !== undefined && body.set !== undefined) throw invalidArgument('Give "advance" or "set", not both.')
    if (body.advance !== undefined) {
      const micros = typeof body.advance === 'string' ? parseDuration(body.advance) : undefined
      if (micros === undefined) throw invalidArgument(`Invalid clock advance ${renderValue(body.advance)}: expected a duration such as "500ms", "90s", "30m", "2h" or "7d".`)
      const pastTheEnd = (): ApiError => invalidArgument(`Invalid clock advance ${renderValue(body.advance)}: the emulator clock cannot go past ${LATEST_TIME}.`)
      if (!inClockRange(app.clock.peek() + micros)) throw pastTheEnd()
      try {
        app.clock.advance(micros)
      } catch (err) {
        // A system clock that has moved on since the check, to just past the end.
        if (err instanceof ClockRangeError) throw pastTheEnd()
        throw err
      }
    }
    if (body.set !== undefined) {
      const micros = typeof body.set === 'string' ? parseTime(body.set) : undefined
      if (micros === undefined) throw invalidArgument(`Invalid clock time ${renderValue(body.set)}: expected an RFC 3339 time such as "2026-01-01T00:00:00Z".`)
      if (!inClockRange(micros)) throw invalidArgument(`Invalid clock time ${renderValue(body.set)}: the emulator clock stays between 1970-01-01T00:00:00Z and ${LATEST_TIME}.`)
      if (micros < app.clock.peek()) throw failedPrecondition(`The emulator clock cannot go backwards: ${body.set} is before ${formatTime(app.clock.peek())}.`)
      app.clock.set(micros)
    }
    // Tombstones the move has aged past a sync token's lifetime go now.
    app.pruneTombstones()
    return clockState()
  })
}
