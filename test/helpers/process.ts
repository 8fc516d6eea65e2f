/**
 * Runs the real server in a child process for process-level tests: the bundle users run
 * (dist/server.mjs), which npm test and npm run test:fast build from the sources first (run
 * `node scripts/build.mjs` before one process test alone after a change), and which starts in
 * a fraction of the time the sources take through tsx.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const serverEntry = fileURLToPath(new URL('../../dist/server.mjs', import.meta.url))

export interface RunningServer {
  child: ChildProcess
  url: string
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
}

export function startProcess (args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess, stdout: () => string, stderr: () => string, exited: Promise<number | null> } {
  const child = spawn(process.execPath, [serverEntry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  return { child, stdout: () => out, stderr: () => err, exited }
}

/** Starts the server on a free port and resolves once it prints its URL. */
export async function startServer (args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const p = startProcess(['--port', '0', ...args], env)
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${p.stderr()}`)), 20000)
    const check = (): void => {
      const m = /listening on (http:\/\/\S+)/.exec(p.stdout())
      if (m) { clearTimeout(timer); resolve(m[1]!) }
    }
    p.child.stdout!.on('data', check)
    p.exited.then(code => { clearTimeout(timer); reject(new Error(`server exited with ${code}: ${p.stderr()}`)) }, reject)
  })
  return { ...p, url }
}

export async function stop (server: { child: ChildProcess, exited: Promise<number | null> }, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  server.child.kill(signal)
  return await server.exited
}
