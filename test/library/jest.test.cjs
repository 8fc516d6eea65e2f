// Jest (its own module loader, CommonJS).
/* global beforeAll, beforeEach, afterAll, test */
const { startEmulator } = require('people-api-emulator')
const { auth, people } = require('@googleapis/people')
const scenario = require('./scenario.cjs')

const s = scenario({ startEmulator, people, auth })
beforeAll(s.setUp)
beforeEach(s.beforeEach)
afterAll(s.tearDown)
for (const [name, fn] of Object.entries(s.tests)) test(name, fn)
