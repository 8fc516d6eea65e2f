// The build after `tsc`: copies the SQL migrations beside the compiled code, and bundles the
// server into one file (dist/server.mjs). One file instead of some hundred modules is what
// makes the emulator start fast: it starts in every CI job that uses it. Native and lazily
// loaded packages stay outside the bundle and load from node_modules.
import { build } from 'esbuild'
import { cpSync } from 'node:fs'

cpSync('db/migrations', 'dist/db/migrations', { recursive: true })
cpSync('db/migrations', 'dist/migrations', { recursive: true })

await build({
  entryPoints: ['dist/src/server.js'],
  outfile: 'dist/server.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // better-sqlite3 is native; pino-pretty is loaded only on a terminal (src/logger.ts);
  // libphonenumber-js is loaded on the first phone number. pino is bundled: it never starts
  // a transport (a worker thread that would need its own files). Fastify's schema compilers
  // (Ajv, fast-json-stringify) are never loaded: the app gives Fastify its own (src/app.ts),
  // so they are left out of the bundle rather than parsed on every start.
  external: ['better-sqlite3', 'pino-pretty', 'libphonenumber-js', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'],
  // Bundled CommonJS packages call require(): give the ES module one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning'
})
