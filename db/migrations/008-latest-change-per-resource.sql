-- The change log keeps one row per resource: its latest change. Readers only ever asked for
-- each resource's latest change after a position (sync tokens), so the older rows answered
-- nothing, yet they made the log grow with every write, without bound. Each new change now
-- replaces the resource's row and takes the next position (see db/changes.ts).
DELETE FROM changes WHERE seq NOT IN (SELECT max(seq) FROM changes GROUP BY account_id, resource_type, resource_id);
CREATE UNIQUE INDEX changes_by_resource ON changes (account_id, resource_type, resource_id);
