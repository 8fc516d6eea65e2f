/** Fastify's internal symbols (no types of their own): src/route-groups.ts reads a request's route context by one. */
declare module 'fastify/lib/symbols.js' {
  const symbols: Record<string, symbol>
  export default symbols
}
