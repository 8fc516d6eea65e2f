/**
 * The pages of the authorization endpoint (FIDELITY.md: oauth, consent page): the consent page a
 * person or a test's browser uses — pick an account or add one, see the app's name and the
 * scopes in words, Allow or Cancel — and Google's error page for a request that is never sent
 * back to the app. Plain HTML and one stylesheet of the emulator's own: no script, no CDN;
 * usable from the keyboard (a form of native controls; Allow is the form's first button, so Enter
allows, and is shown on the right as Google shows it) and by screen readers (labels, a
 * fieldset with its legend, errors announced with role="alert").
 */
import type { AuthPageError, Identity } from './context.js'
import { describeScope } from './scopes.js'

export const CONSENT_CSS_PATH = '/o/oauth2/consent.css'

const escape = (text: string): string => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)

function page (title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<link rel="stylesheet" href="${CONSENT_CSS_PATH}">
</head>
<body>
<main>
<p class="brand">Google <span>(people-api-emulator)</span></p>
${body}
</main>
</body>
</html>
`
}

/** Google's page for a request it does not send back: `Error 400: redirect_uri_mismatch` and what was received. */
export function errorPage (err: AuthPageError): string {
  const details = err.details.length === 0
    ? ''
    : `<h2>Request details</h2>\n<ul class="details">${err.details.map(([k, v]) => `<li>${escape(k)}=${escape(v)}</li>`).join('')}</ul>`
  return page(`Error ${err.status}: ${err.error}`, `<h1>Access blocked: authorization error</h1>
${err.lines.map(l => `<p>${escape(l)}</p>`).join('\n')}
<p class="error-code">Error ${err.status}: ${escape(err.error)}</p>
${details}`)
}

export interface ConsentView {
  /** The path the form posts to (the authorization endpoint it was shown at). */
  action: string
  appName: string
  /** The request's parameters, sent back with the person's choice. */
  params: ReadonlyArray<[string, string]>
  accounts: readonly Identity[]
  selected?: string
  scopes: readonly string[]
  /** What was wrong with the last submission, shown and announced. */
  problem?: string
  newEmail?: string
  newName?: string
}

export function consentPage (v: ConsentView): string {
  const hidden = v.params.map(([k, val]) => `<input type="hidden" name="${escape(k)}" value="${escape(val)}">`).join('\n')
  const selected = v.selected ?? v.accounts[0]?.accountId ?? ''
  const accounts = v.accounts.map((a, i) => `<li><input type="radio" name="account" id="account-${i}" value="${escape(a.accountId)}"${a.accountId === selected ? ' checked' : ''}>
<label for="account-${i}"><span class="name">${escape(a.name ?? a.email)}</span> <span class="email">${escape(a.email)}</span></label></li>`).join('\n')
  const other = `<li><input type="radio" name="account" id="account-new" value=""${selected === '' ? ' checked' : ''}>
<label for="account-new">Use another account</label>
<div class="new">
<label for="new-email">Email</label> <input type="email" id="new-email" name="new_email" autocomplete="email" value="${escape(v.newEmail ?? '')}">
<label for="new-name">Name</label> <input type="text" id="new-name" name="new_name" autocomplete="name" value="${escape(v.newName ?? '')}">
</div></li>`
  const problem = v.problem === undefined ? '' : `<p class="problem" role="alert">${escape(v.problem)}</p>`
  return page('Sign in – Google Accounts', `<h1>Sign in with Google</h1>
<p>to continue to <strong>${escape(v.appName)}</strong></p>
${problem}
<form method="post" action="${escape(v.action)}">
${hidden}
<fieldset>
<legend>Choose an account</legend>
<ul class="accounts">
${accounts}
${other}
</ul>
</fieldset>
<section aria-labelledby="scopes-heading">
<h2 id="scopes-heading">${escape(v.appName)} wants to access your Google Account</h2>
<ul class="scopes">
${v.scopes.map(s => `<li>${escape(describeScope(s))}</li>`).join('\n')}
</ul>
</section>
<div class="buttons">
<button type="submit" name="decision" value="allow" class="primary">Allow</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</div>
</form>`)
}

export const CONSENT_CSS = `body{font-family:system-ui,sans-serif;margin:0;background:#f0f4f9;color:#1f1f1f}
main{max-width:36rem;margin:2rem auto;background:#fff;border-radius:1.5rem;padding:2rem}
.brand{font-weight:600;margin:0 0 1rem}.brand span{font-weight:400;color:#444}
h1{font-size:1.6rem;font-weight:400;margin:.5rem 0}h2{font-size:1.1rem;font-weight:500}
fieldset{border:1px solid #c4c7c5;border-radius:.75rem;margin:1rem 0;padding:.5rem 1rem}
ul{padding:0}.accounts li{list-style:none;padding:.5rem 0;border-bottom:1px solid #e3e3e3}
.accounts li:last-child{border-bottom:0}.email{color:#444;display:block;margin-left:1.6rem}
.new{display:grid;grid-template-columns:auto 1fr;gap:.5rem;margin:.5rem 0 0 1.6rem}
.scopes li{margin:.4rem 0 .4rem 1.2rem}.problem{color:#b3261e;font-weight:500}
.error-code{font-weight:600}.details li{list-style:none;font-family:monospace;word-break:break-all}
.buttons{display:flex;flex-direction:row-reverse;justify-content:flex-start;gap:1rem;margin-top:1.5rem}
button{font:inherit;padding:.6rem 1.4rem;border-radius:1.2rem;border:1px solid #747775;background:#fff;color:#0b57d0;cursor:pointer}
button.primary{background:#0b57d0;color:#fff;border-color:#0b57d0}
button:focus-visible,input:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
`
