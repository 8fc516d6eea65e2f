/**
 * README's configuration table, written between its markers by `npm run generate` from the one
 * table of settings (src/options.ts); test/config.test.ts fails when README's is stale.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { configurationTable } from '../src/options.js'

export const readmeFile = fileURLToPath(new URL('../README.md', import.meta.url))
const START = '<!-- configuration table: written by npm run generate from src/options.ts -->\n'
const END = '\n<!-- end of configuration table -->'

/** README with its configuration table written anew. */
export function readmeWithTable (): string {
  const text = readFileSync(readmeFile, 'utf8')
  const start = text.indexOf(START)
  const end = text.indexOf(END, start)
  if (start === -1 || end === -1) throw new Error('README.md has lost the markers of its configuration table')
  return text.slice(0, start + START.length) + configurationTable() + text.slice(end)
}
