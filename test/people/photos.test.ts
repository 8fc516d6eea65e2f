/** people.updateContactPhoto and deleteContactPhoto. */
import t from 'tap'
import { bearer, body, build } from '../helpers/app.js'
import { apiError, createContact, getPerson } from '../helpers/people.js'
import { assertConforms } from '../helpers/schema.js'

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64')
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00])

async function upload (app: any, resourceName: string, payload: unknown): Promise<any> {
  return await app.inject({ method: 'PATCH', url: `/v1/${resourceName}:updateContactPhoto`, headers: bearer(), payload })
}

t.test('updateContactPhoto: the photo replaces the default, is served, and changes the etag', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const res = await upload(app, ada.resourceName, { photoBytes: PNG.toString('base64'), personFields: 'photos,metadata' })
  t.equal(res.statusCode, 200)
  const out = body(res)
  assertConforms(t, 'UpdateContactPhotoResponse', out)
  const photo = out.person.photos[0]
  t.notOk(photo.default, 'no longer the default photo')
  t.match(photo.url, /^http:\/\/localhost:80\/_emulator\/photos\/p[0-9a-f]{24}$/)
  t.not(out.person.metadata.sources[0].etag, ada.metadata.sources[0].etag)
  const served = await app.inject({ url: new URL(photo.url).pathname })
  t.equal(served.headers['content-type'], 'image/png')
  t.same(served.rawPayload, PNG)
  const stale = await app.inject({ method: 'PATCH', url: `/v1/${ada.resourceName}:updateContact?updatePersonFields=names`, headers: bearer(), payload: { etag: ada.etag } })
  t.equal(body(stale).error.status, 'FAILED_PRECONDITION', 'the etag read before the upload is stale')
  const jpeg = await upload(app, ada.resourceName, { photoBytes: JPEG.toString('base64'), personFields: 'photos' })
  const jpegUrl = new URL(body(jpeg).person.photos[0].url).pathname
  t.equal((await app.inject({ url: jpegUrl })).headers['content-type'], 'image/jpeg')
})

t.test('updateContactPhoto: without personFields the response is empty', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const res = await upload(app, ada.resourceName, { photoBytes: PNG.toString('base64') })
  t.equal(res.statusCode, 200)
  t.same(body(res), {})
  t.notOk((await getPerson(t, app, ada.resourceName, 'photos')).photos[0].default)
})

t.test('updateContactPhoto: not an image, no bytes, not a contact, not found', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  t.same(body(await upload(app, ada.resourceName, { photoBytes: Buffer.from('hello').toString('base64') })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'photoBytes is not an image: send a PNG, JPEG, GIF, WebP or BMP photo.'))
  t.same(body(await upload(app, ada.resourceName, {})), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'photoBytes is required: send the photo as base64.'))
  t.equal(body(await upload(app, ada.resourceName, { photoBytes: '!!!' })).error.message, 'Invalid value at \'photo_bytes\' (TYPE_BYTES), "!!!"')
  t.same(body(await upload(app, 'people/me', { photoBytes: PNG.toString('base64') })), apiError(400, 'INVALID_ARGUMENT', 'badRequest', 'Resource name "people/me" is not a valid contact person resource.'))
  t.same(body(await upload(app, 'people/c1', { photoBytes: PNG.toString('base64') })), apiError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.'))
})

t.test('deleteContactPhoto: back to the default photo', async t => {
  const app = await build(t)
  const ada = await createContact(t, app, { names: [{ givenName: 'Ada' }] })
  const uploaded = body(await upload(app, ada.resourceName, { photoBytes: PNG.toString('base64'), personFields: 'photos' }))
  const res = await app.inject({ method: 'DELETE', url: `/v1/${ada.resourceName}:deleteContactPhoto?personFields=photos`, headers: bearer() })
  t.equal(res.statusCode, 200)
  assertConforms(t, 'DeleteContactPhotoResponse', body(res))
  t.equal(body(res).person.photos[0].default, true)
  const old = await app.inject({ url: new URL(uploaded.person.photos[0].url).pathname })
  t.same(old.rawPayload.subarray(1, 4).toString(), 'PNG', 'the old URL now shows the default photo')
  t.not(old.rawPayload.length, PNG.length)
  const again = await app.inject({ method: 'DELETE', url: `/v1/${ada.resourceName}:deleteContactPhoto`, headers: bearer() })
  t.same(body(again), {}, 'no photo to delete: nothing changes')
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/people/c1:deleteContactPhoto', headers: bearer() })).statusCode, 404)
})
