/** Person field-mask paths, as listed by the discovery document's parameter descriptions. */
import { fieldMasks } from '../generated/discovery.js'

function mask (key: string): readonly string[] {
  const paths = fieldMasks[key]
  if (!paths) throw new Error(`the discovery document lists no valid paths for ${key}`)
  return paths
}

/** The 24 writable paths of `updatePersonFields`. */
export const UPDATE_PERSON_FIELDS = mask('people.people.updateContact:updatePersonFields')
/** The 29 readable paths of `personFields`. */
export const PERSON_FIELDS = mask('people.people.get:personFields')
/** Fields that hold contact data in the store; memberships live in their own table. */
export const CONTACT_DATA_FIELDS = UPDATE_PERSON_FIELDS.filter(f => f !== 'memberships')
