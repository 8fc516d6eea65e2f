// The tests as bundles, what npm test (--all) and npm run test:fast (the in-process ones) run:
// each test file with the sources and packages it imports, in shared chunks, under .tap/bundles/.
// A test then loads a few files instead of some hundred modules, each through tsx's loader:
// about a second less per test file on this kind of machine, and tap runs some seventy of them
// (without tsx's loader at all: scripts/test-loader.mjs registers it for TypeScript only).
// Every `import.meta.url` keeps the URL of the file it is written in, so a path a test or a
// source works out from it is the same as when run from the sources (`npx tap test/x.test.ts`
// runs one file from the sources through tsx; tsc has checked them all before npm test runs).
import { build } from 'esbuild'
import { readdirSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = join(root, '.tap', 'bundles')

/** Test files: every one (--all), or the fast lane's — all but *.process.test.ts and *.slow.test.ts. */
function testFiles (all, dir = join(root, 'test')) {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return testFiles(all, path)
    return e.name.endsWith('.test.ts') && (all || !/\.(process|slow)\.test\.ts$/.test(e.name)) ? [path] : []
  })
}

rmSync(outdir, { recursive: true, force: true })
const entries = testFiles(process.argv.includes('--all'))
await build({
  entryPoints: entries.map(e => relative(root, e)),
  absWorkingDir: root,
  outdir,
  outbase: '.',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Native, lazily loaded or very large packages, and the test runner itself, load from node_modules.
  external: ['tap', '@tapjs/*', 'better-sqlite3', 'pino-pretty', 'libphonenumber-js', 'googleapis', '@googleapis/*', 'playwright-core', 'puppeteer-core', 'selenium-webdriver', 'esbuild', 'fast-check', 'undici', 'axe-core', 'typescript', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'],
  // Bundled CommonJS packages call require(): give the ES modules one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [{
    name: 'import-meta-url',
    setup (b) {
      b.onLoad({ filter: /\.(ts|tsx|mts|mjs|js)$/ }, async args => {
        if (args.path.includes('/node_modules/')) return undefined
        const text = await readFile(args.path, 'utf8')
        const loader = args.path.endsWith('.tsx') ? 'tsx' : /\.m?ts$/.test(args.path) ? 'ts' : 'js'
        return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader }
      })
    }
  }]
})
