/**
 * The `fields` system parameter: Google's partial-response selector, e.g.
 * `names,emailAddresses/value,memberships(contactGroupMembership(contactGroupId))`.
 *
 *   selection := item (',' item)*
 *   item      := path ('(' selection ')')?
 *   path      := name ('/' name)*        name := [A-Za-z0-9_$.-]+ | '*'
 *
 * A selection is checked against the response schema of the method (an unknown name is
 * Google's 400 "Invalid field selection <name>") and then applied to the response body.
 */
import { schemas } from '../generated/discovery.js'
import type { FieldDescriptor } from './types.js'
import { invalidArgument, type ApiError } from '../errors.js'

/** name → sub-selection, or `true` for "the whole value". */
export type Selection = Map<string, Selection | true>

/**
 * How deep a selection may nest, parentheses and slashes together (chosen: the deepest field of
 * the People API is a few levels down); deeper is a 400, so that checking and applying it (which
 * recurse) never runs out of stack.
 */
export const MAX_SELECTION_DEPTH = 64

function invalid (what: string): ApiError {
  // A selection of a batch's call may be megabytes long: the message shows its start.
  const shown = what.length > 200 ? what.slice(0, 200) + '…' : what
  return invalidArgument(`Invalid field selection ${shown}`, {
    reason: 'invalidParameter', location: 'fields', locationType: 'parameter'
  })
}

function merge (into: Selection, name: string, sub: Selection | true): void {
  const existing = into.get(name)
  if (existing === true || sub === true) into.set(name, true)
  else if (existing === undefined) into.set(name, sub)
  else for (const [k, v] of sub) merge(existing, k, v)
}

export function parseFieldSelector (text: string): Selection {
  let pos = 0
  const name = (): string => {
    const m = /^(\*|[A-Za-z0-9_$.-]+)/.exec(text.slice(pos))
    if (!m) throw invalid(text.slice(pos) === '' ? text : text.slice(pos))
    pos += m[0].length
    return m[0]
  }
  const selection = (depth: number): Selection => {
    const out: Selection = new Map()
    for (;;) {
      const path = [name()]
      while (text[pos] === '/') {
        pos++
        path.push(name())
        if (depth + path.length > MAX_SELECTION_DEPTH) throw invalid(text)
      }
      let sub: Selection | true = true
      if (text[pos] === '(') {
        pos++
        if (depth + path.length + 1 > MAX_SELECTION_DEPTH) throw invalid(text)
        sub = selection(depth + path.length)
        if (text[pos] !== ')') throw invalid(text)
        pos++
      }
      for (let i = path.length - 1; i > 0; i--) sub = new Map([[path[i]!, sub]])
      merge(out, path[0]!, sub)
      if (text[pos] !== ',') break
      pos++
    }
    if (depth === 0 && pos !== text.length) throw invalid(text)
    return out
  }
  return selection(0)
}

/** Throws Google's 400 when the selection names a field the response schema lacks. */
export function checkSelection (selection: Selection, schemaName: string): void {
  const walk = (sel: Selection, field: FieldDescriptor | undefined, props: Readonly<Record<string, FieldDescriptor>> | undefined): void => {
    for (const [name, sub] of sel) {
      if (name === '*') {
        if (sub !== true) for (const f of Object.values(props ?? {})) walk(sub, f, propertiesOf(f))
        continue
      }
      let next: FieldDescriptor | undefined
      if (props) {
        next = Object.hasOwn(props, name) ? props[name] : undefined
        if (!next) throw invalid(name)
      } else if (field && !isOpen(field)) {
        throw invalid(name)
      }
      if (sub !== true && next) walk(sub, next, propertiesOf(next))
    }
  }
  const root = schemas[schemaName]
  if (root) walk(selection, undefined, root.properties)
}

function elementOf (field: FieldDescriptor): FieldDescriptor {
  return field.type === 'array' && field.items ? elementOf(field.items) : field
}

function propertiesOf (field: FieldDescriptor): Readonly<Record<string, FieldDescriptor>> | undefined {
  const el = elementOf(field)
  return el.ref ? schemas[el.ref]?.properties : undefined
}

/** Maps and free-form values accept any name below them. */
function isOpen (field: FieldDescriptor): boolean {
  const el = elementOf(field)
  return el.type === 'any' || (el.type === 'object' && el.ref === undefined)
}

/** The parts of `value` the selection keeps. Lists are filtered element by element. */
export function applySelection (value: unknown, selection: Selection): unknown {
  if (Array.isArray(value)) return value.map(v => applySelection(v, selection))
  if (typeof value !== 'object' || value === null) return value
  const all = selection.get('*')
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    const sub = selection.get(key) ?? all
    if (sub === undefined) continue
    out[key] = sub === true ? v : applySelection(v, sub)
  }
  return out
}
