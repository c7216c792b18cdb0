-- The wrong-PIN count and lock-out moved to pin_failures in 0012 (counted per id typed, known or not); staff's own
-- columns have been zero and empty since, written by nothing but the staff upsert's reset. Dropped, so that no one
-- reads a lock-out from the place that no longer holds it.
ALTER TABLE staff DROP COLUMN failed;
ALTER TABLE staff DROP COLUMN locked_until;
