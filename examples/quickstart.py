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

club = service.contactGroups().create(body={'contactGroup': {'name': 'Book club'}}).execute()
print('created', club['resourceName'], club['name'])
chess = service.contactGroups().create(body={'contactGroup': {'name': 'Chess'}}).execute()
try:
    service.contactGroups().update(resourceName=chess['resourceName'],
                                   body={'contactGroup': {'name': 'Book club'}}).execute()
except HttpError as e:
    print('refused:', e.resp.status, json.loads(e.content)['error']['message'])
renamed = service.contactGroups().update(resourceName=chess['resourceName'], body={
    'contactGroup': {'name': 'Chess club', 'etag': chess['etag']}}).execute()
print('renamed to', renamed['name'])
# snippet: end quickstart
