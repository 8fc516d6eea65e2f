-- The highest change position handed out, kept when tombstones are pruned: the next position is
-- worked out from what the database holds when the emulator starts, and a pruned tombstone may
-- have held the highest one. Without this a position could be handed out twice, and a sync
-- token taken at it would miss the change that reused it.
ALTER TABLE totals ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
