// The files the Docker image runs, copied from a built checkout (FROM) into a folder (TO): the
// bundled server (dist/server.mjs and its parts) and what it reads at run time, and the packages
// it loads from node_modules (the bundle's externals: scripts/build.mjs) with the packages they
// depend on — each without what it ships for other uses: other builds, sources, type
// declarations, a native module's build leftovers. Usage: node scripts/runtime-files.mjs FROM TO
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { isServerPart } from './build.mjs'

const [from, to] = process.argv.slice(2)
if (from === undefined || to === undefined) throw new Error('usage: node scripts/runtime-files.mjs FROM TO')

/** The packages dist/server.mjs loads from node_modules (better-sqlite3: its compiled module; pino-pretty: on a terminal only). */
const LOADED = ['better-sqlite3', 'libphonenumber-js', 'pino-pretty']

/** What is kept of a package, by its path inside it; everything is, for a package not named here. */
const KEPT = {
  // The compiled module (the bundle holds the package's JavaScript): not SQLite's sources, the
  // object files or the test extension.
  'better-sqlite3': path => path === 'package.json' || path === 'LICENSE' || path === 'build/Release/better_sqlite3.node',
  // The CommonJS build with the full ("max") metadata, which src/people/computed.ts requires.
  'libphonenumber-js': path => ['package.json', 'LICENSE', 'metadata.max.json'].includes(path) || /^(max|core|build)\//.test(path)
}

/**
 * Dependencies never loaded from node_modules when the server runs: used when a package is
 * installed (better-sqlite3 downloads or builds its module with prebuild-install), or bundled
 * with its package's JavaScript (bindings, which finds better-sqlite3's module when it is not
 * named by its path).
 */
const NOT_LOADED = new Set(['prebuild-install', 'bindings'])

const copied = new Set()
let bytes = 0

/** Copies a file, or the files of a folder that `kept` keeps (by their path inside it; not its node_modules). */
function copy (source, kept = () => true, inside = '') {
  const stat = statSync(source)
  if (!stat.isDirectory()) {
    const target = join(to, relative(from, source))
    mkdirSync(dirname(target), { recursive: true })
    cpSync(source, target)
    bytes += stat.size
    return
  }
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const path = join(inside, entry.name)
    if (entry.isDirectory() ? path !== 'node_modules' : kept(path)) copy(join(source, entry.name), kept, path)
  }
}

/** The folder of package `name` as Node would find it from `folder`: the nearest node_modules up. */
function packageFolder (name, folder) {
  for (let dir = folder; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) throw new Error(`package ${name} not found from ${folder}`)
  }
}

/** Copies a package (what KEPT keeps of it), then the packages it depends on. */
function copyPackage (folder) {
  if (copied.has(folder)) return
  copied.add(folder)
  const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'))
  copy(folder, KEPT[pkg.name])
  for (const dependency of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
    if (NOT_LOADED.has(dependency)) continue
    let found
    try {
      found = packageFolder(dependency, folder)
    } catch (err) {
      if (pkg.optionalDependencies?.[dependency] !== undefined) continue
      throw err
    }
    copyPackage(found)
  }
}

const parts = readdirSync(join(from, 'dist')).filter(isServerPart).map(name => `dist/${name}`)
for (const path of ['package.json', 'dist/server.mjs', ...parts, 'dist/migrations', 'dist/ui']) copy(join(from, path))
for (const name of LOADED) copyPackage(packageFolder(name, from))
process.stdout.write(`runtime files: ${(bytes / 1024 / 1024).toFixed(1)} MB, ${copied.size} packages\n`)
