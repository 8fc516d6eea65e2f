-- Initial schema. Migrations are append-only: never edit a released file, add 002-….sql.
-- Every table is keyed by account: accounts never see each other's rows.

CREATE TABLE accounts (
  id           TEXT PRIMARY KEY,
  -- 1 when the account was declared in a fixture document, 0 when a token created it.
  declared     INTEGER NOT NULL DEFAULT 0 CHECK (declared IN (0, 1)),
  created_time TEXT NOT NULL
) STRICT;

CREATE TABLE tokens (
  token      TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- JSON array of OAuth scopes; NULL means the default (full contacts scope).
  scopes     TEXT
) STRICT;
CREATE INDEX tokens_by_account ON tokens (account_id);

CREATE TABLE contacts (
  account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- CONTACT source id: 64-bit value in lowercase hex; the resource name is its decimal value.
  id          TEXT NOT NULL,
  -- JSON object with the contact's writable fields (no memberships: those live in memberships).
  data        TEXT NOT NULL,
  -- Source etag ("#" + base64 of 8 bytes); changes on every change of the contact.
  etag        TEXT NOT NULL,
  -- RFC 3339 with microseconds.
  update_time TEXT NOT NULL,
  PRIMARY KEY (account_id, id)
) STRICT;

CREATE TABLE contact_groups (
  account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- Lowercase hex for user groups, the system name (myContacts, starred, …) for system groups.
  id          TEXT NOT NULL,
  group_type  TEXT NOT NULL CHECK (group_type IN ('USER_CONTACT_GROUP', 'SYSTEM_CONTACT_GROUP')),
  name        TEXT NOT NULL,
  -- JSON array of {key, value}, or NULL.
  client_data TEXT,
  -- Plain base64 of 8 bytes; NULL for system groups (they carry no etag).
  etag        TEXT,
  update_time TEXT,
  PRIMARY KEY (account_id, id)
) STRICT;
-- Names are unique among an account's groups (compared after trimming; BEHAVIOUR.md §1.2).
CREATE UNIQUE INDEX contact_groups_unique_name ON contact_groups (account_id, trim(name));

CREATE TABLE memberships (
  account_id TEXT NOT NULL,
  contact_id TEXT NOT NULL,
  group_id   TEXT NOT NULL,
  PRIMARY KEY (account_id, contact_id, group_id),
  FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, group_id) REFERENCES contact_groups (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX memberships_by_group ON memberships (account_id, group_id, contact_id);

-- Every change to a contact or group, in order. Sync tokens are positions in this log.
CREATE TABLE changes (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  resource_type TEXT NOT NULL CHECK (resource_type IN ('person', 'contactGroup')),
  resource_id   TEXT NOT NULL,
  deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  change_time   TEXT NOT NULL
) STRICT;
CREATE INDEX changes_by_account ON changes (account_id, resource_type, seq);
