-- The sync tokens handed out (and the page tokens of listings that end with one), so that a
-- token is accepted only by the history that issued it.
-- A token names a change position; after a whole reset positions start again from 1 (so that
-- a run that resets answers with the same bytes every time), and an account reset or imported
-- again starts a new history at the same positions: a token from before would list the wrong
-- changes. Its row goes with its account or domain (ON DELETE CASCADE): a reset, an import, a
-- restore of a snapshot that does not hold it — and the token is expired. The tables are part of
-- the state (snapshots copy them); `epoch` (history.epoch, counted by whole resets, which
-- snapshots and resets leave alone) and `lineage` say which history a row was issued in, for
-- a restore to keep the tokens of an account that had not changed since the snapshot.
CREATE TABLE account_sync_tokens (
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  digest     BLOB NOT NULL,
  seq        INTEGER NOT NULL,
  lineage    INTEGER NOT NULL,
  epoch      INTEGER NOT NULL,
  issued     TEXT NOT NULL,
  UNIQUE (account_id, digest)
) STRICT;
CREATE INDEX account_sync_tokens_by_age ON account_sync_tokens (issued);
CREATE TABLE domain_sync_tokens (
  domain     TEXT NOT NULL REFERENCES domains (domain) ON DELETE CASCADE,
  digest     BLOB NOT NULL,
  seq        INTEGER NOT NULL,
  lineage    INTEGER NOT NULL,
  epoch      INTEGER NOT NULL,
  issued     TEXT NOT NULL,
  UNIQUE (domain, digest)
) STRICT;
CREATE INDEX domain_sync_tokens_by_age ON domain_sync_tokens (issued);
ALTER TABLE history ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
