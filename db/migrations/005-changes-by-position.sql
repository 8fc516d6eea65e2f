-- The latest change of an account (what a new sync token holds) is one index read, however
-- long the account's history: without this index max(seq) scanned every change it had.
CREATE INDEX changes_by_position ON changes (account_id, seq);
