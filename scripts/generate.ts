/**
 * Writes src/generated/discovery.ts from spec/people-v1.discovery.json: the method table that
 * routes every method of the API, and the schema table that request validation, partial
 * responses and fixtures read. Run with `npm run generate`; test/discovery.test.ts fails when
 * the committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { contractFile, generateContract } from './generate-contract.js'
import { readmeFile, readmeWithTable } from './readme-table.js'
import { docPages, root, withSnippets } from './doc-blocks.js'
import type { FieldDescriptor, MethodDescriptor, ParameterDescriptor, SchemaDescriptor } from '../src/discovery/types.js'

interface RawParameter { description?: string, type: string, location: string, format?: string, repeated?: boolean, required?: boolean, pattern?: string, enum?: string[], minimum?: string, maximum?: string }
interface RawMethod { id: string, httpMethod: string, path: string, flatPath: string, parameters?: Record<string, RawParameter>, request?: { $ref: string }, response?: { $ref: string }, scopes?: string[] }
interface RawResource { methods?: Record<string, RawMethod>, resources?: Record<string, RawResource> }
interface RawField { description?: string, type?: string, format?: string, $ref?: string, items?: RawField, additionalProperties?: RawField, enum?: string[], readOnly?: boolean }
interface RawDiscovery { revision: string, auth: { oauth2: { scopes: Record<string, { description: string }> } }, resources: Record<string, RawResource>, schemas: Record<string, { id: string, properties?: Record<string, RawField> }> }

export const typeboxFile = fileURLToPath(new URL('../src/schemas/generated.ts', import.meta.url))
export const discoveryFile = fileURLToPath(new URL('../spec/people-v1.discovery.json', import.meta.url))
export const outputFile = fileURLToPath(new URL('../src/generated/discovery.ts', import.meta.url))

function parameter (raw: RawParameter): ParameterDescriptor {
  const out: Record<string, unknown> = { type: raw.type, location: raw.location }
  for (const key of ['format', 'repeated', 'required', 'pattern', 'enum', 'minimum', 'maximum'] as const) {
    if (raw[key] !== undefined) out[key] = raw[key]
  }
  return out as unknown as ParameterDescriptor
}

function method (raw: RawMethod): MethodDescriptor {
  const parameters: Record<string, ParameterDescriptor> = {}
  for (const name of Object.keys(raw.parameters ?? {}).sort()) parameters[name] = parameter(raw.parameters![name]!)
  const out: Record<string, unknown> = { id: raw.id, httpMethod: raw.httpMethod, path: raw.path, flatPath: raw.flatPath }
  // `v1/{+resourceName}:updateContact` is flattened to `v1/people/{peopleId}:updateContact`:
  // remember which flat parameter carries the resource name and the prefix it lost.
  const flat = /^(.*?)\{(\w+)\}/.exec(raw.flatPath)
  const full = /\{\+?(\w+)\}/.exec(raw.path)
  if (flat && full) {
    const prefix = flat[1]!.replace(/^v1\//, '')
    out.pathParam = { name: flat[2], prefix, target: full[1] }
  }
  out.parameters = parameters
  if (raw.request) out.request = raw.request.$ref
  if (raw.response) out.response = raw.response.$ref
  out.scopes = raw.scopes ?? []
  return out as unknown as MethodDescriptor
}

function field (raw: RawField): FieldDescriptor {
  const out: Record<string, unknown> = {}
  if (raw.$ref) out.ref = raw.$ref
  if (raw.type) out.type = raw.type
  if (raw.format) out.format = raw.format
  if (raw.items) out.items = field(raw.items)
  if (raw.additionalProperties) out.additionalProperties = field(raw.additionalProperties)
  if (raw.enum) out.enum = raw.enum
  if (raw.readOnly) out.readOnly = true
  return out as FieldDescriptor
}

/**
 * The valid paths of a field mask, as the description lists them
 * ("Valid values are: * addresses * ageRanges …").
 */
function maskPaths (description: string | undefined): string[] | undefined {
  const m = /Valid (?:values|fields) are:((?:\s*\*\s*\w+)+)/i.exec(description ?? '')
  return m ? m[1]!.split('*').map(p => p.trim()).filter(Boolean) : undefined
}

function collectMasks (raw: RawDiscovery, methods: readonly MethodDescriptor[]): Record<string, string[]> {
  const masks: Record<string, string[]> = {}
  const byId = new Map<string, RawMethod>()
  const walk = (resources: Record<string, RawResource>): void => {
    for (const r of Object.values(resources)) {
      for (const m of Object.values(r.methods ?? {})) byId.set(m.id, m)
      if (r.resources) walk(r.resources)
    }
  }
  walk(raw.resources)
  for (const m of methods) {
    const params = byId.get(m.id)!.parameters ?? {}
    for (const name of Object.keys(params).sort()) {
      const paths = params[name]!.format === 'google-fieldmask' ? maskPaths(params[name]!.description) : undefined
      if (paths) masks[`${m.id}:${name}`] = paths
    }
  }
  for (const name of Object.keys(raw.schemas).sort()) {
    const props = raw.schemas[name]!.properties ?? {}
    for (const p of Object.keys(props).sort()) {
      const paths = props[p]!.format === 'google-fieldmask' ? maskPaths(props[p]!.description) : undefined
      if (paths) masks[`${name}.${p}`] = paths
    }
  }
  return masks
}

/** Predefined values of a `type`-like field, as its description lists them ("* `home` * `work`"). */
function predefinedValues (description: string | undefined): string[] | undefined {
  const m = /predefined values:?((?:\s*\*\s*`[^`]+`)+)/i.exec(description ?? '')
  return m ? [...m[1]!.matchAll(/`([^`]+)`/g)].map(x => x[1]!) : undefined
}

function collectPredefined (raw: RawDiscovery): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const name of Object.keys(raw.schemas).sort()) {
    const props = raw.schemas[name]!.properties ?? {}
    for (const p of Object.keys(props).sort()) {
      const values = props[p]!.type === 'string' && !props[p]!.enum ? predefinedValues(props[p]!.description) : undefined
      if (values) out[`${name}.${p}`] = values
    }
  }
  return out
}

function typeboxField (f: RawField): string {
  if (f.$ref) return f.$ref
  switch (f.type) {
    case 'string': return f.enum ? `Type.Union([${f.enum.map(e => `Type.Literal(${JSON.stringify(e)})`).join(', ')}])` : 'Type.String()'
    case 'integer': return 'Type.Integer()'
    case 'number': return 'Type.Number()'
    case 'boolean': return 'Type.Boolean()'
    case 'array': return `Type.Array(${typeboxField(f.items!)})`
    case 'object': return f.additionalProperties ? `Type.Record(Type.String(), ${typeboxField(f.additionalProperties)})` : 'Type.Record(Type.String(), Type.Unknown())'
    default: return 'Type.Unknown()'
  }
}

/** TypeBox definitions of every schema, dependencies first (the document has no cycles). */
export function generateTypebox (): string {
  const raw = JSON.parse(readFileSync(discoveryFile, 'utf8')) as RawDiscovery
  const refsOf = (f: RawField | undefined): string[] => f ? [...(f.$ref ? [f.$ref] : []), ...refsOf(f.items), ...refsOf(f.additionalProperties)] : []
  const done = new Set<string>()
  const out: string[] = [
    '// Generated by scripts/generate.ts from spec/people-v1.discovery.json. Do not edit by hand.',
    '// TypeBox definitions of every schema of the document (strict: no unknown properties).',
    "import { Type, type Static } from '@sinclair/typebox'",
    ''
  ]
  const emit = (name: string): void => {
    if (done.has(name)) return
    done.add(name)
    const props = raw.schemas[name]!.properties ?? {}
    for (const p of Object.keys(props)) for (const r of refsOf(props[p])) emit(r)
    const body = Object.keys(props).sort().map(p => `  ${p}: Type.Optional(${typeboxField(props[p]!)})`).join(',\n')
    out.push(`export const ${name} = Type.Object({${body ? '\n' + body + '\n' : ''}}, { $id: '${name}', additionalProperties: false })`)
    out.push(`export type ${name} = Static<typeof ${name}>`, '')
  }
  for (const name of Object.keys(raw.schemas).sort()) emit(name)
  return out.join('\n')
}

function collect (resources: Record<string, RawResource>, into: MethodDescriptor[]): MethodDescriptor[] {
  for (const name of Object.keys(resources).sort()) {
    const resource = resources[name]!
    for (const m of Object.keys(resource.methods ?? {}).sort()) into.push(method(resource.methods![m]!))
    if (resource.resources) collect(resource.resources, into)
  }
  return into
}

export function generate (): string {
  const raw = JSON.parse(readFileSync(discoveryFile, 'utf8')) as RawDiscovery
  const methods = collect(raw.resources, [])
  const schemas: Record<string, SchemaDescriptor> = {}
  for (const name of Object.keys(raw.schemas).sort()) {
    const s = raw.schemas[name]!
    const properties: Record<string, FieldDescriptor> = {}
    for (const p of Object.keys(s.properties ?? {}).sort()) properties[p] = field(s.properties![p]!)
    schemas[name] = { id: s.id, properties }
  }
  return [
    '// Generated by scripts/generate.ts from spec/people-v1.discovery.json. Do not edit by hand;',
    '// run `npm run generate` after replacing the discovery document.',
    "import type { MethodDescriptor, SchemaDescriptor } from '../discovery/types.js'",
    '',
    `export const discoveryRevision = ${JSON.stringify(raw.revision)}`,
    '',
    '/** The OAuth scopes of the document and the words Google shows for each on its consent page. */',
    `export const scopeDescriptions: Readonly<Record<string, string>> = ${JSON.stringify(Object.fromEntries(Object.entries(raw.auth.oauth2.scopes).map(([k, v]) => [k, v.description])), null, 2)}`,
    '',
    `export const methods: readonly MethodDescriptor[] = ${JSON.stringify(methods, null, 2)}`,
    '',
    `export const schemas: Readonly<Record<string, SchemaDescriptor>> = ${JSON.stringify(schemas, null, 2)}`,
    '',
    '/** Valid paths of every field mask, from the descriptions: `methodId:parameter` or `Schema.field`. */',
    `export const fieldMasks: Readonly<Record<string, readonly string[]>> = ${JSON.stringify(collectMasks(raw, methods), null, 2)}`,
    '',
    '/** Predefined values of free-text type fields, from the descriptions: `Schema.field`. */',
    `export const predefinedValues: Readonly<Record<string, readonly string[]>> = ${JSON.stringify(collectPredefined(raw), null, 2)}`,
    ''
  ].join('\n')
}

export const fidelityFile = fileURLToPath(new URL('../FIDELITY.md', import.meta.url))

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(outputFile, generate())
  console.log(`wrote ${outputFile}`)
  writeFileSync(typeboxFile, generateTypebox())
  console.log(`wrote ${typeboxFile}`)
  writeFileSync(contractFile, generateContract())
  console.log(`wrote ${contractFile}`)
  writeFileSync(readmeFile, readmeWithTable())
  console.log(`wrote the configuration table of ${readmeFile}`)
  for (const page of docPages()) {
    const file = join(root, page)
    const text = readFileSync(file, 'utf8')
    const written = withSnippets(page, text)
    if (written !== text) { writeFileSync(file, written); console.log(`wrote the snippets of ${page}`) }
  }
  // The ledger reads the generated table, so it is written after it, in a fresh import.
  const { fidelityMarkdown } = await import('../src/fidelity/report.js')
  const { implementations } = await import('../routes/v1/index.js')
  writeFileSync(fidelityFile, fidelityMarkdown(new Set(Object.keys(implementations))))
  console.log(`wrote ${fidelityFile}`)
}
