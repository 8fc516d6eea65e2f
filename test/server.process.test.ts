import t from 'tap'
import { request } from 'node:http'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startProcess, startServer, stop } from './helpers/process.js'

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'pae-proc-'))

t.test('starts with one line naming its URL, answers health, exits 0 on SIGTERM', async t => {
  const server = await startServer(['--log-level', 'silent'])
  t.equal(server.stdout(), `people-api-emulator listening on ${server.url} (database :memory:) — web UI ${server.url}/_emulator/ui\n`)
  const res = await fetch(server.url + '/_emulator/health')
  t.equal(res.status, 200)
  t.same(await res.json(), { status: 'ok' })
  t.equal(await stop(server), 0)
})

t.test('a start and its answers make no Intl object unless quotas are on (the first one of a process costs ~25 ms)', async t => {
  // Counts the Intl objects the process makes, printed as it exits.
  const probe = 'data:text/javascript,' + encodeURIComponent(`
    let made = 0
    for (const name of ['DateTimeFormat', 'NumberFormat', 'Collator', 'PluralRules', 'RelativeTimeFormat', 'ListFormat', 'Segmenter']) {
      const Original = Intl[name]
      Intl[name] = new Proxy(Original, { construct (target, args) { made++; return Reflect.construct(target, args) }, apply (target, self, args) { made++; return Reflect.apply(target, self, args) } })
    }
    process.on('exit', () => process.stderr.write('Intl objects made: ' + made + '\\n'))`)
  const fixtures = join(tempDir(), 'fixtures.json')
  writeFileSync(fixtures, JSON.stringify({ accounts: [{ id: 'a', tokens: [{ token: 'tok' }], people: [{ names: [{ givenName: 'Ada' }] }] }] }))
  for (const [args, made] of [[[], 0], [['--quotas', 'on'], 2]] as const) {
    const server = await startServer(['--log-level', 'silent', '--fixtures', fixtures, ...args], { NODE_OPTIONS: `--import=${probe}` })
    t.equal((await fetch(server.url + '/_emulator/health')).status, 200)
    t.equal((await fetch(server.url + '/v1/people/me/connections?personFields=names', { headers: { authorization: 'Bearer tok' } })).status, 200)
    t.equal(await stop(server), 0)
    t.equal(server.stderr(), `Intl objects made: ${made}\n`, args.join(' ') || 'default settings')
  }
})

t.test('exits 0 on SIGINT', async t => {
  const server = await startServer(['--log-level', 'silent'])
  t.equal(await stop(server, 'SIGINT'), 0)
})

t.test('SIGTERM lets an in-flight request finish before closing', async t => {
  const server = await startServer(['--log-level', 'silent'])
  const payload = JSON.stringify({ accounts: [{ id: 'late', tokens: [{ token: 'late-token' }] }] })
  const { hostname, port } = new URL(server.url)
  const response = new Promise<{ status: number, body: string }>((resolve, reject) => {
    const req = request({ hostname, port, method: 'POST', path: '/_emulator/import', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, res => {
      let body = ''
      res.on('data', (d: Buffer) => { body += d.toString() })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.write(payload.slice(0, 10))
    // The request is under way: signal, then send the rest of the body.
    setTimeout(() => {
      server.child.kill('SIGTERM')
      setTimeout(() => req.end(payload.slice(10)), 300)
    }, 300)
  })
  const res = await response
  t.equal(res.status, 200)
  t.same(JSON.parse(res.body), { accounts: ['late'] })
  t.equal(await server.exited, 0)
})

t.test('a file database survives a restart with nothing lost', async t => {
  const db = join(tempDir(), 'people.db')
  const first = await startServer(['--db', db, '--log-level', 'silent'])
  t.match(first.stdout(), `(database ${db})`)
  const doc = { accounts: [{ id: 'alice', tokens: [{ token: 'a' }], contactGroups: [{ name: 'Friends of Ada' }], people: [{ names: [{ givenName: 'Ada' }] }] }] }
  t.equal((await fetch(first.url + '/_emulator/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) })).status, 200)
  await fetch(first.url + '/v1/contactGroups', { headers: { authorization: 'Bearer walk-in' } })
  const before = await (await fetch(first.url + '/_emulator/export')).text()
  t.equal(await stop(first), 0)
  const second = await startServer(['--db', db, '--log-level', 'silent'])
  t.equal(await (await fetch(second.url + '/_emulator/export')).text(), before)
  t.equal(await stop(second), 0)
})

t.test('fixtures seed a new file database only; reset restores them', async t => {
  const dir = tempDir()
  const fixtures = join(dir, 'fixtures.json')
  writeFileSync(fixtures, JSON.stringify({ accounts: [{ id: 'seeded', tokens: [{ token: 's' }] }] }))
  const db = join(dir, 'people.db')
  const first = await startServer(['--db', db, '--fixtures', fixtures, '--log-level', 'silent'])
  await fetch(first.url + '/_emulator/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accounts: [{ id: 'seeded' }, { id: 'added' }] }) })
  await stop(first)
  const second = await startServer(['--db', db, '--fixtures', fixtures, '--log-level', 'silent'])
  const kept = await (await fetch(second.url + '/_emulator/export')).json() as { accounts: unknown[] }
  t.same(kept, { accounts: [{ id: 'added' }, { id: 'seeded' }] }, 'the state of the file is kept over the fixtures')
  t.equal(second.stdout().split('\n')[1], `people-api-emulator: the database ${db} holds state already, so the fixtures were not loaded: POST ${second.url}/_emulator/reset loads them, or start with --fixtures-on-start always`, 'and the start says so, with what to do')
  await fetch(second.url + '/_emulator/reset', { method: 'POST', headers: { 'content-type': 'application/json' } })
  t.same(await (await fetch(second.url + '/_emulator/export')).json(), { accounts: [{ id: 'seeded', tokens: [{ token: 's' }] }] })
  await fetch(second.url + '/_emulator/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accounts: [{ id: 'later' }] }) })
  await stop(second)
  const third = await startServer(['--db', db, '--fixtures', fixtures, '--log-level', 'silent', '--fixtures-on-start', 'always'])
  t.same(await (await fetch(third.url + '/_emulator/export')).json(), { accounts: [{ id: 'seeded', tokens: [{ token: 's' }] }] }, '--fixtures-on-start always: back to the fixtures')
  t.notMatch(third.stdout(), 'were not loaded')
  await stop(third)
})

t.test('invalid configuration: one line naming the setting, exit code 2', async t => {
  const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
    [['--port', 'eighty'], {}, /^people-api-emulator: invalid configuration: option '--port <port>' argument 'eighty' is invalid\..*\(flag --port or env PEOPLE_EMULATOR_PORT\)\n$/],
    [[], { PEOPLE_EMULATOR_LOG_LEVEL: 'chatty' }, /PEOPLE_EMULATOR_LOG_LEVEL/],
    [['--db', join(tempDir(), 'missing', 'dir', 'x.db')], {}, /^people-api-emulator: invalid configuration: cannot open database .*\(flag --db or env PEOPLE_EMULATOR_DB\)\n$/],
    // Values holding a newline or an escape sequence: still one line, written as escapes.
    [['--db', join(tempDir(), 'missing\ndir\x1b[2J', 'x.db')], {}, /^people-api-emulator: invalid configuration: cannot open database .*missing\\ndir\\x1b\[2J/],
    [['--fixtures', '/nonexistent\nINJECT.json'], {}, /^people-api-emulator: cannot read fixtures file \/nonexistent\\nINJECT\.json/]
  ]
  for (const [args, env, pattern] of cases) {
    const p = startProcess(args, env)
    t.equal(await p.exited, 2, args.join(' '))
    t.match(p.stderr(), pattern)
    t.equal(p.stderr().trim().split('\n').length, 1, 'one line')
  }
})

t.test('a bad fixture file: exit code 2 and the JSON path of the problem', async t => {
  const fixtures = join(tempDir(), 'fixtures.json')
  writeFileSync(fixtures, JSON.stringify({ accounts: [{ id: 'a', people: [{ names: [{ givenName: true }] }] }] }))
  const p = startProcess(['--fixtures', fixtures])
  t.equal(await p.exited, 2)
  t.equal(p.stderr(), `people-api-emulator: fixtures file ${fixtures}: accounts[0].people[0].names[0].givenName: invalid value true (expected TYPE_STRING)\n`)
})

t.test('a port in use is reported as such, naming the port', async t => {
  const first = await startServer(['--log-level', 'silent'])
  const port = new URL(first.url).port
  const p = startProcess(['--port', port])
  t.equal(await p.exited, 2)
  t.equal(p.stderr(), `people-api-emulator: cannot listen on 127.0.0.1:${port}: port ${port} is already in use (another emulator or server?); choose another port (flags --host/--port or env PEOPLE_EMULATOR_HOST/PEOPLE_EMULATOR_PORT), or 0 for any free one\n`)
  t.equal(p.stdout(), '', 'no start line')
  await stop(first)
})

t.test('an address of another machine is reported as such', async t => {
  const p = startProcess(['--host', '192.0.2.1', '--port', '0'])
  t.equal(await p.exited, 2)
  t.equal(p.stderr(), 'people-api-emulator: cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine (flags --host/--port or env PEOPLE_EMULATOR_HOST/PEOPLE_EMULATOR_PORT)\n')
})

t.test('at the default log level the start line is the first line printed, and Fastify\'s own is not', async t => {
  const server = await startServer(['--log-level', 'info'])
  await fetch(server.url + '/_emulator/health')
  await stop(server)
  const lines = server.stdout().split('\n')
  t.equal(lines[0], `people-api-emulator listening on ${server.url} (database :memory:) — web UI ${server.url}/_emulator/ui`)
  t.notMatch(server.stdout(), /Server listening at/)
  t.match(server.stdout(), /"msg":"request completed"/, 'request logs still come at info')
})

t.test('request lines are written asynchronously: a quiet server writes each without waiting for more traffic; a close writes out what has gathered', async t => {
  const server = await startServer(['--log-level', 'info'])
  // One request, then nothing: the line must come without more traffic pushing it out.
  await fetch(server.url + '/_emulator/health')
  const deadline = Date.now() + 2000
  while (!server.stdout().includes('"msg":"request completed"') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
  t.match(server.stdout(), /"msg":"request completed"/, 'the line of a lone request is written while the server runs')
  // Many requests, then a close right away: none of their lines is lost.
  const count = 200
  for (let i = 0; i < count; i++) await fetch(server.url + `/_emulator/health?n=${i}`)
  t.equal(await stop(server), 0)
  const urls = server.stdout().split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l)).filter(l => l.msg === 'request completed').map(l => l.url)
  t.equal(urls.length, count + 1, 'every request line is written by the time the process has exited')
  t.equal(urls.at(-1), `/_emulator/health?n=${count - 1}`, 'the last one too')
  t.ok(server.stdout().includes('"msg":"closing"'), 'and the closing line')
})

t.test('logs are JSON lines and never carry credentials', async t => {
  const server = await startServer(['--log-level', 'debug'])
  await fetch(server.url + '/v1/contactGroups', { headers: { authorization: 'Bearer super-secret-token' } })
  await fetch(server.url + '/v1/contactGroups?access_token=other-secret&prettyPrint=false')
  await stop(server)
  const lines = server.stdout().split('\n').filter(l => l.startsWith('{'))
  t.ok(lines.length >= 4)
  for (const line of lines) t.doesNotThrow(() => JSON.parse(line), 'each log line is JSON')
  t.notMatch(server.stdout(), /super-secret-token|other-secret/)
  t.match(server.stdout(), /"authorization":"\[Redacted\]"/)
  t.match(server.stdout(), /access_token=\[Redacted\]/)
  const completed = lines.map(l => JSON.parse(l)).filter(l => l.msg === 'request completed')
  t.equal(completed.length, 2)
  t.match(completed[0], { method: 'GET', url: '/v1/contactGroups', statusCode: 200 })
})

t.test('no token reaches a log line at any level, however its parameter is spelled', async t => {
  const server = await startServer(['--log-level', 'trace'])
  const secrets = ['tok-plain-1', 'tok-encoded-name-2', 'tok-encoded-letter-3', 'tok-oauth-4', 'tok-key-5', 'tok-account-6', 'tok-bad-escape-7', 'tok-header-8']
  const spellings = [
    `/v1/contactGroups?access_token=${secrets[0]}`,
    `/v1/contactGroups?access%5Ftoken=${secrets[1]}`,
    `/v1/contactGroups?%61ccess_token=${secrets[2]}`,
    `/v1/contactGroups?oauth%5Ftoken=${secrets[3]}`,
    `/v1/contactGroups?k%65y=${secrets[4]}&access_token=x`,
    `/v1/contactGroups?access_token%ZZ=${secrets[6]}`
  ]
  for (const path of spellings) {
    const res = await fetch(server.url + path)
    t.not(res.status, 500, path)
  }
  // Encoded names authenticate, as on Google: the logs must not show them either.
  t.equal((await fetch(server.url + spellings[1]!)).status, 200)
  // An undeclared account's id is its token: the control plane's account parameter is redacted too.
  await fetch(server.url + '/v1/contactGroups', { headers: { authorization: `Bearer ${secrets[5]!}` } })
  await fetch(server.url + '/v1/people:createContact', { method: 'POST', headers: { authorization: `Bearer ${secrets[5]!}`, 'content-type': 'application/json' }, body: '{}' })
  await fetch(server.url + `/_emulator/reset?account=${secrets[5]!}`, { method: 'POST', headers: { 'content-type': 'application/json' } })
  await fetch(server.url + '/v1/contactGroups', { headers: { authorization: `Bearer ${secrets[7]!}` } })
  // Other credential headers, on a lone request and on the calls of a batch.
  const more = ['tok-api-key-9', 'tok-proxy-10', 'tok-part-bearer-11', 'tok-part-key-12', 'tok-cookie-13', 'tok-iam-14', 'tok-x-api-key-15']
  secrets.push(...more)
  await fetch(server.url + '/v1/contactGroups', { headers: { authorization: 'Bearer t', 'x-goog-api-key': more[0]!, 'proxy-authorization': `Basic ${more[1]!}`, cookie: `SID=${more[4]!}`, 'x-goog-iam-authorization-token': more[5]!, 'x-api-key': more[6]! } })
  const part = `--b\r\nContent-Type: application/http\r\n\r\nGET /v1/contactGroups HTTP/1.1\r\nAuthorization: Bearer ${more[2]!}\r\nX-Goog-Api-Key: ${more[3]!}\r\n\r\n`
  t.equal((await fetch(server.url + '/batch', { method: 'POST', headers: { 'content-type': 'multipart/mixed; boundary=b' }, body: part + '--b--\r\n' })).status, 200)
  // A request Node's parser refuses: its raw bytes are not logged either.
  const raw = 'tok-raw-16'
  secrets.push(raw)
  const { connect } = await import('node:net')
  await new Promise<void>(resolve => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => {
      socket.write(`POST /v1/people:createContact?access_token=${raw} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${raw}\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n`)
    })
    socket.on('data', () => {})
    socket.on('close', () => { resolve() })
  })
  await stop(server)
  const out = server.stdout() + server.stderr()
  for (const secret of secrets) t.notOk(out.includes(secret), `${secret} is not logged`)
  t.ok(out.includes('"msg":"client error"'), 'the refused request is logged')
  t.notOk(out.includes('rawPacket'), 'without its raw bytes (where the secrets are, as numbers)')
  t.match(out, /access%5Ftoken=\[Redacted\]/)
  t.match(out, /account=\[Redacted\]/)
})

t.test('the built bundle (npm start, the Docker image) starts and serves', async t => {
  const bundle = fileURLToPath(new URL('../dist/server.mjs', import.meta.url))
  t.ok(existsSync(bundle), 'dist/server.mjs exists: npm ci builds it (npm run build after a change)')
  const child = spawn(process.execPath, [bundle, '--port', '0', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); const m = /listening on (http:\/\/\S+)/.exec(out); if (m) resolve(m[1]!) })
    child.on('exit', code => reject(new Error(`exited with ${code}`)))
  })
  const created = await fetch(`${url}/v1/people:createContact?personFields=names,phoneNumbers`, {
    method: 'POST',
    headers: { authorization: 'Bearer bundle', 'content-type': 'application/json' },
    body: JSON.stringify({ names: [{ givenName: 'Ada' }], phoneNumbers: [{ value: '+44 20 7946 0958' }] })
  })
  t.equal(created.status, 200)
  const person = await created.json() as any
  t.equal(person.phoneNumbers[0].canonicalForm, '+442079460958', 'lazily loaded packages load from the bundle too')
  const found = await fetch(`${url}/v1/people:searchContacts?readMask=names&query=ada`, { headers: { authorization: 'Bearer bundle' } })
  t.equal(((await found.json()) as any).results.length, 1, 'the migrations were found')
  child.kill('SIGTERM')
  t.equal(await new Promise(resolve => child.on('exit', resolve)), 0)
})

t.test('a 20,000-contact fixture starts cleanly: its contacts are served, nothing is written to stderr', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pae-large-'))
  const file = join(dir, 'fixture.json')
  const people = Array.from({ length: 20000 }, (_, i) => ({ resourceName: `people/c${1000000 + i}`, names: [{ givenName: `Given${i}`, familyName: `Family${i}` }] }))
  writeFileSync(file, JSON.stringify({ accounts: [{ id: 'large', tokens: [{ token: 'large' }], people }] }))
  const server = await startServer(['--fixtures', file, '--log-level', 'warn'])
  t.teardown(async () => { await stop(server) })
  const res = await fetch(`${server.url}/v1/people/c1019999?personFields=names`, { headers: { authorization: 'Bearer large' } })
  t.equal(res.status, 200)
  t.equal(((await res.json()) as any).names[0].givenName, 'Given19999')
  const list = await fetch(`${server.url}/v1/people/me/connections?personFields=names&pageSize=1`, { headers: { authorization: 'Bearer large' } })
  t.equal(((await list.json()) as any).totalItems, 20000)
  t.equal(server.stderr(), '', 'no warning from the memory settings')
})

t.test('--exit-with-stdin: the emulator stops when its standard input ends', async t => {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../dist/server.mjs', import.meta.url)), '--port', '0', '--log-level', 'silent', '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  await new Promise<void>(resolve => child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('listening on')) resolve() }))
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  child.stdin.end()
  t.equal(await exited, 0, 'closed, exit 0')
})
