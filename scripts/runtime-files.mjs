// The files the Docker image runs, copied from a built checkout (FROM) into a folder (TO): the
// bundled server and what it reads at run time, and the packages it loads from node_modules
// (the bundle's externals: scripts/build.mjs) with the packages they depend on — each without
// what it ships for other uses: other builds, sources, type declarations, a native module's
// build leftovers. Usage: node scripts/runtime-files.mjs FROM TO
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

const [from, to] = process.argv.slice(2)
if (from === undefined || to === undefined) throw new Error('usage: node scripts/runtime-files.mjs FROM TO')

/** The packages dist/server.mjs loads from node_modules (pino-pretty: on a terminal only). */
const LOADED = ['better-sqlite3', 'libphonenumber-js', 'pino-pretty']

/** What is kept of a package, by its path inside it; everything is, for a package not named here. */
const KEPT = {
  // The compiled module and the JavaScript that loads it: not SQLite's sources, the object files or the test extension.
  'better-sqlite3': path => path === 'package.json' || path === 'LICENSE' || path.startsWith('lib/') || path === 'build/Release/better_sqlite3.node',
  // The CommonJS build with the full ("max") metadata, which src/people/computed.ts requires.
  'libphonenumber-js': path => ['package.json', 'LICENSE', 'metadata.max.json'].includes(path) || /^(max|core|build)\//.test(path)
}

/** Dependencies used when a package is installed, never when it runs (better-sqlite3 downloads or builds its module with them). */
const INSTALL_ONLY = new Set(['prebuild-install'])

const copied = new Set()
let bytes = 0

function copyFile (source, target) {
  mkdirSync(dirname(target), { recursive: true })
  cpSync(source, target)
  bytes += statSync(source).size
}

/** Copies a file or a folder of the checkout as it is. */
function copyPath (path) {
  const source = join(from, path)
  if (statSync(source).isDirectory()) {
    cpSync(source, join(to, path), { recursive: true })
    bytes += folderBytes(source)
  } else {
    copyFile(source, join(to, path))
  }
}

function folderBytes (folder) {
  let sum = 0
  for (const entry of entries(folder)) sum += entry.dir ? folderBytes(entry.path) : statSync(entry.path).size
  return sum
}

/** A folder's entries: their paths, and which are folders. */
function entries (folder) {
  return readdirSync(folder, { withFileTypes: true }).map(e => ({ path: join(folder, e.name), dir: e.isDirectory() }))
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
  const kept = KEPT[pkg.name] ?? (() => true)
  const walk = dir => {
    for (const entry of entries(dir)) {
      const inside = relative(folder, entry.path)
      if (entry.dir) {
        if (inside !== 'node_modules') walk(entry.path)
      } else if (kept(inside)) {
        copyFile(entry.path, join(to, relative(from, entry.path)))
      }
    }
  }
  walk(folder)
  for (const dependency of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
    if (INSTALL_ONLY.has(dependency)) continue
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

for (const path of ['package.json', 'dist/server.mjs', 'dist/migrations', 'dist/ui']) copyPath(path)
for (const name of LOADED) copyPackage(packageFolder(name, from))
process.stdout.write(`runtime files: ${(bytes / 1024 / 1024).toFixed(1)} MB, ${copied.size} packages\n`)
