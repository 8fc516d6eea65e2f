"""Sign in with Google against the emulator from Python: google-auth-oauthlib's Flow (auth_uri and
token_uri pointing at the emulator), then google.oauth2.credentials.Credentials(token_uri=...)
refreshing on its own after an hour on the emulator clock, and a revoked grant.

Usage: sign_in.py EMULATOR_URL CLIENT_ID CLIENT_SECRET (the emulator runs with --oauth-auto-approve, so the
login_hint account is granted without the page). Prints a JSON report; the test checks it.
"""
import json
import os
import sys
import urllib.parse

import requests
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import id_token
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow

EMULATOR, CLIENT_ID, CLIENT_SECRET = sys.argv[1], sys.argv[2], sys.argv[3]
# oauthlib refuses http:// URLs, and warns when Google answers "email" as its full URL.
os.environ['OAUTHLIB_INSECURE_TRANSPORT'] = '1'
os.environ['OAUTHLIB_RELAX_TOKEN_SCOPE'] = '1'
report = {}

# snippet: begin python-sign-in
client_config = {'installed': {
    'client_id': CLIENT_ID,
    'client_secret': CLIENT_SECRET,
    'auth_uri': EMULATOR + '/o/oauth2/auth',
    'token_uri': EMULATOR + '/token',
    'redirect_uris': ['http://127.0.0.1:8765/'],
}}
scopes = ['openid', 'https://www.googleapis.com/auth/userinfo.email',
          'https://www.googleapis.com/auth/contacts']
flow = Flow.from_client_config(client_config, scopes=scopes,
                               redirect_uri='http://127.0.0.1:8765/',
                               autogenerate_code_verifier=True)
url, state = flow.authorization_url(access_type='offline', login_hint='alice@example.com')
# snippet: end python-sign-in

# The browser's part, done by requests: the emulator grants it at once and redirects.
answer = requests.get(url, allow_redirects=False)
location = urllib.parse.urlparse(answer.headers['location'])
query = dict(urllib.parse.parse_qsl(location.query))
report['redirect'] = {'state_kept': query.get('state') == state, 'iss': query.get('iss'), 'has_code': 'code' in query}
flow.fetch_token(code=query['code'])
signed_in = flow.credentials
report['refresh_token'] = signed_in.refresh_token is not None

# snippet: begin python-credentials
creds = Credentials(
    token=signed_in.token,
    refresh_token=signed_in.refresh_token,
    token_uri=EMULATOR + '/token',  # never from_authorized_user_file(): it resets token_uri to Google's
    client_id=CLIENT_ID,
    client_secret=CLIENT_SECRET,
    scopes=scopes,
)
session = AuthorizedSession(creds)
me = session.get(EMULATOR + '/v1/people/me', params={'personFields': 'emailAddresses'})
# snippet: end python-credentials
report['me'] = me.json().get('emailAddresses', [{}])[0].get('value')

# An hour passes on the emulator clock: the token is refused, and the session refreshes it.
requests.post(EMULATOR + '/_emulator/clock', json={'advance': '61m'})
first_token = creds.token
after = session.get(EMULATOR + '/v1/contactGroups')
report['after_hour'] = {'status': after.status_code, 'refreshed': creds.token != first_token}

certs = requests.get(EMULATOR + '/oauth2/v1/certs').json()
claims = id_token.verify_token(signed_in.id_token, Request(), audience=CLIENT_ID,
                               certs_url=EMULATOR + '/oauth2/v1/certs')
report['id_token'] = {'email': claims['email'], 'email_verified': claims['email_verified'], 'kids': len(certs)}

# The grant revoked: the refresh fails with Google's words.
requests.post(EMULATOR + '/revoke', params={'token': creds.token})
try:
    creds.refresh(Request())
    report['revoked'] = 'refreshed'
except RefreshError as err:
    report['revoked'] = str(err.args[0])

print(json.dumps(report))
