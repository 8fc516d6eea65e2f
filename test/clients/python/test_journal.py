"""The request journal read from a pytest suite over plain HTTP, page after page: run by
test/clients.process.test.ts with Debian's pytest against the real server process (EMULATOR is its
address)."""
import os

import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

import requests
EMULATOR = os.environ.get('EMULATOR', 'http://127.0.0.1:8090')

def journal(**filters):                                  # every entry that matches, page after page
    entries, params = [], dict(filters)
    while True:
        page = requests.get(f'{EMULATOR}/_emulator/requests', params=params).json()
        entries += page['requests']
        if 'nextPageToken' not in page:
            return entries
        params['pageToken'] = page['nextPageToken']

def test_rename_sends_one_update(people_service, ada):   # a client built with rootUrl=EMULATOR + '/'
    since = (journal() or [{'id': 0}])[-1]['id']
    rename(people_service, ada['resourceName'], 'Ada Lovelace')   # the code under test
    sent = journal(since=since, method='people.people.updateContact')
    assert len(sent) == 1 and sent[0]['status'] == 200
    assert sent[0]['query']['updatePersonFields'] == 'names'


def rename(service, resource_name, full_name):
    """The code under test: renames a contact with the etag it reads."""
    person = service.people().get(resourceName=resource_name, personFields='names').execute()
    given, family = full_name.split(' ', 1)
    service.people().updateContact(resourceName=resource_name, updatePersonFields='names', body={
        'etag': person['etag'], 'names': [{'givenName': given, 'familyName': family}]}).execute()


@pytest.fixture
def people_service():
    return build('people', 'v1', credentials=Credentials('journal-token'), cache_discovery=False,
                 discoveryServiceUrl=f'{EMULATOR}/$discovery/rest?version=v1')


@pytest.fixture
def ada(people_service):
    return people_service.people().createContact(body={'names': [{'givenName': 'Ada'}]}).execute()


def test_journal_pages_hold_every_entry(people_service, ada):
    since = (journal() or [{'id': 0}])[-1]['id']
    for _ in range(250):
        people_service.people().get(resourceName=ada['resourceName'], personFields='names').execute()
    first = requests.get(f'{EMULATOR}/_emulator/requests', params={'since': since}).json()
    assert len(first['requests']) == 100 and 'nextPageToken' in first
    got = journal(since=since, method='people.people.get')
    assert [e['id'] for e in got] == list(range(since + 1, since + 251))
