-- changes_by_position (account_id, seq) serves every read of the change log: "since a
-- position" reads the account's later changes whatever their type. One index fewer to keep
-- up on every write.
DROP INDEX changes_by_account;
