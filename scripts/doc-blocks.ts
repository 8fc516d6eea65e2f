/**
 * The code blocks of README.md and docs/*.md, and how each is kept true. Every fenced block is
 * preceded, on the line just before its fence, by a comment that says what checks it:
 *
 * - `<!-- snippet: PATH -->` or `<!-- snippet: PATH#NAME -->`: the block is the file, or its lines
 *   between `snippet: begin NAME` and `snippet: end NAME` comments (their common indentation
 *   taken away); PATH is a program the test suite runs. `npm run generate` writes these blocks
 *   from the files; test/docs.process.test.ts fails when one differs.
 * - `<!-- setup -->`: README's two commands (checked against package.json and .ci/run, and
 *   `npm start` run).
 * - `<!-- shell -->` (`<!-- shell: conformance -->`): commands run as they stand, in the clone.
 * - `<!-- run -->`: curl commands run against the page's own emulator (localhost:8090 reached
 *   through curl's --connect-to); `<!-- output -->` after one: what it prints.
 * - `<!-- fixture -->`: a fixture document, imported into the page's emulator.
 * - `<!-- docker -->`: docker commands, run with a stand-in for `docker` that starts the built
 *   server as the image's ENV and mounts would (the image itself: the Docker check).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))

export type Kind = 'snippet' | 'setup' | 'shell' | 'run' | 'output' | 'fixture' | 'docker'
export const KINDS: readonly Kind[] = ['snippet', 'setup', 'shell', 'run', 'output', 'fixture', 'docker']

export interface Block {
  /** The page, relative to the clone: `README.md`, `docs/clients.md`. */
  readonly page: string
  /** 1-based line of the opening fence. */
  readonly line: number
  /** What the marker says: its kind and argument (`test/x.mjs#name`, `conformance`), or null when there is none. */
  readonly kind: Kind | null
  readonly arg: string
  /** The marker as written, or the line before the fence when there is none. */
  readonly marker: string
  readonly lang: string
  /** The block's text without its indentation, ending with a newline ('' when empty). */
  readonly text: string
  /** Where its text starts and ends in the page (offsets), for writing it anew. */
  readonly start: number
  readonly end: number
  readonly indent: string
}

/** README.md and every page of docs/, relative to the clone. */
export function docPages (): string[] {
  return ['README.md', ...readdirSync(join(root, 'docs')).filter(f => f.endsWith('.md')).sort().map(f => `docs/${f}`)]
}

const FENCE = /^([ \t]*)```(\S*)[ \t]*$/
const MARKER = /^[ \t]*<!-- ([a-z]+)(?:: (.+?))? -->[ \t]*$/

/** The fenced blocks of a page's text. */
export function blocksOf (page: string, text: string): Block[] {
  const lines = text.split('\n')
  const offsets: number[] = []
  let at = 0
  for (const line of lines) { offsets.push(at); at += line.length + 1 }
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!)
    if (open === null) continue
    const indent = open[1]!
    let close = i + 1
    while (close < lines.length && !(lines[close]!.startsWith(indent + '```') && lines[close]!.trim() === '```')) close++
    if (close === lines.length) throw new Error(`${page}:${i + 1}: a code block that never closes`)
    const before = i > 0 ? lines[i - 1]! : ''
    const m = MARKER.exec(before)
    const kind = m !== null && (KINDS as readonly string[]).includes(m[1]!) ? m[1] as Kind : null
    const body = lines.slice(i + 1, close).map(l => l.startsWith(indent) ? l.slice(indent.length) : l)
    blocks.push({
      page,
      line: i + 1,
      kind,
      arg: m?.[2] ?? '',
      marker: before.trim(),
      lang: open[2]!,
      text: body.length === 0 ? '' : body.join('\n') + '\n',
      start: offsets[i + 1]!,
      end: offsets[close]!,
      indent
    })
    i = close
  }
  return blocks
}

/** The text a snippet marker names: a whole file, or a region of it, without its common indentation. */
export function snippetSource (arg: string): string {
  const [path, name] = arg.split('#') as [string, string | undefined]
  const text = readFileSync(join(root, path), 'utf8')
  if (name === undefined) return text.endsWith('\n') ? text : text + '\n'
  const lines = text.split('\n')
  const begin = lines.findIndex(l => new RegExp(`^\\s*(?://|#|<!--) snippet: begin ${name}(?: -->)?\\s*$`).test(l))
  const end = lines.findIndex(l => new RegExp(`^\\s*(?://|#|<!--) snippet: end ${name}(?: -->)?\\s*$`).test(l))
  if (begin === -1 || end === -1 || end < begin) throw new Error(`${path} has no region "${name}" (snippet: begin ${name} … snippet: end ${name})`)
  const region = lines.slice(begin + 1, end)
  const indent = Math.min(...region.filter(l => l.trim() !== '').map(l => /^[ \t]*/.exec(l)![0].length))
  return region.map(l => l.slice(indent)).join('\n') + '\n'
}

/** A page with every snippet block written from its source. */
export function withSnippets (page: string, text: string): string {
  let out = text
  for (const block of blocksOf(page, text).filter(b => b.kind === 'snippet').reverse()) {
    const body = snippetSource(block.arg).split('\n').map(l => l === '' ? l : block.indent + l).join('\n')
    out = out.slice(0, block.start) + body + out.slice(block.end)
  }
  return out
}
