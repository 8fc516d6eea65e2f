/** scripts/build-ui.mjs: builds the web UI into `outdir` (dist/ui); the bytes written per file. */
export function buildUi (outdir?: string): Promise<Record<string, number>>
