/**
 * Fault rules in the real server process: a shutdown does not wait out the delays a rule holds
 * calls with (README: Faults and quotas).
 */
import t from 'tap'
import { startServer } from './helpers/process.js'

const JSON_HEADERS = { 'content-type': 'application/json' }

t.test('SIGTERM while a batch\'s calls are held by a delay: no delay is waited out, every call is answered, exit 0', async t => {
  const server = await startServer(['--log-level', 'warn'])
  t.teardown(() => { server.child.kill('SIGKILL') })
  const rule = await fetch(`${server.url}/_emulator/faults`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ method: 'people.contactGroups.list', times: 0, delayMs: 300000 }) })
  t.equal(rule.status, 201)
  const part = '--b\r\nContent-Type: application/http\r\n\r\nGET /v1/contactGroups HTTP/1.1\r\n\r\n'
  const answer = fetch(`${server.url}/batch`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'multipart/mixed; boundary=b' }, body: part.repeat(3) + '--b--\r\n' }).then(async res => await res.text())
  // The first call is held (the rule has fired once) before the signal.
  for (let hits = 0; hits === 0;) {
    await new Promise(resolve => setTimeout(resolve, 20))
    hits = ((await (await fetch(`${server.url}/_emulator/faults`)).json()) as { faults: Array<{ hits: number }> }).faults[0]!.hits
  }
  server.child.kill('SIGTERM')
  const text = await answer
  t.equal(text.split('HTTP/1.1 200 OK').length - 1, 3, 'the three calls answered')
  t.equal(await server.exited, 0, 'exit 0, without waiting for the kill after 10 s')
})
