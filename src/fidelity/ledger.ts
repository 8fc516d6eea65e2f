/**
 * The fidelity ledger (BEHAVIOUR.md §11): one row per behaviour, with the evidence it rests
 * on and the test that pins it. FIDELITY.md is generated from these rows
 * (`npm run generate`) and GET /_emulator/fidelity serves them as JSON.
 *
 * evidence: `documented` (Google's reference or discovery document), `observed: <source>`
 * (real responses seen in public bug reports), or `chosen` (no evidence; this project's choice).
 */
export interface LedgerRow {
  area: string
  behaviour: string
  evidence: 'documented' | `observed: ${string}` | 'chosen'
  test: string
}

export const LEDGER: readonly LedgerRow[] = [
  // Wire format (BEHAVIOUR.md §2)
  { area: 'wire', behaviour: 'Every error is the google.rpc.Status envelope: code, message, errors[{message, domain, reason}], status, details.', evidence: 'observed: public bug reports', test: 'test/wire.test.ts: unknown query parameters: the §2 message' },
  { area: 'wire', behaviour: 'Responses are `application/json; charset=UTF-8`, two-space indented unless prettyPrint=false (or 0).', evidence: 'documented', test: 'test/wire.test.ts: responses are JSON, pretty by default and compact with prettyPrint=false' },
  { area: 'wire', behaviour: 'A bad prettyPrint value is 400 `Invalid value at \'pretty_print\' (TYPE_BOOL), "…"`.', evidence: 'chosen', test: 'test/wire.test.ts: a bad prettyPrint value is a 400' },
  { area: 'wire', behaviour: '$.xgafv=2 leaves the legacy `errors` array out of error bodies; another value than 1 or 2 is 400.', evidence: 'chosen', test: 'test/wire.test.ts: $.xgafv=2 leaves the legacy errors array out' },
  { area: 'wire', behaviour: 'alt=json only; alt=media and alt=proto are 400 (reason invalidParameter, location alt).', evidence: 'chosen', test: 'test/wire.test.ts: alt: json is accepted, media and proto are 400, anything else is 400' },
  { area: 'wire', behaviour: 'callback=NAME wraps the body as `// API callback\\nNAME(…);` with Content-Type text/javascript; a name that is not a JS identifier path is 400.', evidence: 'chosen', test: 'test/wire.test.ts: callback wraps the response as JSONP' },
  { area: 'wire', behaviour: 'fields selects parts of a 2xx body (`a,b/c,d(e,f)`, `*`); errors are never filtered.', evidence: 'documented', test: 'test/wire.test.ts: fields selects parts of a successful response' },
  { area: 'wire', behaviour: 'fields naming a field the response schema lacks is 400 `Invalid field selection NAME` (reason invalidParameter, location fields, locationType parameter).', evidence: 'observed: public bug reports (Drive, Calendar)', test: 'test/wire.test.ts: fields naming a field the response lacks is Google\'s 400' },
  { area: 'wire', behaviour: 'key, quotaUser, uploadType and upload_protocol are accepted and ignored.', evidence: 'documented', test: 'test/wire.test.ts: key, quotaUser, uploadType and upload_protocol are accepted everywhere' },
  { area: 'wire', behaviour: 'An unknown query parameter is 400 `Invalid JSON payload received. Unknown name "foo": Cannot bind query parameter. Field \'foo\' could not be found in request message.`', evidence: 'observed: public bug reports', test: 'test/wire.test.ts: unknown query parameters: the §2 message' },
  { area: 'wire', behaviour: 'Query parameters may be written in proto (snake_case) form: `update_person_fields` is `updatePersonFields`.', evidence: 'documented', test: 'test/wire.test.ts: query parameters in proto (snake_case) form are the same parameters' },
  { area: 'wire', behaviour: 'A query value of the wrong type is 400 `Invalid value at \'page_size\' (TYPE_INT32), "abc"` with a BadRequest detail.', evidence: 'observed: public bug reports', test: 'test/wire.test.ts: query parameter values are checked against their type' },
  { area: 'wire', behaviour: 'A non-repeated query parameter given twice is 400 `Invalid JSON payload received. Repeated values for non-repeated query parameter "NAME".`', evidence: 'chosen', test: 'test/wire.test.ts: query parameter values are checked against their type' },
  { area: 'wire', behaviour: 'Malformed JSON is 400 INVALID_ARGUMENT `Invalid JSON payload received. <parser detail>` (prefix observed, detail chosen).', evidence: 'chosen', test: 'test/wire.test.ts: malformed JSON is 400 INVALID_ARGUMENT' },
  { area: 'wire', behaviour: 'An empty body with Content-Type application/json is an empty message.', evidence: 'chosen', test: 'test/wire.test.ts: an empty JSON body is an empty message' },
  { area: 'wire', behaviour: 'A body that is not application/json (or has no Content-Type) is 400 INVALID_ARGUMENT `Invalid Content-Type "…": request bodies must be JSON (Content-Type: application/json).`', evidence: 'chosen', test: 'test/wire.test.ts: a body that is not JSON is 400' },
  { area: 'wire', behaviour: 'A body over 10 MiB is HTTP 413, status INVALID_ARGUMENT, `Request payload size exceeds the limit: 10485760 bytes.`', evidence: 'chosen', test: 'test/wire.test.ts: a body over 10 MiB is 413 in the envelope' },
  { area: 'wire', behaviour: 'JSON bodies are read as proto3 JSON: unknown names are 400 `Invalid JSON payload received. Unknown name "foo" at \'person\': Cannot find field.`, wrong types 400 `Invalid value at \'person.names[0].given_name\' (TYPE_STRING), 123`, null means unset, numbers may be strings, enums may be numbers.', evidence: 'observed: public bug reports', test: 'test/transcode.test.ts: Google\'s messages for an unknown name and a wrong type' },
  { area: 'wire', behaviour: 'Prototype keys (`__proto__`, `constructor`) in a body are dropped or unknown names, never applied.', evidence: 'chosen', test: 'test/transcode.test.ts: prototype-shaped names are unknown names, never applied' },
  { area: 'wire', behaviour: 'An unknown path, verb or HTTP method is 404 NOT_FOUND `The requested URL /path was not found on this server.` in the envelope (Google answers an HTML page).', evidence: 'chosen', test: 'test/discovery.test.ts: unknown verbs, paths and methods are 404 in the envelope' },
  { area: 'wire', behaviour: 'A malformed URL is 400 INVALID_ARGUMENT `The request URL is malformed.`', evidence: 'chosen', test: 'test/wire.test.ts: a malformed URL is 400 in the envelope' },
  { area: 'wire', behaviour: 'A 5xx hides internals: 500 INTERNAL `Internal error encountered.`, reason backendError; the stack is logged.', evidence: 'observed: public bug reports', test: 'test/wire.test.ts: an unexpected failure is a 500 that hides internals' },
  // Routing
  { area: 'routing', behaviour: 'Every method of the discovery document is routed at its flat path; custom verbs follow a literal colon.', evidence: 'documented', test: 'test/discovery.test.ts: every method of the discovery document is routed: 501 UNIMPLEMENTED naming it' },
  { area: 'routing', behaviour: 'A percent-encoded colon (%3A) before a custom verb routes the same as `:`.', evidence: 'documented', test: 'test/discovery.test.ts: a percent-encoded colon before the verb routes the same' },
  { area: 'routing', behaviour: 'A method not emulated answers 501 UNIMPLEMENTED `Method <id> is not implemented by this emulator. …`, reason notImplemented.', evidence: 'chosen', test: 'test/discovery.test.ts: every method of the discovery document is routed: 501 UNIMPLEMENTED naming it' },
  // Auth (BEHAVIOUR.md §7)
  { area: 'auth', behaviour: 'No credentials (an API key alone included) is 401 UNAUTHENTICATED with `Login Required.`, location Authorization, and ErrorInfo CREDENTIALS_MISSING naming the gRPC method.', evidence: 'observed: public bug reports', test: 'test/auth.test.ts: no credentials: the 401 of §7, byte for byte' },
  { area: 'auth', behaviour: 'A token is read from `Authorization: Bearer`, `access_token` or `oauth_token`.', evidence: 'documented', test: 'test/auth.test.ts: token in the header, access_token or oauth_token: each reaches the method' },
  { area: 'auth', behaviour: 'Credentials are checked before parameters: a request with neither credentials nor valid parameters is 401.', evidence: 'chosen', test: 'test/auth.test.ts: a 401 comes before parameter errors' },
  { area: 'auth', behaviour: 'An unknown token (strict accounts) or a malformed Authorization header is 401 `Request had invalid authentication credentials. …`, `Invalid Credentials`, ErrorInfo ACCESS_TOKEN_TYPE_UNSUPPORTED.', evidence: 'observed: public bug reports', test: 'test/auth.test.ts: a malformed Authorization header is an invalid credential' },
  { area: 'auth', behaviour: 'Without --strict-accounts any token is accepted and names its own isolated account (the token is the account id) with the contacts scope.', evidence: 'chosen', test: 'test/auth.test.ts: undeclared tokens each name their own isolated account' },
  { area: 'auth', behaviour: 'An undeclared token equal to the id of an account that does not own it is 401 invalid credentials (accounts stay isolated).', evidence: 'chosen', test: 'test/auth.test.ts: a token that is the id of another account does not reach it' },
  { area: 'auth', behaviour: 'A method needs one of the scopes the discovery document lists for it; otherwise 403 PERMISSION_DENIED `Request had insufficient authentication scopes.`, `Insufficient Permission`, ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT with service and method.', evidence: 'observed: public bug reports', test: 'test/auth.test.ts: a read-only token reads but gets the 403 of §7 on any mutation' },
  { area: 'auth', behaviour: 'otherContacts and directory methods need their own scopes: the default contacts token gets 403.', evidence: 'documented', test: 'test/discovery.test.ts: methods that need other scopes answer 403 to the default contacts token' },
  // Control plane
  { area: 'control plane', behaviour: 'Fixtures given at start seed a new database only; a file database that already holds state keeps it. POST /_emulator/reset goes back to the start fixtures.', evidence: 'chosen', test: 'test/server.test.ts: fixtures seed a new file database only; reset restores them' },
  { area: 'control plane', behaviour: 'Export writes people and user groups as the API shows them; system groups are implicit in every account and never exported or imported.', evidence: 'chosen', test: 'test/emulator.test.ts: export shows fixtures as the API shows people and groups' },
  { area: 'control plane', behaviour: 'A fixture contact without memberships is in contactGroups/myContacts.', evidence: 'documented', test: 'test/emulator.test.ts: export shows fixtures as the API shows people and groups' },
  { area: 'control plane', behaviour: 'Export → reset → import reproduces the same resource names, etags and update times.', evidence: 'chosen', test: 'test/emulator.test.ts: export → reset → import reproduces the same names, etags and update times' },
  { area: 'control plane', behaviour: 'A bad fixture document is rejected whole, naming the JSON path of the first problem; nothing is loaded.', evidence: 'chosen', test: 'test/emulator.test.ts: a bad import is rejected whole, naming the JSON path, and nothing changes' }
]
