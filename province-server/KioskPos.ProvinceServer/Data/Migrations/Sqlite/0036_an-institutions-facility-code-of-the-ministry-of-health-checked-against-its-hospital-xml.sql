-- A hospital's facility code as the Ministry of Health and the insurance fund know it (MA_CSKCB, 5 digits: the XML
-- output standard of QD 130/QD-BYT writes it in THONGTINDONVI/MACSKCB and in XML1's MA_CSKCB). The hospital XML import
-- refuses a file of another facility for an institution that has one; one without a code yet imports unchecked and
-- says so. Null until the province administrator sets it; no two institutions hold the same code (a second holder
-- would take the first one's files).
ALTER TABLE institutions ADD COLUMN facility_code TEXT CHECK (facility_code IS NULL OR (length(facility_code) = 5 AND facility_code NOT GLOB '*[^0-9]*'));
CREATE UNIQUE INDEX institutions_facility_code ON institutions (facility_code) WHERE facility_code IS NOT NULL;
