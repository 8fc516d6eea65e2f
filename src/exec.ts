/**
 * `people-api-emulator exec [options] -- <command…>` (README: Testing, any language): starts the
 * emulator (on a free port unless one is given), runs the command with `PEOPLE_EMULATOR_URL`
 * (and `PEOPLE_EMULATOR_CONTROL_TOKEN` when the control plane has one) in its environment,
 * waits for it, closes the emulator, and exits with the command's status — for any test runner.
 * Ctrl-C and SIGTERM go to the command; when it has ended, the emulator closes. If this process
 * ends first, the command is sent SIGTERM: nothing is left running.
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { ConfigError } from './config.js'

/** The arguments of `exec`: the emulator's options, and the command after `--`. */
export function splitExec (argv: readonly string[]): { options: string[], command: string[] } {
  const dash = argv.indexOf('--')
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
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env })
  const forward = (signal: NodeJS.Signals) => () => { child.kill(signal) }
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map(signal => [signal, forward(signal)] as const)
  for (const [signal, handler] of handlers) process.on(signal, handler)
  const orphaned = (): void => { child.kill('SIGTERM') }
  process.on('exit', orphaned)
  try {
    return await new Promise<number>(resolve => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        process.stderr.write(`people-api-emulator exec: cannot run ${JSON.stringify(command[0])}: ${err.code === 'ENOENT' ? 'command not found' : err.message}\n`)
        resolve(err.code === 'ENOENT' ? 127 : 126)
      })
      child.once('exit', (code, signal) => { resolve(exitStatus(code, signal)) })
    })
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler)
    process.off('exit', orphaned)
  }
}
