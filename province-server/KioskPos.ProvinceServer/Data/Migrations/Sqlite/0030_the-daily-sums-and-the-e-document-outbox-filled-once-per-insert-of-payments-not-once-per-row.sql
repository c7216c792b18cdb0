-- On PostgreSQL this step makes the daily sums' and the e-document outbox's insert triggers run once per INSERT of
-- payments instead of once per row. SQLite has only row triggers, and a row trigger there is a step of the same
-- statement's program, not a statement of its own; nothing changes here. The step keeps the two engines' numbers
-- in step.
SELECT 1;
