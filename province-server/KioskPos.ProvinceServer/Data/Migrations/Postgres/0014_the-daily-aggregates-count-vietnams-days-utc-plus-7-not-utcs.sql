-- As on SQLite: the trigger takes the local day, and the sums are rebuilt.
CREATE OR REPLACE FUNCTION payment_daily_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO payment_daily AS d (institution_id, day, counted, kept) VALUES (OLD.institution_id, to_char(CAST(OLD.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), -(CASE WHEN OLD.state <> 'voided' AND (OLD.method <> 'vietqr' OR OLD.received > 0) THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 'voided' THEN 0 ELSE GREATEST(0, (CASE WHEN OLD.method = 'vietqr' THEN LEAST(OLD.received, OLD.amount) ELSE OLD.amount END) - OLD.reversed) END))
            ON CONFLICT (institution_id, day) DO UPDATE SET counted = d.counted + excluded.counted, kept = d.kept + excluded.kept;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO payment_daily AS d (institution_id, day, counted, kept) VALUES (NEW.institution_id, to_char(CAST(NEW.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), CASE WHEN NEW.state <> 'voided' AND (NEW.method <> 'vietqr' OR NEW.received > 0) THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'voided' THEN 0 ELSE GREATEST(0, (CASE WHEN NEW.method = 'vietqr' THEN LEAST(NEW.received, NEW.amount) ELSE NEW.amount END) - NEW.reversed) END)
            ON CONFLICT (institution_id, day) DO UPDATE SET counted = d.counted + excluded.counted, kept = d.kept + excluded.kept;
    END IF;
    RETURN NULL;
END $$;
DELETE FROM payment_daily;
INSERT INTO payment_daily (institution_id, day, counted, kept)
    SELECT p.institution_id, to_char(CAST(p.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), SUM(CASE WHEN p.state <> 'voided' AND (p.method <> 'vietqr' OR p.received > 0) THEN 1 ELSE 0 END), SUM(CASE WHEN p.state = 'voided' THEN 0 ELSE GREATEST(0, (CASE WHEN p.method = 'vietqr' THEN LEAST(p.received, p.amount) ELSE p.amount END) - p.reversed) END) FROM payments p GROUP BY 1, 2;
