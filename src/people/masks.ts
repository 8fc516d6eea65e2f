/**
 * Person field masks (FIDELITY.md: people.updateContact, mask paths): `updatePersonFields` names what an update
 * replaces, `personFields` / `readMask` what a response shows. Paths are those the discovery
 * document lists; a path may also be written in proto form (`email_addresses`), as
 * FieldMask's JSON form allows. Every message is Google's.
 */
import { invalidArgument, type ApiError } from '../errors.js'
import { PERSON_FIELDS, UPDATE_PERSON_FIELDS } from './fields.js'
import { maskPaths } from '../discovery/field-mask.js'

const DOCS = 'https://developers.google.com/people/api/rest/v1/'

/** The reference page of a method: `get` → `people/get`; `people.connections/list` as given. */
function page (method: string): string {
  return DOCS + (method.includes('/') ? method : 'people/' + method)
}

function required (param: string, method: string): ApiError {
  return invalidArgument(`${param} mask is required. Please specify one or more valid paths. Valid paths are documented at ${page(method)}.`)
}

function invalidPath (param: string, path: string, method: string): ApiError {
  return invalidArgument(`Invalid ${param} mask path: "${path}". Valid paths are documented at ${page(method)}.`)
}

/**
 * Masks already parsed, by their text: requests repeat a handful of masks, and one Set per
 * mask lets renderings be cached by mask identity. The Sets are shared: never modify them.
 */
const parsedUpdateMasks = new Map<string, ReadonlySet<string>>()
const parsedReadMasks = new Map<string, ReadonlySet<string>>()
const MASK_MEMO_SIZE = 1000
const ALL_FIELDS: ReadonlySet<string> = new Set(PERSON_FIELDS)

function remember (memo: Map<string, ReadonlySet<string>>, mask: string, parsed: ReadonlySet<string>): ReadonlySet<string> {
  if (memo.size >= MASK_MEMO_SIZE) memo.clear()
  memo.set(mask, parsed)
  return parsed
}

/** `updatePersonFields`: required; only the writable paths. */
export function parseUpdateMask (mask: string | undefined, param = 'updatePersonFields', method = 'updateContact'): ReadonlySet<string> {
  return parsedUpdateMasks.get(mask ?? '') ?? remember(parsedUpdateMasks, mask ?? '', readUpdateMask(mask, param, method))
}

function readUpdateMask (mask: string | undefined, param: string, method: string): Set<string> {
  return readPathMask(mask, UPDATE_PERSON_FIELDS, param, method, () => required(param, method))
}

/** A required mask of some of `allowed`; `missing` is the error for an absent or empty one. */
function readPathMask (mask: string | undefined, allowed: readonly string[], param: string, method: string, missing: () => ApiError): Set<string> {
  const list = maskPaths(mask)
  if (list.length === 0) throw missing()
  const out = new Set<string>()
  for (const { written, name } of list) {
    if (!allowed.includes(name)) throw invalidPath(param, written, method)
    out.add(name)
  }
  return out
}

export interface ReadMaskOptions {
  /** The parameter's name in messages: personFields or readMask. */
  param: string
  /** The reference page named in messages (`get`, `updateContact`, …). */
  method: string
  /** Absent or empty means every field (create and update); otherwise it is required. */
  defaultAll: boolean
}

/** `personFields` / `readMask`: the readable paths. */
export function parseReadMask (mask: string | undefined, options: ReadMaskOptions): ReadonlySet<string> {
  const known = parsedReadMasks.get(mask ?? '')
  if (known !== undefined) return known
  const list = maskPaths(mask)
  if (list.length === 0) {
    if (options.defaultAll) return ALL_FIELDS
    throw required(options.param, options.method)
  }
  const out = new Set<string>()
  for (const { written, name } of list) {
    // The reference page for personFields paths is people.get's, whatever the method.
    if (!PERSON_FIELDS.includes(name)) throw invalidPath(options.param, written, 'get')
    out.add(name)
  }
  return remember(parsedReadMasks, mask!, out)
}

/**
 * The deprecated `requestMask.includeField` (`person.names,person.photos`): the same
 * paths, each with a `person.` prefix.
 */
export function parseIncludeField (mask: string, method: string): ReadonlySet<string> {
  const list = maskPaths(mask)
  if (list.length === 0) throw required('personFields', method)
  const out = new Set<string>()
  for (const { written, name } of list) {
    const field = name.replace(/^person\./, '')
    if (!written.startsWith('person.') || !PERSON_FIELDS.includes(field)) throw invalidPath('requestMask.includeField', written, method)
    out.add(field)
  }
  return out
}

/**
 * 400 unless every path of a parsed read mask is one the method allows in this request
 * (otherContacts' narrower masks). `why` says what narrows them (chosen text).
 */
export function checkAllowedPaths (fields: ReadonlySet<string>, allowed: readonly string[], param: string, why: string): void {
  for (const field of fields) {
    if (!allowed.includes(field)) throw invalidArgument(`Invalid ${param} mask path: "${field}". ${why} Valid paths are: ${allowed.join(', ')}.`)
  }
}

/**
 * A mask of copy paths (copyOtherContactToMyContactsGroup's `copyMask`): required, and only
 * the given paths (the missing-mask message is Google's, as observed).
 */
export function parseCopyMask (mask: string | undefined, allowed: readonly string[], method: string): ReadonlySet<string> {
  return readPathMask(mask, allowed, 'copyMask', method, () => invalidArgument('copyMask is required. Please specify one or more valid paths.'))
}
