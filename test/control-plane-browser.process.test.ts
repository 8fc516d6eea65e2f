/**
 * A page of another origin, in Debian's Chromium, tries every way a browser has to read the
 * control plane — JSONP, a plain <script>, a stylesheet, an image, a frame, a no-cors fetch, a
 * CORS fetch — from another site (`localhost` against the emulator's `127.0.0.1`) and from the
 * same site on another port. None of them reads anything.
 */
import t from 'tap'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { build } from './helpers/app.js'
import { launchChromium } from './helpers/browser.js'

/** The attacker's page: every load it tries, and what it saw. */
function attackPage (emulator: string): string {
  const reads = ['/_emulator/export', '/_emulator/requests', '/_emulator/accounts', '/_emulator/accounts/alice/contacts', '/%5Femulator/export']
  const tries = reads.flatMap(path => [
    `<script src="${emulator}${path}?callback=steal" onerror="seen.push('error ${path} jsonp')" onload="seen.push('load ${path} jsonp')"></script>`,
    `<script src="${emulator}${path}" onerror="seen.push('error ${path} script')" onload="seen.push('load ${path} script')"></script>`,
    `<link rel="stylesheet" href="${emulator}${path}">`,
    `<img src="${emulator}${path}">`,
    `<iframe src="${emulator}${path}"></iframe>`
  ])
  return `<!doctype html><html><head><script>
    window.stolen = []; window.seen = []
    function steal (data) { stolen.push(JSON.stringify(data)) }
  </script>${tries.join('\n')}
  <script>
    window.addEventListener('load', async () => {
      const fetched = []
      for (const path of ${JSON.stringify(reads)}) {
        try {
          const opaque = await fetch('${emulator}' + path, { mode: 'no-cors', credentials: 'include' })
          fetched.push(opaque.type + ':' + (await opaque.text()).length)
        } catch (e) { fetched.push('no-cors ' + e.name) }
        try {
          const read = await fetch('${emulator}' + path)
          fetched.push('read:' + (await read.text()).length)
        } catch (e) { fetched.push('cors ' + e.name) }
      }
      const frames = [...document.querySelectorAll('iframe')].map(f => { try { return f.contentDocument?.body?.innerText ?? 'unreadable' } catch (e) { return e.name } })
      window.report = { stolen, seen, fetched, frames }
    })
  </script></head><body></body></html>`
}

async function serve (host: string, html: () => string): Promise<{ server: Server, url: string }> {
  const server = createServer((_req, res) => { res.setHeader('content-type', 'text/html; charset=utf-8'); res.end(html()) })
  await new Promise<void>(resolve => server.listen(0, host, resolve))
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}/` }
}

t.test('a page of another origin reads nothing of the control plane, by any load a browser has', async t => {
  const app = await build(t)
  const imported = await app.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: { accounts: [{ id: 'alice', tokens: [{ token: 'alice-secret-token' }], people: [{ names: [{ givenName: 'Secret Ada' }] }] }] } })
  t.equal(imported.statusCode, 200)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const emulator = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const browser = await launchChromium(t)
  // Another site, and the same site on another port (another origin all the same).
  for (const host of ['localhost', '127.0.0.1']) {
    const page = await serve(host, () => attackPage(emulator))
    t.teardown(() => page.server.close())
    const tab = await browser.newPage()
    await tab.goto(page.url)
    await tab.waitForFunction(() => (globalThis as any).report !== undefined, null, { timeout: 30_000 })
    const report = await tab.evaluate(() => (globalThis as any).report) as { stolen: string[], seen: string[], fetched: string[], frames: string[] }
    t.same(report.stolen, [], `${host}: no JSONP callback ran`)
    t.notOk(report.seen.some(s => s.startsWith('load')), `${host}: no script loaded`)
    t.equal(report.seen.length, 10, 'every script load failed')
    t.ok(report.fetched.every(f => f === 'opaque:0' || f === 'no-cors TypeError' || f === 'cors TypeError'), `${host}: fetches read nothing (${report.fetched.join(', ')})`)
    t.notOk(report.frames.some(f => f.includes('alice') || f.includes('Secret Ada')), `${host}: no frame shows data`)
    await tab.close()
  }
  // And what the emulator itself saw: no answer held the state.
  const exported = app.journal.entries()
  t.same(exported, [], 'the control plane\'s own requests are not journaled (nor were API calls made)')
})

t.test('a page of another origin changes nothing with a bodiless POST or DELETE (no-cors fetch, form)', async t => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/_emulator/import', headers: { 'content-type': 'application/json' }, payload: { accounts: [{ id: 'alice', people: [{ names: [{ givenName: 'Kept' }] }] }] } })
  await app.inject({ method: 'POST', url: '/_emulator/snapshots', headers: { 'content-type': 'application/json' }, payload: { name: 'kept' } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const emulator = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const browser = await launchChromium(t)
  const page = await serve('localhost', () => `<!doctype html><html><body>
    <form id="f" method="post" action="${emulator}/_emulator/reset" target="sink"></form><iframe name="sink"></iframe>
    <script>
      window.addEventListener('load', async () => {
        const done = []
        for (const [method, path] of [['POST', '/_emulator/reset'], ['DELETE', '/_emulator/snapshots/kept'], ['POST', '/_emulator/clock']]) {
          try { await fetch('${emulator}' + path, { method, mode: 'no-cors' }); done.push(method + ' sent') } catch (e) { done.push(method + ' ' + e.name) }
        }
        // The form's answer lands in the frame: the report waits for it (every request has been answered).
        document.querySelector('iframe').addEventListener('load', () => { window.report = done })
        document.getElementById('f').submit()
      })
    </script></body></html>`)
  t.teardown(() => page.server.close())
  const tab = await browser.newPage()
  await tab.goto(page.url)
  await tab.waitForFunction(() => (globalThis as any).report !== undefined, null, { timeout: 30_000 })
  const exported = JSON.parse((await app.inject({ url: '/_emulator/export' })).body)
  t.equal(exported.accounts[0].people.length, 1, 'nothing was reset')
  t.equal(JSON.parse((await app.inject({ url: '/_emulator/snapshots' })).body).snapshots.length, 1, 'nothing was deleted')
})
