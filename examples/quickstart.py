"""Google's Python client against the emulator: /usr/bin/python3 quickstart.py (Debian's
python3-googleapi; the emulator at 127.0.0.1:8090, or wherever PEOPLE_EMULATOR_URL says)."""
# snippet: begin quickstart
import json
import os

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

emulator = os.environ.get('PEOPLE_EMULATOR_URL', 'http://127.0.0.1:8090')
service = build('people', 'v1', credentials=Credentials('alice-token'), cache_discovery=False,
                discoveryServiceUrl=emulator + '/$discovery/rest?version=v1')

ada = service.people().createContact(body={'names': [{'givenName': 'Ada'}]}).execute()
print('created', ada['resourceName'], ada['names'][0]['displayName'])
rename = {'etag': ada['etag'], 'names': [{'givenName': 'Ada', 'familyName': 'Lovelace'}]}
update = service.people().updateContact(resourceName=ada['resourceName'], updatePersonFields='names', body=rename)
print('renamed to', update.execute()['names'][0]['displayName'])
try:
    update.execute()  # the same etag again: it is stale now
except HttpError as e:
    print('refused:', e.resp.status, json.loads(e.content)['error']['message'])
# snippet: end quickstart
