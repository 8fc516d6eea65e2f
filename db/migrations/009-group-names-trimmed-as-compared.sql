-- Group names are unique after trimming (BEHAVIOUR.md §1.2), trimmed as the emulator compares
-- them: every character JavaScript's String.prototype.trim removes, not only spaces. The index
-- now says the same as the check in db/groups-store.ts (GROUP_NAME_KEY there is this
-- expression), and that check becomes one lookup in it.
DROP INDEX contact_groups_unique_name;
CREATE UNIQUE INDEX contact_groups_unique_name ON contact_groups (account_id,
  trim(name, char(9, 10, 11, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288, 65279)));
