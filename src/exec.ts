/**
 * `people-api-emulator exec [options] -- <command…>` (docs/testing.md): starts the
 * emulator (on a free port unless one is given), runs the command with `PEOPLE_EMULATOR_URL`
 * (and `PEOPLE_EMULATOR_CONTROL_TOKEN` when the control plane has one) in its environment,
 * waits for it, closes the emulator, and exits with the command's status — for any test runner.
 * Signals reach the command once: run from a terminal (stdin a TTY), the command shares exec's
 * process group, so Ctrl-C reaches both from the terminal and is not sent again (the command can
 * still read the terminal: a debugger's prompt works); otherwise (CI, a script, an IDE) the
 * command leads a process group of its own, and exec passes every signal to that whole group
 * (a shell's children included). When the command has ended the emulator closes. If exec ends
 * first (an error of its own, SIGQUIT), the command's group is sent SIGTERM; if exec is killed
 * outright (SIGKILL, out of memory), a watchdog started with the command sends it SIGTERM (WRAPPER).
 */
import { spawn } from 'node:child_process'
import { accessSync, constants as fsConstants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Writable } from 'node:stream'
import { constants } from 'node:os'
import { ConfigError } from './config.js'

/** What `exec --help` prints. */
export const EXEC_USAGE = `Usage: people-api-emulator exec [options] -- <command…>

Starts the emulator (on a free port unless --port is given; warnings only in its log unless
--log-level is), runs the command with PEOPLE_EMULATOR_URL (and PEOPLE_EMULATOR_CONTROL_TOKEN)
in its environment, stops the emulator when the command ends and exits with its status.
Its start line (the address, the web UI's) goes to stderr; the command has stdout to itself.
Options: every option of people-api-emulator --help.
Example: people-api-emulator exec --fixtures fixtures.json -- pytest -q
`

/** The arguments of `exec`: the emulator's options, and the command after `--` (`help`: asked for). */
export function splitExec (argv: readonly string[]): { options: string[], command: string[], help?: true } {
  const dash = argv.indexOf('--')
  const options = dash === -1 ? argv : argv.slice(0, dash)
  if (options.includes('--help') || options.includes('-h')) return { options: [], command: [], help: true }
  if (dash === -1 || dash === argv.length - 1) {
    throw new ConfigError('exec needs a command after "--": people-api-emulator exec [options] -- <command…> (for example: people-api-emulator exec -- pytest)')
  }
  return { options: argv.slice(0, dash), command: argv.slice(dash + 1) }
}

/** Whether the port was chosen, by flag or environment: exec picks a free one otherwise. */
export function portGiven (options: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return options.some(o => o === '--port' || o.startsWith('--port=')) || (env.PEOPLE_EMULATOR_PORT ?? '') !== ''
}

/** Whether a log level was chosen: exec logs warnings only otherwise (the command's output is the terminal's). */
export function levelGiven (options: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return options.some(o => o === '--log-level' || o.startsWith('--log-level=')) || (env.PEOPLE_EMULATOR_LOG_LEVEL ?? '') !== ''
}

/** The exit status of a command that ended: its code, or 128 + the signal's number (as a shell says). */
export function exitStatus (code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code
  const number = signal === null ? undefined : constants.signals[signal]
  return number === undefined ? 1 : 128 + number
}

/**
 * Runs the command with the emulator's address in its environment; resolves with its exit
 * status once it has ended (127 when it cannot be started, as a shell answers).
 */
export async function runCommand (command: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const interactive = process.stdin.isTTY === true
  const found = findCommand(command[0]!, env.PATH ?? '')
  if (found !== 'found') {
    process.stderr.write(`people-api-emulator exec: cannot run ${JSON.stringify(command[0])}: ${found === 'missing' ? 'command not found' : 'permission denied'}\n`)
    return found === 'missing' ? 127 : 126
  }
  // The command runs through a shell that first starts its watchdog, then becomes the command
  // (exec): the command's process id, group, signals and status are its own.
  const child = spawn('/bin/sh', ['-c', WRAPPER, 'people-api-emulator-exec', interactive ? 'process' : 'group', ...command], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'], env, detached: !interactive
  })
  const watchdog = child.stdio[3] as Writable & { unref?: () => void }
  watchdog.on('error', () => {}) // the command closed its end: nothing to tell it
  watchdog.unref?.()
  const signalChild = (signal: NodeJS.Signals): void => {
    try {
      // Its own group: every process of it (a shell's children too).
      if (!interactive && child.pid !== undefined) process.kill(-child.pid, signal)
      else child.kill(signal)
    } catch {
      // Already gone.
    }
  }
  // From a terminal, Ctrl-C and a hang-up reach the command's group already.
  const forwarded: NodeJS.Signals[] = interactive ? ['SIGTERM', 'SIGQUIT'] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']
  const handlers = forwarded.map(signal => [signal, () => { signalChild(signal) }] as const)
  for (const [signal, handler] of handlers) process.on(signal, handler)
  // A terminal's Ctrl-C is the command's to act on: exec waits for it to end.
  const waitForCommand = (): void => {}
  if (interactive) for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, waitForCommand)
  let running = true
  const orphaned = (): void => { if (running) signalChild('SIGTERM') }
  process.on('exit', orphaned)
  try {
    return await new Promise<number>(resolve => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        process.stderr.write(`people-api-emulator exec: cannot run ${JSON.stringify(command[0])}: ${err.message}\n`)
        resolve(126)
      })
      child.once('exit', (code, signal) => {
        running = false
        // The command ended by itself: the watchdog has nothing to do.
        watchdog.end('done\n')
        // What the command left behind in its group (a shell's background job) ends with it.
        if (!interactive) signalChild('SIGTERM')
        resolve(exitStatus(code, signal))
      })
    })
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler)
    if (interactive) for (const signal of ['SIGINT', 'SIGHUP'] as const) process.off(signal, waitForCommand)
    process.off('exit', orphaned)
  }
}

/**
 * The shell the command starts in. It starts a watchdog in the background, reading the pipe on
 * descriptor 3 that only exec holds the other end of, then becomes the command (without that
 * descriptor). When exec dies however it dies (SIGKILL, out of memory) the pipe closes before
 * "done" was written, and the watchdog sends SIGTERM to the command — to its whole group when it
 * leads one. Started before the command runs, it is there whenever exec could die. (A background
 * job of a shell without job control ignores SIGINT and SIGQUIT: a terminal's Ctrl-C leaves it be.)
 */
const WRAPPER = `mode=$1; shift; pid=$$
( IFS= read -r said <&3 || said=
  if [ "$said" != done ]; then if [ "$mode" = group ]; then kill -TERM -$pid; else kill -TERM $pid; fi; fi ) 2>/dev/null &
exec "$@" 3<&-`

/** Whether a command can be run as spawn would find it: on PATH, or the path it names. */
export function findCommand (name: string, path: string): 'found' | 'missing' | 'not executable' {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).filter(Boolean).map(dir => join(dir, name))
  let seen = false
  for (const file of candidates) {
    try {
      if (!statSync(file).isFile()) continue
    } catch {
      continue
    }
    seen = true
    try {
      accessSync(file, fsConstants.X_OK)
      return 'found'
    } catch {
      // Not executable: another on PATH may be.
    }
  }
  return seen ? 'not executable' : 'missing'
}
