-- A contact's latest change position moves from the change log onto the contact's own row:
-- an update then writes one row (one statement, no transaction of its own) instead of the
-- row and a log entry. The log keeps groups' changes and deleted contacts' tombstones; a
-- sync reads both (see db/changes.ts). 0: no change recorded since the contact was imported.
ALTER TABLE contacts ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
UPDATE contacts SET change_seq = coalesce((SELECT c.seq FROM changes c
  WHERE c.account_id = contacts.account_id AND c.resource_type = 'person' AND c.resource_id = contacts.id AND c.deleted = 0), 0);
DELETE FROM changes WHERE resource_type = 'person' AND deleted = 0;
CREATE INDEX contacts_by_change ON contacts (account_id, change_seq);
