-- Tombstones (deleted contacts and groups in the change log) are pruned: those older than the
-- sync-token lifetime, and beyond a bounded number per account the oldest. The position of the
-- newest tombstone pruned by number is kept: a sync token from before it lacks deletions and is
-- expired (the client syncs in full).
ALTER TABLE accounts ADD COLUMN tombstones_pruned_seq INTEGER NOT NULL DEFAULT 0;
