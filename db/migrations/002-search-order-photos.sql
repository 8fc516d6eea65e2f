-- Sort keys for connections.list, the words searchContacts matches, and uploaded photos.
-- The emulator fills given_key, family_key and search_text for rows written before this
-- migration when it opens the database (they are computed from the contact's data).

ALTER TABLE contacts ADD COLUMN given_key TEXT;    -- FIRST_NAME_ASCENDING: '0' + folded given name, or '1' without one
ALTER TABLE contacts ADD COLUMN family_key TEXT;   -- LAST_NAME_ASCENDING: the same for the family name
ALTER TABLE contacts ADD COLUMN search_text TEXT;  -- names, nicknames, emails, phones, organizations
ALTER TABLE contacts ADD COLUMN photo_id TEXT;     -- an uploaded photo (updateContactPhoto), or NULL for the default
ALTER TABLE contacts ADD COLUMN photo BLOB;
ALTER TABLE contacts ADD COLUMN photo_type TEXT;

-- Keyset pagination in every sort order: each page is one index range scan.
CREATE INDEX contacts_by_update ON contacts (account_id, update_time, id);
CREATE INDEX contacts_by_given ON contacts (account_id, given_key, id);
CREATE INDEX contacts_by_family ON contacts (account_id, family_key, id);
CREATE UNIQUE INDEX contacts_by_photo ON contacts (photo_id) WHERE photo_id IS NOT NULL;

-- Full-text index over search_text, kept in step with contacts by triggers. unicode61 with
-- remove_diacritics folds case and accents, so "ZOE" finds "Zoë".
CREATE VIRTUAL TABLE contact_search USING fts5(
  search_text, content = 'contacts', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
);
-- Rows that exist already enter the index now (with empty text until the emulator fills it).
INSERT INTO contact_search (contact_search) VALUES ('rebuild');
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
  INSERT INTO contact_search (rowid, search_text) VALUES (new.rowid, coalesce(new.search_text, ''));
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
  INSERT INTO contact_search (contact_search, rowid, search_text) VALUES ('delete', old.rowid, coalesce(old.search_text, ''));
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF search_text ON contacts BEGIN
  INSERT INTO contact_search (contact_search, rowid, search_text) VALUES ('delete', old.rowid, coalesce(old.search_text, ''));
  INSERT INTO contact_search (rowid, search_text) VALUES (new.rowid, coalesce(new.search_text, ''));
END;
