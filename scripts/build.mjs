// The build: copies the SQL migrations beside the bundles, bundles the web UI
// (scripts/build-ui.mjs, dist/ui), and bundles the server (dist/server.mjs and its parts) and the
// library (dist/index.mjs, dist/index.cjs) straight from the TypeScript sources. A file or two
// instead of some hundred modules is what makes the emulator start fast: it starts in every CI
// job that uses it, and in every process test (npm test and npm run test:fast run this build
// first).
// `npm run build` runs tsc first, for the library's type declarations (dist/src/*.d.ts) only.
// Lazily loaded packages and better-sqlite3's compiled module load from node_modules (the
// library's bundles load all of better-sqlite3 from there).
import { build } from 'esbuild'
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { buildUi } from './build-ui.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

/** A part of the server's bundle, by its name in dist/ (chunkNames below). */
export const isServerPart = name => /^part-.*\.mjs$/.test(name)

export async function buildAll () {
  cpSync(`${root}db/migrations`, `${root}dist/migrations`, { recursive: true })
  await buildUi()

  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    // Source maps only for the coverage run (npm run coverage): the package ships none.
    sourcemap: process.env.BUILD_SOURCEMAPS === '1',
    // better-sqlite3 is native (the server's bundle holds its JavaScript, below); pino-pretty is
    // loaded only on a terminal (src/logger.ts); libphonenumber-js is loaded on the first phone
    // number. pino is bundled: it never starts
    // a transport (a worker thread that would need its own files). Fastify's schema compilers
    // (Ajv, fast-json-stringify) are never loaded: the app gives Fastify its own (src/app.ts),
    // so they are left out of the bundle rather than parsed on every start.
    external: ['better-sqlite3', 'pino-pretty', 'libphonenumber-js', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'],
    logLevel: 'warning',
    minifyWhitespace: true,
    minifySyntax: true
  }
  // Bundled CommonJS packages call require(): give the ES modules one.
  const esmBanner = { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }

  // The server, split into parts: what a dynamic import() loads (node-forge, for the sign-in's
  // certificate: a quarter of the code) is a part of its own, read and compiled when first
  // imported rather than at every start (5 ms of a start here); esbuild's helpers, which both
  // use, are a small shared part. The parts lie beside the entry (dist/part-*.mjs), so that a
  // path worked out from import.meta.url is the same in any of them. (A library entry in the
  // same build would share most of the code as one part, and a start that loads the code from
  // two modules instead of one was no faster than without parts.)
  for (const old of readdirSync(`${root}dist`)) if (isServerPart(old.replace(/\.map$/, ''))) rmSync(`${root}dist/${old}`)
  await Promise.all([
    build({
      ...common,
      entryPoints: { server: `${root}src/server.ts` },
      // better-sqlite3's JavaScript too (its compiled module is loaded by its path, db/database.ts):
      // loading it from node_modules, a dozen modules, was ~20 ms of a start here. (The library's
      // bundles leave the package to the project's node_modules, where a project may use it too.)
      external: common.external.filter(name => name !== 'better-sqlite3'),
      outdir: `${root}dist`,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'part-[name]-[hash]',
      splitting: true,
      format: 'esm',
      banner: esmBanner
    }),
    // The library (package.json "exports"): the same code for `import` and for `require`. In the
    // CommonJS file, import.meta.url (which finds the migrations and the package's files) is the
    // file's own URL.
    build({ ...common, entryPoints: [`${root}src/index.ts`], outfile: `${root}dist/index.mjs`, format: 'esm', banner: esmBanner }),
    build({
      ...common,
      entryPoints: [`${root}src/index.ts`],
      outfile: `${root}dist/index.cjs`,
      format: 'cjs',
      define: { 'import.meta.url': '__importMetaUrl' },
      banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" }
    })
  ])
  await writeMigratedImage(common, esmBanner)
}

/**
 * The image of a new in-memory database with every migration applied, beside the migrations
 * (dist/migrations/migrated-<digest>.sqlite): a fresh process opens a copy of it instead of
 * running the migrations (db/database.ts). Made by db/database.ts's own code, bundled for the
 * moment into dist/ (so that it finds dist/migrations as the bundles do).
 */
async function writeMigratedImage (common, esmBanner) {
  const script = `${root}dist/.migrated-image.mjs`
  await build({
    ...common,
    stdin: { contents: "export { loadMigrations, migratedImage, migratedImageFile } from './db/database.ts'", resolveDir: root, loader: 'ts' },
    outfile: script,
    format: 'esm',
    banner: esmBanner
  })
  try {
    const { loadMigrations, migratedImage, migratedImageFile } = await import(`${pathToFileURL(script).href}?${Date.now()}`)
    const dir = `${root}dist/migrations`
    const migrations = loadMigrations(dir + '/')
    for (const old of readdirSync(dir)) if (/^migrated-\w+\.sqlite$/.test(old)) rmSync(`${dir}/${old}`)
    writeFileSync(migratedImageFile(migrations, dir), migratedImage(migrations))
  } finally {
    rmSync(script, { force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildAll()
