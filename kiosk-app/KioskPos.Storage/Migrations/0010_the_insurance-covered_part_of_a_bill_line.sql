-- Health insurance (BHYT) pays part of a hospital line; the bill's total is what the patient owes.
ALTER TABLE bill_lines ADD COLUMN insurance_covered INTEGER NOT NULL DEFAULT 0 CHECK (insurance_covered >= 0);
-- Lines cached before this step lack it: the next pull is a full one (the cache is replaced, nothing
-- unsynced is touched).
DELETE FROM settings WHERE key = 'sync.cursor';