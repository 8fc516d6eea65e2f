// A stand-in for `docker run … people-api-emulator` (test/docs.process.test.ts runs the docs'
// Docker recipes with it): starts the built server with the Dockerfile's ENV (DOCKER_ENV) and the
// command's -e settings — each must be one the emulator reads (DOCKER_SETTINGS) — its -v mounts
// and /app mapped to this machine, on a free port; asks for health and an export (with the
// control token, when one is set), stops the server, and exits 0 when all of that went well.
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
const root = process.env.DOCKER_ROOT
const args = process.argv.slice(2)
const env = Object.fromEntries(process.env.DOCKER_ENV.trim().split(/\s+/).map(kv => kv.split('=')))
const mounts = []
let image
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (a === '--rm') continue
  if (a === '-p') { if (!/^\d+:8090$/.test(args[++i])) throw new Error('-p ' + args[i]); continue }
  if (a === '-v') { const [src, dst] = args[++i].split(':'); mounts.push([dst, src.startsWith('/') ? src : join(process.env.DOCKER_WORK, 'volume-' + src)]); continue }
  if (a === '-e') { const [k, ...v] = args[++i].split('='); env[k] = v.join('='); continue }
  if (a.startsWith('-')) throw new Error('the stand-in does not know ' + a)
  image = a
}
if (image !== 'people-api-emulator') throw new Error('image ' + image)
const known = process.env.DOCKER_SETTINGS.split(',')
for (const k of Object.keys(env)) if (k.startsWith('PEOPLE_EMULATOR_') && !known.includes(k)) throw new Error('the emulator reads no ' + k)
const local = value => {
  for (const [dst, src] of mounts) if (value.startsWith(dst + '/')) { mkdirSync(src, { recursive: true }); return src + value.slice(dst.length) }
  return value.startsWith('/app/') ? join(root, value.slice(5)) : value
}
for (const k of Object.keys(env)) env[k] = local(env[k])
env.PEOPLE_EMULATOR_HOST = '127.0.0.1'
env.PEOPLE_EMULATOR_PORT = '0'
const child = spawn(process.execPath, [join(root, 'dist', 'server.mjs')], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
let out = ''
child.stdout.on('data', d => { out += d })
const exited = new Promise(resolve => child.on('exit', resolve))
const url = await new Promise((resolve, reject) => {
  child.stdout.on('data', () => { const m = /listening on (http:\S+)/.exec(out); if (m) resolve(m[1]) })
  exited.then(code => reject(new Error('the server exited with ' + code + ': ' + out)))
})
const headers = env.PEOPLE_EMULATOR_CONTROL_TOKEN ? { authorization: 'Bearer ' + env.PEOPLE_EMULATOR_CONTROL_TOKEN } : {}
const health = await fetch(url + '/_emulator/health')
const exported = await fetch(url + '/_emulator/export', { headers: { ...headers, host: 'localhost' } })
console.log(out.split('\n')[0], health.status, exported.status)
child.kill('SIGTERM')
const code = await exited
process.exit(health.status === 200 && exported.status === 200 && code === 0 ? 0 : 1)
