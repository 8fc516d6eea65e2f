/**
 * The key that signs ID tokens (FIDELITY.md: oauth, signing key): RSA 2048, RS256. Chosen: one
 * key per start, or — with `--seed` — derived from the seed, so that runs repeat byte for byte
 * (its primes are drawn from SHA-256 of the seed and tested by OpenSSL's `checkPrime`). Made on
 * first use: an emulator that signs nobody in never pays for it. It is published as Google
 * publishes its keys: a JWK set (`/oauth2/v3/certs`) and X.509 certificates in PEM
 * (`/oauth2/v1/certs`, which Node's and Python's `verifyIdToken` read), under a `kid` of 40 hex
 * digits (the SHA-1 of the public key).
 */
import { checkPrimeSync, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto'

export interface SigningKey {
  kid: string
  privateKey: KeyObject
  publicKey: KeyObject
  /** The public key as a JWK with Google's fields. */
  jwk: JsonWebKey & { kid: string, alg: 'RS256', use: 'sig' }
}

const b64url = (bytes: Buffer): string => bytes.toString('base64url')

function bigintBytes (x: bigint): Buffer {
  let hex = x.toString(16)
  if (hex.length % 2 === 1) hex = '0' + hex
  return Buffer.from(hex, 'hex')
}

function inverse (a: bigint, m: bigint): bigint {
  let [r0, r1] = [a % m, m]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1]
  }
  return ((s0 % m) + m) % m
}

/** A 1024-bit prime from the seed's stream, good for e = 65537. */
function seededPrime (next: () => Buffer): bigint {
  for (;;) {
    const bytes = next()
    bytes[0]! |= 0xc0
    bytes[127]! |= 1
    const p = BigInt('0x' + bytes.toString('hex'))
    if ((p - 1n) % 65537n !== 0n && checkPrimeSync(p)) return p
  }
}

function seededPrivateKey (seed: string): KeyObject {
  let counter = 0
  const next = (): Buffer => {
    const blocks: Buffer[] = []
    for (let i = 0; i < 4; i++) blocks.push(createHash('sha256').update(`people-api-emulator signing key\u0000${seed}\u0000${counter++}`).digest())
    return Buffer.concat(blocks)
  }
  let p = seededPrime(next)
  let q = seededPrime(next)
  if (p < q) [p, q] = [q, p]
  const e = 65537n
  const d = inverse(e, (p - 1n) * (q - 1n))
  const part = (x: bigint): string => b64url(bigintBytes(x))
  return createPrivateKey({ format: 'jwk', key: { kty: 'RSA', n: part(p * q), e: 'AQAB', d: part(d), p: part(p), q: part(q), dp: part(d % (p - 1n)), dq: part(d % (q - 1n)), qi: part(inverse(q, p)) } })
}

function signingKey (privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey)
  const der = publicKey.export({ type: 'spki', format: 'der' })
  const kid = createHash('sha1').update(der).digest('hex')
  const { n, e } = publicKey.export({ format: 'jwk' })
  return { kid, privateKey, publicKey, jwk: { kid, n, e, alg: 'RS256', kty: 'RSA', use: 'sig' } }
}

/** Keys by seed: pure functions of it, shared by the emulators of one process (no account data). */
const bySeed = new Map<string, SigningKey>()

export function makeSigningKey (seed: string | undefined): SigningKey {
  if (seed === undefined) return signingKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)
  let key = bySeed.get(seed)
  if (key === undefined) {
    key = signingKey(seededPrivateKey(seed))
    if (bySeed.size >= 16) bySeed.clear()
    bySeed.set(seed, key)
  }
  return key
}

/**
 * A self-signed X.509 certificate of the key, in PEM, as `/oauth2/v1/certs` publishes (valid
 * 2000–2100; its serial from the kid). node-forge (a quarter of the bundle) is loaded by the
 * first call, not at every start.
 */
export async function certificatePem (key: SigningKey): Promise<string> {
  const { default: forge } = await import('node-forge')
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKey.export({ type: 'spki', format: 'pem' }).toString())
  cert.serialNumber = '00' + key.kid.slice(0, 16)
  cert.validity.notBefore = new Date(Date.UTC(2000, 0, 1))
  cert.validity.notAfter = new Date(Date.UTC(2100, 0, 1))
  const name = [{ name: 'commonName', value: 'federated-signon.system.gserviceaccount.com' }]
  cert.setSubject(name)
  cert.setIssuer(name)
  cert.sign(forge.pki.privateKeyFromPem(key.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create())
  return forge.pki.certificateToPem(cert)
}

/** A signed JWT: header, payload (in the order given), RS256. */
export function signJwt (key: SigningKey, payload: Record<string, unknown>): string {
  const header = { alg: 'RS256', kid: key.kid, typ: 'JWT' }
  const input = `${b64url(Buffer.from(JSON.stringify(header)))}.${b64url(Buffer.from(JSON.stringify(payload)))}`
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key.privateKey))}`
}

/** The header and payload of a JWT this key signed; undefined when it is not one (or the signature is wrong). */
export function readJwt (key: SigningKey, token: string): { header: Record<string, unknown>, payload: Record<string, unknown> } | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || token.length > 16384) return undefined
  try {
    if (!verify('sha256', Buffer.from(`${parts[0]!}.${parts[1]!}`), key.publicKey, Buffer.from(parts[2]!, 'base64url'))) return undefined
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) return undefined
    return { header: header as Record<string, unknown>, payload: payload as Record<string, unknown> }
  } catch {
    return undefined
  }
}

/** `at_hash`: the left half of the SHA-256 of the access token, base64url (OpenID Connect Core 3.1.3.6). */
export function atHash (accessToken: string): string {
  return b64url(createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16))
}
