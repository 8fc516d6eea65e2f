-- Sign in with Google (FIDELITY.md: oauth). An account's identity: its sign-in address (NULL:
-- the default, <id>@example.com or <id>@<domain>), the address it signs in with in lower case
-- (email_key, unique: NULL for an undeclared account, which does not sign in) and its profile
-- (JSON: names and photos as the API shows them). OAuth clients are declared by fixtures; with none, any client is accepted.
-- Grants, codes and tokens belong to their account (ON DELETE CASCADE: a reset or an import of
-- the account takes them with it) and are part of the state (snapshots copy them). Times are
-- microseconds on the emulator's clock.
ALTER TABLE accounts ADD COLUMN email TEXT;
ALTER TABLE accounts ADD COLUMN profile TEXT;
ALTER TABLE accounts ADD COLUMN email_key TEXT;
CREATE UNIQUE INDEX accounts_by_email ON accounts (email_key) WHERE email_key IS NOT NULL;
CREATE TABLE oauth_clients (
  client_id     TEXT PRIMARY KEY,
  client_secret TEXT,
  name          TEXT NOT NULL,
  redirect_uris TEXT NOT NULL,
  type          TEXT NOT NULL
) STRICT;
-- What an account consented to, per client: the union of the scopes granted so far, and
-- whether offline access was (a first offline consent gives a refresh token).
CREATE TABLE oauth_grants (
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  client_id  TEXT NOT NULL,
  scopes     TEXT NOT NULL,
  granted    INTEGER NOT NULL,
  offline    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, client_id)
) STRICT;
CREATE TABLE oauth_codes (
  code           TEXT PRIMARY KEY,
  account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  client_id      TEXT NOT NULL,
  redirect_uri   TEXT NOT NULL,
  scopes         TEXT NOT NULL,
  challenge      TEXT,
  method         TEXT,
  nonce          TEXT,
  refresh        INTEGER NOT NULL,
  expires        INTEGER NOT NULL
) STRICT;
CREATE TABLE oauth_refresh_tokens (
  token      TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  client_id  TEXT NOT NULL,
  scopes     TEXT NOT NULL,
  issued     INTEGER NOT NULL
) STRICT;
CREATE INDEX oauth_refresh_tokens_by_client ON oauth_refresh_tokens (account_id, client_id, issued);
-- Access tokens, kept after they expire or are revoked (`revoked` 1) so that the API answers
-- them with Google's 401 rather than taking them for new undeclared tokens; at most
-- ACCESS_TOKENS_KEPT per account and client (the oldest go, and are then unknown).
CREATE TABLE oauth_access_tokens (
  token         TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  client_id     TEXT NOT NULL,
  scopes        TEXT NOT NULL,
  expires       INTEGER NOT NULL,
  refresh_token TEXT,
  revoked       INTEGER NOT NULL DEFAULT 0,
  access_type   TEXT NOT NULL
) STRICT;
CREATE INDEX oauth_access_tokens_by_client ON oauth_access_tokens (account_id, client_id, expires);
CREATE INDEX oauth_access_tokens_by_refresh ON oauth_access_tokens (refresh_token) WHERE refresh_token IS NOT NULL;
