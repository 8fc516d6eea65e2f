// The build after `tsc`: copies the SQL migrations beside the compiled code, bundles the web UI
// (scripts/build-ui.mjs, dist/ui), and bundles the server into one file (dist/server.mjs). One file instead of some hundred modules is what
// makes the emulator start fast: it starts in every CI job that uses it. Native and lazily
// loaded packages stay outside the bundle and load from node_modules.
import { build } from 'esbuild'
import { cpSync } from 'node:fs'
import { buildUi } from './build-ui.mjs'

cpSync('db/migrations', 'dist/db/migrations', { recursive: true })
cpSync('db/migrations', 'dist/migrations', { recursive: true })
await buildUi()

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // better-sqlite3 is native; pino-pretty is loaded only on a terminal (src/logger.ts);
  // libphonenumber-js is loaded on the first phone number. pino is bundled: it never starts
  // a transport (a worker thread that would need its own files). Fastify's schema compilers
  // (Ajv, fast-json-stringify) are never loaded: the app gives Fastify its own (src/app.ts),
  // so they are left out of the bundle rather than parsed on every start.
  external: ['better-sqlite3', 'pino-pretty', 'libphonenumber-js', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'],
  logLevel: 'warning'
}
// Bundled CommonJS packages call require(): give the ES modules one.
const esmBanner = { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }

await build({ ...common, entryPoints: ['dist/src/server.js'], outfile: 'dist/server.mjs', format: 'esm', banner: esmBanner })

// The library (package.json "exports"): the same code for `import` and for `require`. In the
// CommonJS file, import.meta.url (which finds the migrations and the package's files) is the
// file's own URL.
await build({ ...common, entryPoints: ['dist/src/index.js'], outfile: 'dist/index.mjs', format: 'esm', banner: esmBanner })
await build({
  ...common,
  entryPoints: ['dist/src/index.js'],
  outfile: 'dist/index.cjs',
  format: 'cjs',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" }
})
