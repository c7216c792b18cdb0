-- A hospital's facility code (MA_CSKCB); see the SQLite step of the same number for the why.
ALTER TABLE institutions ADD COLUMN facility_code TEXT CHECK (facility_code IS NULL OR facility_code ~ '^[0-9]{5}$');
CREATE UNIQUE INDEX institutions_facility_code ON institutions (facility_code) WHERE facility_code IS NOT NULL;
