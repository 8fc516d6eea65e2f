/**
 * The one error type of the emulator, shaped like `google.rpc.Status` as Google's JSON
 * front end renders it (FIDELITY.md: wire, error envelope), and the one function that turns it into a body.
 */

export type CanonicalCode =
  | 'INVALID_ARGUMENT' | 'FAILED_PRECONDITION' | 'OUT_OF_RANGE' | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'ABORTED' | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL' | 'UNAVAILABLE' | 'UNIMPLEMENTED' | 'CANCELLED' | 'UNKNOWN' | 'DEADLINE_EXCEEDED'
  | 'DATA_LOSS'

/** Canonical code → HTTP status, legacy `errors[0].reason` (FIDELITY.md: wire, error envelope) and the gRPC code number. */
const CODES: Readonly<Record<CanonicalCode, { http: number, reason: string, grpc: number }>> = {
  INVALID_ARGUMENT: { http: 400, reason: 'badRequest', grpc: 3 },
  FAILED_PRECONDITION: { http: 400, reason: 'failedPrecondition', grpc: 9 },
  OUT_OF_RANGE: { http: 400, reason: 'outOfRange', grpc: 11 },
  UNAUTHENTICATED: { http: 401, reason: 'authError', grpc: 16 },
  PERMISSION_DENIED: { http: 403, reason: 'forbidden', grpc: 7 },
  NOT_FOUND: { http: 404, reason: 'notFound', grpc: 5 },
  ALREADY_EXISTS: { http: 409, reason: 'duplicate', grpc: 6 },
  ABORTED: { http: 409, reason: 'aborted', grpc: 10 },
  RESOURCE_EXHAUSTED: { http: 429, reason: 'rateLimitExceeded', grpc: 8 },
  INTERNAL: { http: 500, reason: 'backendError', grpc: 13 },
  UNAVAILABLE: { http: 503, reason: 'backendError', grpc: 14 },
  UNIMPLEMENTED: { http: 501, reason: 'notImplemented', grpc: 12 },
  // Codes the emulator answers only when a fault rule asks for them (src/faults.ts).
  CANCELLED: { http: 499, reason: 'cancelled', grpc: 1 },
  UNKNOWN: { http: 500, reason: 'backendError', grpc: 2 },
  DEADLINE_EXCEEDED: { http: 504, reason: 'deadlineExceeded', grpc: 4 },
  DATA_LOSS: { http: 500, reason: 'backendError', grpc: 15 }
}

/** The canonical codes, for checking a name given by a user (a custom fault). */
export const CANONICAL_CODES: readonly CanonicalCode[] = Object.keys(CODES) as CanonicalCode[]

/** One entry of the legacy `errors` array. */
export interface LegacyError {
  message: string
  domain: string
  reason: string
  location?: string
  locationType?: string
}

/** A `google.rpc.*` detail object, e.g. ErrorInfo or BadRequest. */
export type ErrorDetail = { '@type': string } & Record<string, unknown>

export interface ApiErrorOptions {
  reason?: string
  /** `errors[0].message` when it differs from the top-level message (401 "Login Required."). */
  legacyMessage?: string
  location?: string
  locationType?: string
  details?: ErrorDetail[]
  /** Overrides the HTTP status of the canonical code (413 for oversized bodies). */
  httpStatus?: number
  /** false: the body has no legacy `errors` array (Google's daily-quota 429 has none). */
  legacy?: boolean
  /** Headers the answer carries (`WWW-Authenticate` of a 401 or 403). */
  headers?: Readonly<Record<string, string>>
}

export const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo'
export const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest'

export class ApiError extends Error {
  readonly status: CanonicalCode
  readonly httpStatus: number
  readonly reason: string
  readonly legacyMessage: string
  readonly location: string | undefined
  readonly locationType: string | undefined
  readonly details: ErrorDetail[]
  readonly legacy: boolean
  readonly headers: Readonly<Record<string, string>> | undefined

  constructor (status: CanonicalCode, message: string, options: ApiErrorOptions = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.httpStatus = options.httpStatus ?? CODES[status].http
    this.reason = options.reason ?? CODES[status].reason
    this.legacyMessage = options.legacyMessage ?? message
    this.location = options.location
    this.locationType = options.locationType
    this.details = options.details ?? []
    this.legacy = options.legacy ?? true
    this.headers = options.headers
  }

  /** The error as a `google.rpc.Status` inside a batch response entry: `{code, message}`. */
  toStatus (): { code: number, message: string } {
    return { code: CODES[this.status].grpc, message: this.message }
  }

  /**
   * The JSON body. With `$.xgafv=2` the legacy `errors` array is left out (chosen:
   * the v2 error format is `google.rpc.Status` only).
   */
  toBody (xgafv2 = false): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { code: this.httpStatus, message: this.message }
    if (!xgafv2 && this.legacy) {
      const legacy: LegacyError = { message: this.legacyMessage, domain: 'global', reason: this.reason }
      if (this.location !== undefined) legacy.location = this.location
      if (this.locationType !== undefined) legacy.locationType = this.locationType
      error.errors = [legacy]
    }
    error.status = this.status
    if (this.details.length > 0) error.details = this.details
    return { error }
  }
}

/** Factories, one per code the emulator answers with. */
export const invalidArgument = (message: string, options?: ApiErrorOptions): ApiError =>
  new ApiError('INVALID_ARGUMENT', message, options)
export const failedPrecondition = (message: string, options?: ApiErrorOptions): ApiError =>
  new ApiError('FAILED_PRECONDITION', message, options)
export const notFound = (message = 'Requested entity was not found.', options?: ApiErrorOptions): ApiError =>
  new ApiError('NOT_FOUND', message, options)
export const alreadyExists = (message: string, options?: ApiErrorOptions): ApiError =>
  new ApiError('ALREADY_EXISTS', message, options)
export const unimplemented = (message: string): ApiError => new ApiError('UNIMPLEMENTED', message)
export const unavailable = (message: string): ApiError => new ApiError('UNAVAILABLE', message)
export const internal = (): ApiError => new ApiError('INTERNAL', 'Internal error encountered.')
/** 429: the database holds what --max-storage allows. */
export const storageFull = (maxStorageMiB: number): ApiError => new ApiError('RESOURCE_EXHAUSTED',
  `The emulator's storage is full: it holds the ${maxStorageMiB} MiB --max-storage allows. Delete contacts, reset, or start the emulator with a larger --max-storage.`, { reason: 'quotaExceeded' })

/** 429: snapshots together may hold what --max-storage allows. */
export const snapshotsFull = (maxStorageMiB: number): ApiError => new ApiError('RESOURCE_EXHAUSTED',
  `The snapshots would hold more than ${maxStorageMiB} MiB (--max-storage bounds them as it bounds the state): delete one (DELETE /_emulator/snapshots/NAME) first.`, { reason: 'quotaExceeded' })

/**
 * Google's transcoding error for a value of the wrong type, with the `google.rpc.BadRequest`
 * detail it carries: `Invalid value at 'person.names[0].given_name' (TYPE_STRING), 123`.
 */
export function invalidValue (field: string, protoType: string, value: string): ApiError {
  const message = `Invalid value at '${field}' (${protoType}), ${value}`
  return invalidArgument(message, {
    details: [{ '@type': BAD_REQUEST, fieldViolations: [{ field, description: message }] }]
  })
}

/** Google's transcoding error for a field the message does not have. */
export function unknownField (name: string, at: string | undefined): ApiError {
  const where = at === undefined ? '' : ` at '${at}'`
  const message = `Invalid JSON payload received. Unknown name "${name}"${where}: Cannot find field.`
  return invalidArgument(message, {
    details: [{ '@type': BAD_REQUEST, fieldViolations: [at === undefined ? { description: message } : { field: at, description: message }] }]
  })
}
