/**
 * Why the emulator cannot listen where it was told to, in one line: what the process prints
 * before it exits with code 2, and the ConfigError library mode rejects with.
 */

/**
 * One line saying why the emulator cannot listen on host:port, or undefined for another error;
 * naming the settings as the command line has them, or as the library's options (`library`).
 */
export function cannotListen (err: NodeJS.ErrnoException, host: string, port: number, library = false): string | undefined {
  const where = `${host}:${port}`
  const settings = library ? '(startEmulator options "host", "port")' : '(flags --host/--port or env PEOPLE_EMULATOR_HOST/PEOPLE_EMULATOR_PORT)'
  switch (err.code) {
    case 'EADDRINUSE': return `cannot listen on ${where}: port ${port} is already in use (another emulator or server?); choose another port ${settings}, or 0 for any free one`
    case 'EACCES': return `cannot listen on ${where}: permission denied (ports below 1024 need privileges) ${settings}`
    case 'EADDRNOTAVAIL': return `cannot listen on ${where}: ${host} is not an address of this machine ${settings}`
    case 'ENOTFOUND': case 'EAI_AGAIN': return `cannot listen on ${where}: the host ${host} cannot be resolved ${settings}`
  }
  return undefined
}
