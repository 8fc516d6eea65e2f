/** Debian's Chromium, headless, driven by playwright-core (no browser download), closed when the test ends. */
import { chromium, type Browser } from 'playwright-core'

interface Teardown { teardown: (fn: () => unknown) => void }

export async function launchChromium (t: Teardown): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  t.teardown(async () => { await browser.close() })
  return browser
}
