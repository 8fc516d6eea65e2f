-- Member and contact counts kept by triggers, so that reading a group's memberCount or
-- checking an account's 25,000-contact limit is one row read, not a count over its rows.

ALTER TABLE contact_groups ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN contact_count INTEGER NOT NULL DEFAULT 0;

UPDATE contact_groups SET member_count =
  (SELECT count(*) FROM memberships m WHERE m.account_id = contact_groups.account_id AND m.group_id = contact_groups.id);
UPDATE accounts SET contact_count = (SELECT count(*) FROM contacts c WHERE c.account_id = accounts.id);

CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships BEGIN
  UPDATE contact_groups SET member_count = member_count + 1 WHERE account_id = new.account_id AND id = new.group_id;
END;
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships BEGIN
  UPDATE contact_groups SET member_count = member_count - 1 WHERE account_id = old.account_id AND id = old.group_id;
END;
CREATE TRIGGER contacts_count_insert AFTER INSERT ON contacts BEGIN
  UPDATE accounts SET contact_count = contact_count + 1 WHERE id = new.account_id;
END;
CREATE TRIGGER contacts_count_delete AFTER DELETE ON contacts BEGIN
  UPDATE accounts SET contact_count = contact_count - 1 WHERE id = old.account_id;
END;
