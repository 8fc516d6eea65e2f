/** Contact photos: what an uploaded photo may be, and its id. */
import type { RandomSource } from '../ids.js'

/** The image type of `bytes` by its signature (PNG, JPEG, GIF, WebP, BMP); undefined otherwise. */
export function imageType (bytes: Buffer): string | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png'
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  if (bytes.length >= 6 && ['GIF87a', 'GIF89a'].includes(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif'
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp'
  if (bytes.length >= 2 && bytes.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp'
  return undefined
}

/** A new photo id: `p` and 24 lowercase hex digits. */
export function newPhotoId (random: RandomSource): string {
  return 'p' + random.bytes(12).toString('hex')
}
