"""What a test with the plugin looks like (docs/testing.md: pytest); run by test/pytest-plugin.process.test.ts."""


# snippet: begin pytest
def test_a_renamed_contact_is_one_update(people_emulator):
    people = people_emulator.people('alice-token')
    ada = people.people().createContact(body={'names': [{'givenName': 'Ada'}]}).execute()
    people.people().updateContact(resourceName=ada['resourceName'], updatePersonFields='names',
                                  body={'etag': ada['etag'], 'names': [{'givenName': 'Augusta Ada'}]}).execute()
    sent = people_emulator.requests(method='people.people.updateContact')
    assert [entry['status'] for entry in sent] == [200]
    print(f"renamed {ada['resourceName']} at {people_emulator.url}")
# snippet: end pytest


def test_each_test_starts_clean(people_emulator):
    people = people_emulator.people('alice-token')
    listed = people.people().connections().list(resourceName='people/me', personFields='names').execute()
    assert listed.get('connections') is None
    assert people_emulator.requests(method='people.people.createContact') == []


def test_faults_and_the_clock(people_emulator):
    people = people_emulator.people('alice-token')
    people_emulator.faults.add(method='people.people.createContact', error='RATE_LIMIT_EXCEEDED')
    from googleapiclient.errors import HttpError
    try:
        people.people().createContact(body={'names': [{'givenName': 'Refused'}]}).execute()
        raise AssertionError('the fault did not fire')
    except HttpError as err:
        assert err.resp.status == 429
    before = people_emulator.clock.now()
    assert people_emulator.clock.advance('8d') > before


def test_snapshot_and_restore(people_emulator):
    people = people_emulator.people('alice-token')
    people.people().createContact(body={'names': [{'givenName': 'Kept'}]}).execute()
    people_emulator.snapshot('one-contact')
    people.people().createContact(body={'names': [{'givenName': 'Dropped'}]}).execute()
    people_emulator.restore('one-contact')
    listed = people.people().connections().list(resourceName='people/me', personFields='names').execute()
    assert [p['names'][0]['givenName'] for p in listed['connections']] == ['Kept']
