/**
 * Query parameters: Google's system parameters (every method accepts them) and a method's
 * own parameters as the discovery document declares them. Names may be written in JSON
 * (`personFields`) or proto (`person_fields`) form, as gRPC transcoding allows.
 */
import { BAD_REQUEST, invalidArgument, invalidValue, type ApiError } from '../errors.js'
import { checkSelection, parseFieldSelector, type Selection } from './field-selector.js'
import { snakeCase } from './transcode.js'
import type { MethodDescriptor, ParameterDescriptor } from './types.js'

export const SYSTEM_PARAMETERS = new Set([
  '$.xgafv', 'access_token', 'alt', 'callback', 'fields', 'key', 'oauth_token', 'prettyPrint',
  'quotaUser', 'uploadType', 'upload_protocol'
])

export type RawQuery = Record<string, string | string[] | undefined>

export interface SystemParams {
  /** prettyPrint: true (the default) indents with two spaces. */
  pretty: boolean
  /** `$.xgafv=2`: the v2 error format, without the legacy `errors` array. */
  xgafv2: boolean
  /** JSONP callback name. */
  callback: string | undefined
  fields: Selection | undefined
  /** The first problem with the system parameters, thrown once the request is authenticated. */
  error: ApiError | undefined
}

function first (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value
}

function parseBool (value: string): boolean | undefined {
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  return undefined
}

const CALLBACK = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/

/**
 * Reads the system parameters leniently: formatting choices are always taken (so that even
 * an error is formatted as asked) and the first problem is kept for later.
 */
export function parseSystemParams (query: RawQuery, responseSchema: string | undefined, prettyByDefault = true): SystemParams {
  const out: SystemParams = { pretty: prettyByDefault, xgafv2: false, callback: undefined, fields: undefined, error: undefined }
  const problem = (err: ApiError): void => { out.error ??= err }
  const pretty = first(query.prettyPrint)
  if (pretty !== undefined) {
    const b = parseBool(pretty)
    if (b === undefined) problem(invalidValue('pretty_print', 'TYPE_BOOL', JSON.stringify(pretty)))
    else out.pretty = b
  }
  const xgafv = first(query['$.xgafv'])
  if (xgafv !== undefined) {
    if (xgafv === '2') out.xgafv2 = true
    else if (xgafv !== '1') problem(invalidValue('$.xgafv', 'TYPE_ENUM', JSON.stringify(xgafv)))
  }
  const alt = first(query.alt)
  if (alt !== undefined && alt !== 'json') {
    problem(['media', 'proto'].includes(alt)
      ? invalidArgument(`alt=${alt} is not supported by this emulator: every method answers alt=json.`, { location: 'alt', locationType: 'parameter', reason: 'invalidParameter' })
      : invalidValue('alt', 'TYPE_ENUM', JSON.stringify(alt)))
  }
  const callback = first(query.callback)
  if (callback !== undefined && callback !== '') {
    if (CALLBACK.test(callback)) out.callback = callback
    else problem(invalidArgument(`Invalid JSONP callback name: "${callback}".`, { location: 'callback', locationType: 'parameter', reason: 'invalidParameter' }))
  }
  const fields = first(query.fields)
  if (fields !== undefined && fields !== '') {
    try {
      out.fields = parseFieldSelector(fields)
      if (responseSchema) checkSelection(out.fields, responseSchema)
    } catch (err) {
      out.fields = undefined
      problem(err as ApiError)
    }
  }
  return out
}

/** The parsed value of one method parameter. */
export type ParamValue = string | number | boolean | string[]

/** Google's error for a query parameter the request message does not have (FIDELITY.md: wire, unknown query parameter). */
export function unknownParameter (name: string): ApiError {
  const message = `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`
  return invalidArgument(message, { details: [{ '@type': BAD_REQUEST, fieldViolations: [{ description: message }] }] })
}

/** `person_fields` → `personFields`; `request_mask.include_field` → `requestMask.includeField`. */
function jsonName (name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

function convert (name: string, descriptor: ParameterDescriptor, value: string): string | number | boolean {
  // The proto name of the field, for messages only.
  const field = (): string => name.split('.').map(snakeCase).join('.')
  if (descriptor.type === 'integer') {
    const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN
    if (!Number.isSafeInteger(n) || n < -2147483648 || n > 2147483647) throw invalidValue(field(), 'TYPE_INT32', JSON.stringify(value))
    return n
  }
  if (descriptor.type === 'boolean') {
    const b = parseBool(value)
    if (b === undefined) throw invalidValue(field(), 'TYPE_BOOL', JSON.stringify(value))
    return b
  }
  if (descriptor.enum && !descriptor.enum.includes(value)) throw invalidValue(field(), 'TYPE_ENUM', JSON.stringify(value))
  return value
}

/**
 * Checks every query parameter against the method's declared ones and converts their values.
 * System parameters are skipped (parseSystemParams reads them).
 */
export function parseMethodQuery (query: RawQuery, method: MethodDescriptor): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {}
  for (const [rawName, rawValue] of Object.entries(query)) {
    if (rawValue === undefined || SYSTEM_PARAMETERS.has(rawName)) continue
    const name = Object.hasOwn(method.parameters, rawName) ? rawName : jsonName(rawName)
    const descriptor = Object.hasOwn(method.parameters, name) ? method.parameters[name] : undefined
    if (!descriptor || descriptor.location !== 'query') throw unknownParameter(rawName)
    const values = Array.isArray(rawValue) ? rawValue : [rawValue]
    if (descriptor.repeated) {
      const list = Array.isArray(out[name]) ? out[name] as string[] : []
      for (const v of values) list.push(String(convert(name, descriptor, v)))
      out[name] = list
    } else {
      if (values.length > 1 || Object.hasOwn(out, name)) {
        throw invalidArgument(`Invalid JSON payload received. Repeated values for non-repeated query parameter "${rawName}".`)
      }
      out[name] = convert(name, descriptor, values[0]!)
    }
  }
  return out
}
