// node:test, CommonJS: the package by its name, through require.
const { after, before, beforeEach, test } = require('node:test')
const { startEmulator } = require('people-api-emulator')
const { auth, people } = require('@googleapis/people')
const scenario = require('./scenario.cjs')

const s = scenario({ startEmulator, people, auth })
before(s.setUp)
beforeEach(s.beforeEach)
after(s.tearDown)
for (const [name, fn] of Object.entries(s.tests)) test(name, fn)
