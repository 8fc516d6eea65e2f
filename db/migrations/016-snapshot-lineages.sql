-- Snapshots (POST /_emulator/snapshots) bring back an earlier state with its change positions.
-- A sync token records the line of history it was issued in: 0 until the first restore; each
-- restore starts a new line that branches from the snapshot's line at the snapshot's last
-- position. A token is valid in the current line when it was issued in it, or in a line it
-- branches from at a position no later than the branch (db/changes.ts, Changes.validToken).
-- Neither table is part of a snapshot: they are the history of the restores themselves.
CREATE TABLE lineages (
  id         INTEGER PRIMARY KEY,
  parent     INTEGER NOT NULL,
  parent_seq INTEGER NOT NULL
) STRICT;
CREATE TABLE history (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  lineage INTEGER NOT NULL
) STRICT;
INSERT INTO history (id, lineage) VALUES (1, 0);
