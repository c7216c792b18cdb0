-- Sign-in failures are counted per account and per source in sign_in_throttle since 0015; users.failures, the old
-- lock-out count, has been written as 0 and read by nothing since. Dropped.
ALTER TABLE users DROP COLUMN failures;
