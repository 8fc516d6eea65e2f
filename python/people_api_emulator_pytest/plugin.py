"""The `people_emulator` fixture: the emulator started once per pytest session (or the one
`people-api-emulator exec` started, read from PEOPLE_EMULATOR_URL), and the state reset before
each test (or a snapshot restored: the `people_emulator_snapshot` ini option).

The server is started from, in order: the PEOPLE_EMULATOR_COMMAND environment variable (a
command line, e.g. "npx people-api-emulator"); the clone this package sits in
(`dist/server.mjs`, with `node`); `npx --no-install people-api-emulator` (an installed package).
Options: `people_emulator_fixtures` (a fixture file for the session's emulator),
`people_emulator_args` (more settings, e.g. "--clock fixed:2026-01-01T00:00:00Z --seed s").
"""
import os
import shlex
import subprocess
import threading
from pathlib import Path

import pytest
import requests

START_TIMEOUT_S = 30


class Faults:
    """Fault rules: production's failures on demand (POST/GET/DELETE /_emulator/faults)."""

    def __init__(self, emulator):
        self._e = emulator

    def add(self, **rule):
        return self._e._call('POST', '/_emulator/faults', rule)

    def list(self):
        return self._e._call('GET', '/_emulator/faults')['faults']

    def clear(self):
        self._e._call('DELETE', '/_emulator/faults')


class Clock:
    """The emulator clock (POST /_emulator/clock): forward only."""

    def __init__(self, emulator):
        self._e = emulator

    def now(self):
        return self._e._call('GET', '/_emulator/clock')['now']

    def advance(self, duration):
        return self._e._call('POST', '/_emulator/clock', {'advance': duration})['now']

    def set(self, time):
        return self._e._call('POST', '/_emulator/clock', {'set': time})['now']


class Emulator:
    """A running emulator: its URL, the control plane's calls, and a People client built for it."""

    def __init__(self, url, control_token=None):
        self.url = url.rstrip('/')
        self._session = requests.Session()
        self._session.headers['Content-Type'] = 'application/json'
        if control_token:
            self._session.headers['Authorization'] = f'Bearer {control_token}'
        self.faults = Faults(self)
        self.clock = Clock(self)

    def _call(self, method, path, body=None, params=None):
        response = self._session.request(method, self.url + path, json=body, params=params, timeout=60)
        if response.status_code >= 400:
            raise RuntimeError(f'{method} {path}: {response.status_code} {response.text}')
        return response.json() if response.text else {}

    def reset(self, account=None):
        """Back to the start fixtures: everything, or one account."""
        self._call('POST', '/_emulator/reset', params=None if account is None else {'account': account})

    def snapshot(self, name):
        return self._call('POST', '/_emulator/snapshots', {'name': name})

    def restore(self, name):
        return self._call('POST', f'/_emulator/snapshots/{name}:restore')

    def import_(self, document):
        return self._call('POST', '/_emulator/import', document)

    def export(self):
        return self._call('GET', '/_emulator/export')

    def requests(self, **filters):
        """The journal's entries that match (account, method, status, since), oldest first, every page."""
        entries, params = [], dict(filters)
        while True:
            page = self._call('GET', '/_emulator/requests', params=params)
            entries += page['requests']
            if 'nextPageToken' not in page:
                return entries
            params['pageToken'] = page['nextPageToken']

    def clear_requests(self):
        self._call('DELETE', '/_emulator/requests')

    def people(self, token='test-token'):
        """A People API client (google-api-python-client) whose calls reach the emulator as `token`'s account."""
        from google.oauth2.credentials import Credentials
        from googleapiclient.discovery import build
        # snippet: begin people-client
        # google-api-python-client 1.x: the discovery document the emulator serves (its rootUrl is the emulator).
        return build('people', 'v1', credentials=Credentials(token), cache_discovery=False,
                     discoveryServiceUrl=f'{self.url}/$discovery/rest?version=v1')
        # 2.x takes the address instead: build('people', 'v1', credentials=...,
        #     client_options={'api_endpoint': self.url})
        # snippet: end people-client


def _server_command():
    command = os.environ.get('PEOPLE_EMULATOR_COMMAND')
    if command:
        return shlex.split(command)
    clone = Path(__file__).resolve().parents[2] / 'dist' / 'server.mjs'
    if clone.exists():
        return ['node', str(clone)]
    return ['npx', '--no-install', 'people-api-emulator']


class _Server:
    """The session's emulator process: started on a free port, its address read from its start line."""

    def __init__(self, args):
        env = {k: v for k, v in os.environ.items() if not k.startswith('PEOPLE_EMULATOR_')}
        # Its stdin is a pipe this process holds: when pytest ends, however it ends (a SIGTERM, a
        # SIGKILL), the pipe closes and the emulator stops (--exit-with-stdin). Its warnings and
        # errors go to pytest's stderr.
        self.process = subprocess.Popen(_server_command() + ['--port', '0', '--log-level', 'warn', '--exit-with-stdin'] + args,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        found = {}
        started = threading.Event()

        def read_start_line():
            found['line'] = self.process.stdout.readline()
            started.set()
            # Whatever else it prints is read and dropped, so that it never blocks on a full pipe.
            for _ in self.process.stdout:
                pass

        threading.Thread(target=read_start_line, daemon=True).start()
        started.wait(START_TIMEOUT_S)
        line = found.get('line', '')
        if 'listening on ' not in line:
            self.process.kill()
            raise RuntimeError(f'people-api-emulator did not start ({" ".join(_server_command())}; its reason is above): {line!r}. '
                               'PEOPLE_EMULATOR_COMMAND names the command that runs it, e.g. "npx people-api-emulator".')
        self.url = line.split('listening on ', 1)[1].split()[0]

    def stop(self):
        self.process.stdin.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _control_token(args):
    """The control token among the session emulator's settings, which every control-plane call then sends."""
    for i, arg in enumerate(args):
        if arg == '--control-token' and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith('--control-token='):
            return arg.split('=', 1)[1]
    return None


def pytest_addoption(parser):
    parser.addini('people_emulator_fixtures', 'fixture file the session\'s emulator starts with (and reset goes back to)')
    parser.addini('people_emulator_args', 'more settings for the session\'s emulator, e.g. "--seed s"')
    parser.addini('people_emulator_snapshot', 'a snapshot restored before each test instead of a reset (save it first, e.g. in a session fixture: people_emulator_session.snapshot(name))')


@pytest.fixture(scope='session')
def people_emulator_session(pytestconfig):
    """The emulator of the whole session: the one `exec` started (PEOPLE_EMULATOR_URL), or a new process."""
    url = os.environ.get('PEOPLE_EMULATOR_URL')
    if url:
        yield Emulator(url, os.environ.get('PEOPLE_EMULATOR_CONTROL_TOKEN'))
        return
    args = shlex.split(pytestconfig.getini('people_emulator_args') or '')
    fixtures = pytestconfig.getini('people_emulator_fixtures')
    if fixtures:
        args += ['--fixtures', str(Path(pytestconfig.rootpath) / fixtures)]
    server = _Server(args)
    try:
        yield Emulator(server.url, _control_token(args))
    finally:
        server.stop()


@pytest.fixture
def people_emulator(people_emulator_session, pytestconfig):
    """The emulator, its state reset (or a snapshot restored) before the test."""
    snapshot = pytestconfig.getini('people_emulator_snapshot')
    if snapshot:
        people_emulator_session.restore(snapshot)
    else:
        people_emulator_session.reset()
    people_emulator_session.clear_requests()
    return people_emulator_session
