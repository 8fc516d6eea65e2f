// The web UI (ui/, routes/ui.ts): Preact and the pages bundled by esbuild into dist/ui/app.js
// and dist/ui/app.css, minified, for the browsers of the last few years. Run by the build, and by
// the UI's browser test (so that it drives the UI of the sources it tests).
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Builds the UI into `outdir` (dist/ui of the package by default); returns the bytes written per file. */
export async function buildUi (outdir = `${root}dist/ui`) {
  const result = await build({
    entryPoints: { app: `${root}ui/main.tsx` },
    outdir,
    bundle: true,
    format: 'esm',
    minify: true,
    target: ['chrome100', 'firefox100', 'safari15', 'edge100'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning'
  })
  return Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, o]) => [file.split('/').pop(), o.bytes]))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await buildUi())
