-- The change counter per institution: every row terminals pull (accounts, bills) is versioned by its institution's
-- counter, and a pull compares versions of its own institution only, so two institutions' writers need no order
-- between them: each institution has its own writer lock (ProvinceDatabase), and they commit side by side.
-- Every counter starts at the province's old single counter, which stays in meta as the floor a new institution
-- counts from: a cursor a terminal took before this migration is never ahead of its institution's counter, and no
-- row written after it carries a version at or below that cursor.
CREATE TABLE institution_versions (
    institution_id TEXT PRIMARY KEY,
    version        BIGINT NOT NULL
);
INSERT INTO institution_versions (institution_id, version)
SELECT id, (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'change_version') FROM institutions;
