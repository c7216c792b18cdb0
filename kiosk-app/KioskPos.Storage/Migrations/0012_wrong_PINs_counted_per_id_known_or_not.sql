-- Wrong staff PINs, counted per id whether or not the id exists, so that an unknown id answers exactly as a known
-- one with a wrong PIN ("N tries left", then the lockout) and the answers reveal no id. Rows of ids nobody has
-- tried for a day are dropped. The staff table's own counters move here and are no longer used.
CREATE TABLE pin_failures (
    staff_id     TEXT PRIMARY KEY,
    failed       INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    updated_at   TEXT NOT NULL
);

INSERT INTO pin_failures (staff_id, failed, locked_until, updated_at)
SELECT id, failed, locked_until, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM staff WHERE failed > 0 OR locked_until IS NOT NULL;

UPDATE staff SET failed = 0, locked_until = NULL;
