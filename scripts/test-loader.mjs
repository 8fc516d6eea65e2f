// tap's loader for each test file (.taprc node-arg). A test run from the sources
// (`npx tap test/x.test.ts`) is TypeScript: tsx's loader is registered for it, as `--import=tsx`
// would. A bundled test (what npm test and npm run test:fast run: .tap/bundles/**/*.test.mjs,
// plain ES modules) needs none, and registering it cost each test file's process ~0.3 s.
if (/\.[cm]?tsx?$/.test(process.argv[1] ?? '')) await import('tsx')
