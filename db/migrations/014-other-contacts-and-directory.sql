-- Other contacts (BEHAVIOUR.md §14) and the Workspace directory (§15).
--
-- An account's other contacts: people it interacted with but never saved. Each has a change
-- position (`seq`, from the same counter as contacts' and groups'; 0: imported, unchanged
-- since) for otherContacts.list's sync tokens; one removed stays as a tombstone (deleted = 1,
-- data '{}') until tombstones are pruned.
CREATE TABLE other_contacts (
  account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- OTHER_CONTACT source id: 64-bit value in lowercase hex; the resource name is
  -- otherContacts/c<decimal>.
  id          TEXT NOT NULL,
  -- Always OTHER_CONTACT: the column lets one store read both tables (db/other-people-store.ts).
  source_type TEXT NOT NULL DEFAULT 'OTHER_CONTACT' CHECK (source_type = 'OTHER_CONTACT'),
  data        TEXT NOT NULL,
  etag        TEXT NOT NULL,
  update_time TEXT NOT NULL,
  -- The words a search matches (names, nicknames, email addresses, phone numbers, organizations).
  search_text TEXT NOT NULL,
  seq         INTEGER NOT NULL DEFAULT 0,
  deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  PRIMARY KEY (account_id, id)
) STRICT;
-- Lists in the order the other contacts were stored (keyset on rowid), syncs by position.
CREATE INDEX other_contacts_in_order ON other_contacts (account_id);
CREATE INDEX other_contacts_by_change ON other_contacts (account_id, seq);

-- Workspace domains: their people (DOMAIN_PROFILE) and shared contacts (DOMAIN_CONTACT). An
-- account belongs to at most one domain; an account of none is a consumer account.
CREATE TABLE domains (
  domain       TEXT PRIMARY KEY,
  -- When the domain was stored: a directory sync token outlives no replacement of its domain.
  created_time TEXT NOT NULL
) STRICT;
CREATE TABLE directory_people (
  domain      TEXT NOT NULL REFERENCES domains (domain) ON DELETE CASCADE,
  source_type TEXT NOT NULL CHECK (source_type IN ('DOMAIN_PROFILE', 'DOMAIN_CONTACT')),
  -- A profile's decimal id (people/<id>); a shared contact's 64-bit hex id (people/c<decimal>).
  id          TEXT NOT NULL,
  data        TEXT NOT NULL,
  etag        TEXT NOT NULL,
  update_time TEXT NOT NULL,
  search_text TEXT NOT NULL,
  seq         INTEGER NOT NULL DEFAULT 0,
  deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  PRIMARY KEY (domain, source_type, id)
) STRICT;
CREATE INDEX directory_people_in_order ON directory_people (domain);
CREATE INDEX directory_people_by_change ON directory_people (domain, seq);

-- No foreign key: the domain may be replaced (imported again) while its accounts stay.
ALTER TABLE accounts ADD COLUMN domain TEXT;
