/**
 * Values the server computes on a contact (FIDELITY.md: contact model, computed values): display names, formatted types,
 * E.164 phone numbers, formatted addresses and genders. Pure functions of stored items.
 */
import { createRequire } from 'node:module'
import { dirname, join as joinPath } from 'node:path'
import type { CountryCode } from 'libphonenumber-js/max'
import { predefinedValues, schemas } from '../generated/discovery.js'
import { memoised } from '../memo.js'

type PhoneLibrary = typeof import('libphonenumber-js/max')
let phoneLibrary: PhoneLibrary | undefined
/**
 * libphonenumber-js with its full metadata takes ~80 ms to load: it is loaded on the first
 * phone number rendered, not at start-up (the emulator starts in every CI job).
 */
function phones (): PhoneLibrary {
  if (phoneLibrary === undefined) {
    const require = createRequire(import.meta.url)
    phoneLibrary = require('libphonenumber-js/max') as PhoneLibrary
    compileMetadataPatternsOnce(require)
  }
  return phoneLibrary
}

/** At most this many compiled patterns are kept (the full metadata has a few thousand). */
const MAX_COMPILED_PATTERNS = 20000

/**
 * libphonenumber-js tests a number against its metadata's patterns through one helper,
 * `matchesEntirely(text, pattern)`, which builds `new RegExp('^(?:' + pattern + ')$')` on
 * every call: half the time of parsing and validating a number never seen before (4 of 8 µs
 * in a tight loop, more in the server, where V8's own cache of regular expressions is cold).
 * The helper is replaced, on the library's module object that its callers read it from at
 * each call, by one that keeps each pattern compiled. The patterns are the metadata's, never
 * a caller's text, so the cache holds no account's data. If the library's layout changes the
 * replacement is skipped and the library works as shipped (a test checks it is in place).
 */
function compileMetadataPatternsOnce (require: NodeJS.Require): void {
  try {
    const file = joinPath(dirname(require.resolve('libphonenumber-js/max')), '..', 'build', 'helpers', 'matchesEntirely.js')
    const helper = require(file) as { default?: unknown, compiledPatterns?: Map<string, RegExp> }
    if (typeof helper.default !== 'function' || helper.default.length !== 2) return
    const compiled = new Map<string, RegExp>()
    helper.default = function matchesEntirely (text: string | undefined, pattern: string): boolean {
      let re = compiled.get(pattern)
      if (re === undefined) {
        re = new RegExp('^(?:' + pattern + ')$')
        if (compiled.size < MAX_COMPILED_PATTERNS) compiled.set(pattern, re)
      }
      return re.test(text ?? '')
    }
    helper.compiledPatterns = compiled
  } catch {
    // not found where expected: the library compiles its patterns itself
  }
}

type Item = Record<string, unknown>

/** The account's region for national phone numbers (chosen: US). */
export const DEFAULT_REGION: CountryCode = 'US'

/** `homeFax` → `Home Fax`, `OUTLOOK_BILLING_INFORMATION` → `Billing Information` (worked out once per value). */
export const label = memoised(10000, makeLabel)

function makeLabel (value: string): string {
  const words = /^[A-Z0-9_]+$/.test(value)
    ? value.replace(/^OUTLOOK_/, '').toLowerCase().split('_')
    : value.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' ')
  return words.filter(Boolean).map(w => w[0]!.toUpperCase() + w.slice(1)).join(' ')
}

/** formattedType: the label of a predefined type, a custom type as given. */
function formattedType (schemaName: string, type: string): string {
  const predefined = predefinedValues[`${schemaName}.type`]
  const isEnum = schemas[schemaName]?.properties.type?.enum !== undefined
  return isEnum || predefined?.includes(type) ? label(type) : type
}

/** The non-blank strings among `parts`, joined by `separator` (no array is built). */
function join (separator: string, ...parts: unknown[]): string {
  let out = ''
  for (const p of parts) {
    if (typeof p !== 'string' || p.trim() === '') continue
    out = out === '' ? p : out + separator + p
  }
  return out
}

/**
 * Options of computeItem. `fillWritable: false` leaves out computed values of writable
 * fields (a name's unstructuredName, an address's formattedValue): a fixture export must
 * not turn them into values the client seems to have set.
 */
export interface ComputeOptions { fillWritable: boolean }

/** Each compute function adds its values to `out`, a copy of `item` the caller owns. */
function computeName (item: Item, out: Item, options: ComputeOptions): void {
  const display = join(' ', item.honorificPrefix, item.givenName, item.middleName, item.familyName, item.honorificSuffix)
  if (display !== '') {
    out.displayName = display
    const first = join(' ', item.honorificPrefix, item.givenName, item.middleName)
    const family = typeof item.familyName === 'string' ? item.familyName : ''
    out.displayNameLastFirst = family === ''
      ? display
      : join(', ', join(', ', family, first), item.honorificSuffix)
    if (options.fillWritable) out.unstructuredName ??= display
  } else if (typeof item.unstructuredName === 'string') {
    out.displayName = item.unstructuredName
    out.displayNameLastFirst = item.unstructuredName
  }
}

/** The E.164 form of a phone number, or null when it does not parse as a valid number (tens of microseconds). */
export function canonicalForm (value: string): string | null {
  const parsed = phones().parsePhoneNumberFromString(value, DEFAULT_REGION)
  return parsed?.isValid() === true ? parsed.number : null
}

/**
 * The canonical form of each stored phone item, worked out on its first rendering. Kept on
 * the item itself (by identity): an item belongs to one version of one contact of one
 * account, so no account's numbers are kept where another's lookups could meet (or time)
 * them, and a new version of a contact brings new items.
 */
const canonicalForms = new WeakMap<Item, string | null>()

function computePhone (item: Item, out: Item): void {
  if (typeof item.value !== 'string') return
  let form = canonicalForms.get(item)
  if (form === undefined) {
    form = canonicalForm(item.value)
    canonicalForms.set(item, form)
  }
  if (form !== null) out.canonicalForm = form
}

function computeAddress (item: Item, out: Item, options: ComputeOptions): void {
  if (out.formattedValue === undefined && options.fillWritable) {
    const cityLine = join(', ', item.city, join(' ', item.region, item.postalCode))
    const value = join('\n', item.streetAddress, item.extendedAddress, item.poBox, cityLine, item.country)
    if (value !== '') out.formattedValue = value
  }
}

const GENDERS = predefinedValues['Gender.value'] ?? []
const PROTOCOLS = predefinedValues['ImClient.protocol'] ?? []

const FILL_WRITABLE: ComputeOptions = { fillWritable: true }
const HAS_FORMATTED_TYPE = new Set(Object.entries(schemas).filter(([, schema]) => schema.properties.formattedType?.readOnly === true).map(([name]) => name))

/**
 * One stored item with its computed values added (client values for them were dropped on
 * write), as a new object; `metadata`, when given, is its first key, as Google writes it.
 */
export function computeItem (schemaName: string, stored: Item, options: ComputeOptions = FILL_WRITABLE, metadata?: unknown): Item {
  const out: Item = metadata === undefined ? {} : { metadata }
  for (const key in stored) out[key] = stored[key]
  switch (schemaName) {
    case 'Name': computeName(stored, out, options); break
    case 'PhoneNumber': computePhone(stored, out); break
    case 'Address': computeAddress(stored, out, options); break
    case 'Gender':
      if (typeof stored.value === 'string') out.formattedValue = GENDERS.includes(stored.value) ? label(stored.value) : stored.value
      break
    case 'ImClient':
      if (typeof stored.protocol === 'string') out.formattedProtocol = PROTOCOLS.includes(stored.protocol) ? label(stored.protocol) : stored.protocol
      break
    case 'Biography':
      // Chosen: a biography without a content type is plain text, as Google shows it.
      if (stored.contentType === undefined) out.contentType = 'TEXT_PLAIN'
      break
  }
  if (typeof stored.type === 'string' && HAS_FORMATTED_TYPE.has(schemaName)) out.formattedType = formattedType(schemaName, stored.type)
  return out
}
