// node:test, ES modules: the package by its name, as a user's project imports it.
import { after, before, beforeEach, test } from 'node:test'
import { startEmulator } from 'people-api-emulator'
import { auth, people } from '@googleapis/people'
import scenario from './scenario.cjs'

const s = scenario({ startEmulator, people, auth })
before(s.setUp)
beforeEach(s.beforeEach)
after(s.tearDown)
for (const [name, fn] of Object.entries(s.tests)) test(name, fn)
