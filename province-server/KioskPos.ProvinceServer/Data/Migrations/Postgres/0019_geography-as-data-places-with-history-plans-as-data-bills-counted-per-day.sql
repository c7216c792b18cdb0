-- As on SQLite: places with history, plans as JSON documents, bills counted per day beside their value.
CREATE TABLE institution_places (
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    valid_from     TEXT NOT NULL,
    province       TEXT NOT NULL DEFAULT '',
    commune        TEXT NOT NULL DEFAULT '',
    old_province   TEXT,
    old_district   TEXT,
    note           TEXT,
    PRIMARY KEY (institution_id, valid_from)
);
INSERT INTO institution_places (institution_id, valid_from, province, commune, old_province, old_district)
    SELECT id, '2000-01-01', '', COALESCE(commune, ''), NULL, NULLIF(district, '') FROM institutions;

CREATE TABLE plans (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

ALTER TABLE bill_due_daily ADD COLUMN bills BIGINT NOT NULL DEFAULT 0;
UPDATE bill_due_daily d SET bills = (SELECT COUNT(*) FROM bills b WHERE b.institution_id = d.institution_id AND substr(b.due_date, 1, 10) = d.day);
CREATE OR REPLACE FUNCTION bill_due_daily_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.due_date IS NOT NULL THEN
        INSERT INTO bill_due_daily AS d (institution_id, day, due, bills) VALUES (OLD.institution_id, substr(OLD.due_date, 1, 10), -OLD.total, -1)
            ON CONFLICT (institution_id, day) DO UPDATE SET due = d.due + excluded.due, bills = d.bills + excluded.bills;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.due_date IS NOT NULL THEN
        INSERT INTO bill_due_daily AS d (institution_id, day, due, bills) VALUES (NEW.institution_id, substr(NEW.due_date, 1, 10), NEW.total, 1)
            ON CONFLICT (institution_id, day) DO UPDATE SET due = d.due + excluded.due, bills = d.bills + excluded.bills;
    END IF;
    RETURN NULL;
END $$;

-- The two plans this project serves (../shared/seeds): Tiền Giang 236/KH-UBND and Bà Rịa - Vũng Tàu 104/KH-UBND,
-- their 2022 figures and +20 points a year up to 100 %. 236 names 100 % for colleges, universities, provincial
-- hospitals and district health centres from the start; the old provinces are their areas.
INSERT INTO plans (id, body, updated_at) VALUES
    ('brvt-104-2022', '{"id": "brvt-104-2022", "title": "104/KH-UBND (2022)", "authority": "UBND tỉnh Bà Rịa - Vũng Tàu", "areaKind": "old_province", "area": "Bà Rịa - Vũng Tàu", "startYear": 2022, "increment": 20, "cap": 100, "targets": [{"type": "primary", "institutionShare": 50, "valueShare": 50, "countShare": 50}, {"type": "lower_secondary", "institutionShare": 50, "valueShare": 50, "countShare": 50}, {"type": "upper_secondary", "institutionShare": 50, "valueShare": 50, "countShare": 50}, {"type": "vocational", "institutionShare": 50, "valueShare": 50, "countShare": 50}, {"type": "college_university", "institutionShare": 50, "valueShare": 50, "countShare": 50}, {"type": "provincial_hospital", "institutionShare": 50, "valueShare": 50, "countShare": 50}, {"type": "district_health_centre", "institutionShare": 50, "valueShare": 50, "countShare": 50, "label": "Trung tâm y tế huyện (2022)"}, {"type": "commune_health_station", "institutionShare": 50, "valueShare": 50, "countShare": 50, "label": "Trạm y tế xã (2022)"}], "isDefault": false}', '2022-07-15T00:00:00Z'),
    ('tg-236-2022', '{"id": "tg-236-2022", "title": "236/KH-UBND (15/07/2022)", "authority": "UBND tỉnh Tiền Giang", "areaKind": "old_province", "area": "Tiền Giang", "startYear": 2022, "increment": 20, "cap": 100, "targets": [{"type": "primary", "institutionShare": 50, "valueShare": 50, "countShare": 50}, {"type": "lower_secondary", "institutionShare": 50, "valueShare": 50, "countShare": 50}, {"type": "upper_secondary", "institutionShare": 50, "valueShare": 50, "countShare": 50}, {"type": "vocational", "institutionShare": 50, "valueShare": 50, "countShare": 50}, {"type": "college_university", "institutionShare": 100, "valueShare": 50, "countShare": 50}, {"type": "provincial_hospital", "institutionShare": 100, "valueShare": 50, "countShare": 50, "label": "Bệnh viện tuyến tỉnh"}, {"type": "district_health_centre", "institutionShare": 100, "valueShare": 50, "countShare": 50, "label": "Trung tâm y tế huyện (2022)"}, {"type": "commune_health_station", "institutionShare": 50, "valueShare": 50, "countShare": 50, "label": "Trạm y tế xã (2022)"}], "isDefault": true}', '2022-07-15T00:00:00Z');
