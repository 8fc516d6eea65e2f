/**
 * The request journal's entries and filters as `GET /_emulator/requests` and library mode show
 * them (src/plugins/journal.ts keeps and formats them). Types only, importing nothing: the web
 * UI (ui/) shares them.
 */

/** What a journal entry says about an error answer: its canonical status, reason and message. */
export interface JournalError { status: string, reason: string, message: string }

/** One request as `GET /_emulator/requests` shows it. */
export interface JournalEntry {
  /** Increasing from 1 in the order requests were answered; never reused (a clear does not reset it). */
  id: number
  /** When it was answered, in emulator-clock time. */
  time: string
  /** The account the request's token named; null when it named none (no or a bad token). */
  account: string | null
  /** The discovery method id (`people.people.updateContact`); null for other paths. */
  method: string | null
  httpMethod: string
  path: string
  query: Record<string, string | string[]>
  status: number
  error: JournalError | null
  /** The id of the fault rule that fired on the request (POST /_emulator/faults); null: none. */
  fault: string | null
  durationMs: number
  /** The JSON body sent (a string when it is not JSON, or too long to keep whole); null: none. */
  requestBody: unknown
  responseBody: unknown
}

/** What `requests()` and `GET /_emulator/requests` may filter on. */
export interface JournalFilter {
  /** An account id (an undeclared account by its token, or by the digest the journal shows). */
  account?: string
  /** A discovery method id. */
  method?: string
  /** An HTTP status (404), or a canonical error status (NOT_FOUND). */
  status?: number | string
  /** Only entries after this id. */
  since?: number
}
