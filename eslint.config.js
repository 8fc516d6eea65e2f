import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'src/generated/**', '.tap/**', 'node_modules/**'] })
]
