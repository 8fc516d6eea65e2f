// Vitest.
import { afterAll, beforeAll, beforeEach, test } from 'vitest'
import { startEmulator } from 'people-api-emulator'
import { auth, people } from '@googleapis/people'
import scenario from './scenario.cjs'

const s = scenario({ startEmulator, people, auth })
beforeAll(s.setUp)
beforeEach(s.beforeEach)
afterAll(s.tearDown)
for (const [name, fn] of Object.entries(s.tests)) test(name, fn)
