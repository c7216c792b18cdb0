-- A payment at 06:30 on the 1st, local time, is stored as 23:30 UTC on the day before; schools, hospitals
-- and the plan's months count it on the 1st. The triggers take the local day, and the sums are rebuilt.
DROP TRIGGER payments_daily_insert;
DROP TRIGGER payments_daily_update;
DROP TRIGGER payments_daily_delete;
CREATE TRIGGER payments_daily_insert AFTER INSERT ON payments BEGIN
    INSERT INTO payment_daily (institution_id, day, counted, kept) VALUES (NEW.institution_id, date(NEW.created_at, '+7 hours'), CASE WHEN NEW.state <> 'voided' AND (NEW.method <> 'vietqr' OR NEW.received > 0) THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN NEW.method = 'vietqr' THEN MIN(NEW.received, NEW.amount) ELSE NEW.amount END) - NEW.reversed) END)
        ON CONFLICT (institution_id, day) DO UPDATE SET counted = counted + excluded.counted, kept = kept + excluded.kept;
END;
CREATE TRIGGER payments_daily_update AFTER UPDATE OF institution_id, created_at, method, amount, state, received, reversed ON payments BEGIN
    INSERT INTO payment_daily (institution_id, day, counted, kept) VALUES (OLD.institution_id, date(OLD.created_at, '+7 hours'), -(CASE WHEN OLD.state <> 'voided' AND (OLD.method <> 'vietqr' OR OLD.received > 0) THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN OLD.method = 'vietqr' THEN MIN(OLD.received, OLD.amount) ELSE OLD.amount END) - OLD.reversed) END))
        ON CONFLICT (institution_id, day) DO UPDATE SET counted = counted + excluded.counted, kept = kept + excluded.kept;
    INSERT INTO payment_daily (institution_id, day, counted, kept) VALUES (NEW.institution_id, date(NEW.created_at, '+7 hours'), CASE WHEN NEW.state <> 'voided' AND (NEW.method <> 'vietqr' OR NEW.received > 0) THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN NEW.method = 'vietqr' THEN MIN(NEW.received, NEW.amount) ELSE NEW.amount END) - NEW.reversed) END)
        ON CONFLICT (institution_id, day) DO UPDATE SET counted = counted + excluded.counted, kept = kept + excluded.kept;
END;
CREATE TRIGGER payments_daily_delete AFTER DELETE ON payments BEGIN
    INSERT INTO payment_daily (institution_id, day, counted, kept) VALUES (OLD.institution_id, date(OLD.created_at, '+7 hours'), -(CASE WHEN OLD.state <> 'voided' AND (OLD.method <> 'vietqr' OR OLD.received > 0) THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN OLD.method = 'vietqr' THEN MIN(OLD.received, OLD.amount) ELSE OLD.amount END) - OLD.reversed) END))
        ON CONFLICT (institution_id, day) DO UPDATE SET counted = counted + excluded.counted, kept = kept + excluded.kept;
END;
DELETE FROM payment_daily;
INSERT INTO payment_daily (institution_id, day, counted, kept)
    SELECT p.institution_id, date(p.created_at, '+7 hours'), SUM(CASE WHEN p.state <> 'voided' AND (p.method <> 'vietqr' OR p.received > 0) THEN 1 ELSE 0 END), SUM(CASE WHEN p.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN p.method = 'vietqr' THEN MIN(p.received, p.amount) ELSE p.amount END) - p.reversed) END) FROM payments p GROUP BY 1, 2;
