-- Each account has its own words in the full-text index: every indexed word is prefixed with a
-- key of its account (src/people/search.ts), so that a search reads only its own account's
-- entries. The index is emptied and every contact marked: the emulator indexes them again,
-- soon after start and always before a search reads the index.
INSERT INTO contact_search (contact_search) VALUES ('delete-all');
UPDATE contacts SET search_dirty = 1;
