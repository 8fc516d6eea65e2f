-- The full-text index is brought up to date in batches instead of inside every write: a
-- write marks the contact (search_dirty = 1) in the same transaction, and the emulator
-- indexes marked contacts shortly after, and always before a search reads the index. One
-- FTS5 segment per batch instead of one per write keeps writes cheap. The mark is durable,
-- so contacts written just before a crash are indexed when the emulator starts again.

DROP TRIGGER contacts_search_insert;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_update;
DROP TABLE contact_search;

-- contentless_delete: rows are removed by rowid alone, without their old text.
CREATE VIRTUAL TABLE contact_search USING fts5(
  search_text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);

ALTER TABLE contacts ADD COLUMN search_dirty INTEGER NOT NULL DEFAULT 1 CHECK (search_dirty IN (0, 1));
UPDATE contacts SET search_dirty = 1;
CREATE INDEX contacts_search_dirty ON contacts (search_dirty) WHERE search_dirty = 1;

-- A deleted contact leaves the index at once (its rowid may be reused).
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
  DELETE FROM contact_search WHERE rowid = old.rowid;
END;
