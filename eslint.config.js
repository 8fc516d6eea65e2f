import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'src/generated/**', 'src/schemas/generated.ts', '.tap/**', 'node_modules/**'] })
]
