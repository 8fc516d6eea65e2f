-- The number of contacts the whole emulator holds, kept by triggers: the emulator-wide limit
-- is checked on every create without counting.
CREATE TABLE totals (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  contacts INTEGER NOT NULL
) STRICT;
INSERT INTO totals (id, contacts) VALUES (1, (SELECT count(*) FROM contacts));
CREATE TRIGGER contacts_total_insert AFTER INSERT ON contacts BEGIN
  UPDATE totals SET contacts = contacts + 1 WHERE id = 1;
END;
CREATE TRIGGER contacts_total_delete AFTER DELETE ON contacts BEGIN
  UPDATE totals SET contacts = contacts - 1 WHERE id = 1;
END;
