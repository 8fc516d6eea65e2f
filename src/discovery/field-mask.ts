/**
 * Field masks as query parameters or body fields carry them: comma-separated paths, spaces
 * around them ignored, each in JSON (`emailAddresses`) or proto (`email_addresses`) form, as
 * FieldMask's JSON form allows.
 */
export interface MaskPath {
  /** As the request wrote it (named in error messages). */
  written: string
  /** In JSON (camelCase) form. */
  name: string
}

export function maskPaths (mask: string | undefined): MaskPath[] {
  return (mask ?? '').split(',').map(p => p.trim()).filter(p => p !== '')
    .map(written => ({ written, name: written.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) }))
}
