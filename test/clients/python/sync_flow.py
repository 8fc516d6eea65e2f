"""A contact-sync flow through Google's Python client (google-api-python-client), built from the
discovery document the emulator serves. Usage: sync_flow.py ROOT_URL TOKEN. It prints a JSON
report of what the client surfaced; test/clients.process.test.ts checks it."""
import json
import sys

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

root_url, token = sys.argv[1], sys.argv[2]
# snippet: begin python-build
service = build('people', 'v1', credentials=Credentials(token), cache_discovery=False,
                discoveryServiceUrl=root_url + '$discovery/rest?version=v1')
# snippet: end python-build
report = {}


def failure(call):
    """What the client's HttpError tells of a call that fails."""
    try:
        call.execute()
    except HttpError as e:
        error = json.loads(e.content)['error']
        return {'type': type(e).__name__, 'status': e.resp.status, 'message': error['message'],
                'reason': error['errors'][0]['reason']}
    raise AssertionError('the call succeeded')


# Create a contact, then take a full sync of the connections.
ada = service.people().createContact(personFields='names,emailAddresses', body={
    'names': [{'givenName': 'Ada', 'familyName': 'Lovelace'}],
    'emailAddresses': [{'value': 'ada@example.com'}]}).execute()
report['created'] = ada['resourceName']
bob = service.people().createContact(body={'names': [{'givenName': 'Bob'}]}).execute()
full = service.people().connections().list(
    resourceName='people/me', personFields='names', requestSyncToken=True).execute()
report['listed'] = len(full['connections'])
report['gotSyncToken'] = 'nextSyncToken' in full

# Read, then update with the etag just read.
got = service.people().get(resourceName=ada['resourceName'], personFields='names,emailAddresses').execute()
got['names'][0]['givenName'] = 'Augusta Ada'
updated = service.people().updateContact(
    resourceName=ada['resourceName'], updatePersonFields='names', body=got).execute()
report['updatedName'] = updated['names'][0]['displayName']
report['etagChanged'] = updated['etag'] != got['etag']

# The etag of the first read is stale now.
report['staleEtag'] = failure(service.people().updateContact(
    resourceName=ada['resourceName'], updatePersonFields='names', body=got))

# Contact groups: create, rename, a duplicate name, members.
club = service.contactGroups().create(body={'contactGroup': {'name': 'Book club'}}).execute()
renamed = service.contactGroups().update(resourceName=club['resourceName'], body={
    'contactGroup': {'name': 'Readers', 'etag': club['etag']}}).execute()
report['renamed'] = renamed['name']
chess = service.contactGroups().create(body={'contactGroup': {'name': 'Chess'}}).execute()
report['duplicateName'] = failure(service.contactGroups().update(
    resourceName=chess['resourceName'], body={'contactGroup': {'name': 'Readers'}}))
service.contactGroups().members().modify(resourceName=renamed['resourceName'], body={
    'resourceNamesToAdd': [ada['resourceName']]}).execute()
group = service.contactGroups().get(resourceName=renamed['resourceName'], maxMembers=10).execute()
report['memberCount'] = group['memberCount']
report['members'] = group['memberResourceNames']

# A batch that mixes reads and an update: each call gets its own callback.
# snippet: begin python-batch
batch_results = {}


def collect(request_id, response, exception):
    if exception is None:
        batch_results[request_id] = {'ok': response.get('resourceName')}
    else:
        batch_results[request_id] = {'status': exception.resp.status,
                                     'message': json.loads(exception.content)['error']['message']}


current = service.people().get(resourceName=ada['resourceName'], personFields='names').execute()
batch = service.new_batch_http_request(callback=collect)
batch.add(service.people().get(resourceName=ada['resourceName'], personFields='names'), request_id='get')
batch.add(service.contactGroups().get(resourceName=renamed['resourceName']), request_id='group')
batch.add(service.people().updateContact(resourceName=ada['resourceName'], updatePersonFields='names', body={
    'etag': current['etag'], 'names': [{'givenName': 'Ada', 'familyName': 'King'}]}), request_id='update')
batch.add(service.people().updateContact(resourceName=ada['resourceName'], updatePersonFields='names', body={
    'etag': current['etag'], 'names': [{'givenName': 'Stale'}]}), request_id='stale')
batch.add(service.people().get(resourceName='people/c1', personFields='names'), request_id='missing')
batch.execute()
# snippet: end python-batch
report['batch'] = batch_results
report['afterBatch'] = service.people().get(
    resourceName=ada['resourceName'], personFields='names').execute()['names'][0]['displayName']

# Delete one contact; the incremental sync shows the changes and the tombstone.
service.people().deleteContact(resourceName=bob['resourceName']).execute()
changes = service.people().connections().list(
    resourceName='people/me', personFields='names', syncToken=full['nextSyncToken'],
    requestSyncToken=True).execute()
report['syncChanged'] = [p['resourceName'] for p in changes.get('connections', [])
                         if not p.get('metadata', {}).get('deleted')]
report['syncDeleted'] = [p['resourceName'] for p in changes.get('connections', [])
                         if p.get('metadata', {}).get('deleted')]

# Search: an empty query first, as Google asks, to warm the cache.
service.people().searchContacts(query='', readMask='names').execute()
found = service.people().searchContacts(query='king', readMask='names').execute()
report['searchFound'] = [r['person']['resourceName'] for r in found.get('results', [])]

# Delete: the contact is gone.
service.people().deleteContact(resourceName=ada['resourceName']).execute()
report['afterDelete'] = failure(service.people().get(resourceName=ada['resourceName'], personFields='names'))

print(json.dumps(report))
