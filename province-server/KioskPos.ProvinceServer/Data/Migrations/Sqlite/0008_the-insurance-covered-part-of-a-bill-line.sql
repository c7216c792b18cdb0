-- Health insurance (BHYT) pays part of a hospital line; the bill's total is what the patient owes.
ALTER TABLE bill_lines ADD COLUMN insurance_covered INTEGER NOT NULL DEFAULT 0 CHECK (insurance_covered >= 0);
