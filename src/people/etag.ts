/**
 * Person etags (FIDELITY.md: contact model, person etag). The top-level etag is `%` + base64 of a small protobuf
 * record, as Google's: field 2 holds the numbers of the fields that were read, field 4 the
 * contact's source etag. Two reads with different masks give different person etags, and
 * both stay valid for an update until the contact changes: staleness is decided by the
 * source etag inside, never by comparing whole strings.
 */
import { PERSON_FIELDS } from './fields.js'

const FIELD_NUMBER = new Map(PERSON_FIELDS.map((f, i) => [f, i + 1]))

/** Field 2 of the record (the numbers of the fields read), by read mask. */
const maskRecords = new WeakMap<ReadonlySet<string>, Buffer>()

function maskRecord (fields: ReadonlySet<string>): Buffer {
  let record = maskRecords.get(fields)
  if (record === undefined) {
    const numbers = [...fields].map(f => FIELD_NUMBER.get(f)).filter((n): n is number => n !== undefined).sort((a, b) => a - b)
    record = Buffer.from([0x12, numbers.length, ...numbers])
    maskRecords.set(fields, record)
  }
  return record
}

export function personEtag (sourceEtag: string, fields: ReadonlySet<string>): string {
  const mask = maskRecord(fields)
  const source = sourceEtag.startsWith('#') ? sourceEtag.slice(1) : sourceEtag
  const length = Buffer.byteLength(source, 'utf8')
  const record = Buffer.allocUnsafe(mask.length + 2 + length)
  mask.copy(record, 0)
  record[mask.length] = 0x22
  record[mask.length + 1] = length
  record.write(source, mask.length + 2, 'utf8')
  return '%' + record.toString('base64')
}

/** The source etag a person etag embeds (with its `#`), or undefined when it does not decode. */
export function sourceEtagOf (etag: string): string | undefined {
  if (!etag.startsWith('%')) return undefined
  const bytes = Buffer.from(etag.slice(1), 'base64')
  let pos = 0
  let source: string | undefined
  while (pos < bytes.length) {
    const tag = bytes[pos++]!
    const length = bytes[pos++]
    if (length === undefined || pos + length > bytes.length || (tag & 7) !== 2) return undefined
    if (tag === 0x22) source = '#' + bytes.subarray(pos, pos + length).toString('utf8')
    pos += length
  }
  return source
}
