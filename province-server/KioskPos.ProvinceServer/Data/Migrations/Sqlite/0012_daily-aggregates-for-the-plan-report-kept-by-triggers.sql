-- The plan report over millions of payments reads these, not the payments: per institution and day, the
-- payments that count (not voided; VietQR once money arrived) and the value kept (VietQR what arrived up to
-- the amount, less what was given back), and what fell due. Triggers keep them in step with every change,
-- in the same transaction, on both engines; the first fill is from what is already there.
CREATE TABLE payment_daily (
    institution_id TEXT NOT NULL,
    day            TEXT NOT NULL,
    counted        INTEGER NOT NULL DEFAULT 0,
    kept           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (institution_id, day)
);
CREATE TABLE bill_due_daily (
    institution_id TEXT NOT NULL,
    day            TEXT NOT NULL,
    due            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (institution_id, day)
);
INSERT INTO payment_daily (institution_id, day, counted, kept)
    SELECT p.institution_id, substr(p.created_at, 1, 10), SUM(CASE WHEN p.state <> 'voided' AND (p.method <> 'vietqr' OR p.received > 0) THEN 1 ELSE 0 END), SUM(CASE WHEN p.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN p.method = 'vietqr' THEN MIN(p.received, p.amount) ELSE p.amount END) - p.reversed) END) FROM payments p GROUP BY 1, 2;
INSERT INTO bill_due_daily (institution_id, day, due)
    SELECT b.institution_id, substr(b.due_date, 1, 10), SUM(b.total) FROM bills b WHERE b.due_date IS NOT NULL GROUP BY 1, 2;

CREATE TRIGGER payments_daily_insert AFTER INSERT ON payments BEGIN
    INSERT INTO payment_daily (institution_id, day, counted, kept) VALUES (NEW.institution_id, substr(NEW.created_at, 1, 10), CASE WHEN NEW.state <> 'voided' AND (NEW.method <> 'vietqr' OR NEW.received > 0) THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN NEW.method = 'vietqr' THEN MIN(NEW.received, NEW.amount) ELSE NEW.amount END) - NEW.reversed) END)
        ON CONFLICT (institution_id, day) DO UPDATE SET counted = counted + excluded.counted, kept = kept + excluded.kept;
END;
CREATE TRIGGER payments_daily_update AFTER UPDATE OF institution_id, created_at, method, amount, state, received, reversed ON payments BEGIN
    INSERT INTO payment_daily (institution_id, day, counted, kept) VALUES (OLD.institution_id, substr(OLD.created_at, 1, 10), -(CASE WHEN OLD.state <> 'voided' AND (OLD.method <> 'vietqr' OR OLD.received > 0) THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN OLD.method = 'vietqr' THEN MIN(OLD.received, OLD.amount) ELSE OLD.amount END) - OLD.reversed) END))
        ON CONFLICT (institution_id, day) DO UPDATE SET counted = counted + excluded.counted, kept = kept + excluded.kept;
    INSERT INTO payment_daily (institution_id, day, counted, kept) VALUES (NEW.institution_id, substr(NEW.created_at, 1, 10), CASE WHEN NEW.state <> 'voided' AND (NEW.method <> 'vietqr' OR NEW.received > 0) THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN NEW.method = 'vietqr' THEN MIN(NEW.received, NEW.amount) ELSE NEW.amount END) - NEW.reversed) END)
        ON CONFLICT (institution_id, day) DO UPDATE SET counted = counted + excluded.counted, kept = kept + excluded.kept;
END;
CREATE TRIGGER payments_daily_delete AFTER DELETE ON payments BEGIN
    INSERT INTO payment_daily (institution_id, day, counted, kept) VALUES (OLD.institution_id, substr(OLD.created_at, 1, 10), -(CASE WHEN OLD.state <> 'voided' AND (OLD.method <> 'vietqr' OR OLD.received > 0) THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN OLD.method = 'vietqr' THEN MIN(OLD.received, OLD.amount) ELSE OLD.amount END) - OLD.reversed) END))
        ON CONFLICT (institution_id, day) DO UPDATE SET counted = counted + excluded.counted, kept = kept + excluded.kept;
END;
CREATE TRIGGER bills_due_insert AFTER INSERT ON bills WHEN NEW.due_date IS NOT NULL BEGIN
    INSERT INTO bill_due_daily (institution_id, day, due) VALUES (NEW.institution_id, substr(NEW.due_date, 1, 10), NEW.total)
        ON CONFLICT (institution_id, day) DO UPDATE SET due = due + excluded.due;
END;
CREATE TRIGGER bills_due_update_old AFTER UPDATE OF institution_id, due_date, total ON bills WHEN OLD.due_date IS NOT NULL BEGIN
    INSERT INTO bill_due_daily (institution_id, day, due) VALUES (OLD.institution_id, substr(OLD.due_date, 1, 10), -OLD.total)
        ON CONFLICT (institution_id, day) DO UPDATE SET due = due + excluded.due;
END;
CREATE TRIGGER bills_due_update_new AFTER UPDATE OF institution_id, due_date, total ON bills WHEN NEW.due_date IS NOT NULL BEGIN
    INSERT INTO bill_due_daily (institution_id, day, due) VALUES (NEW.institution_id, substr(NEW.due_date, 1, 10), NEW.total)
        ON CONFLICT (institution_id, day) DO UPDATE SET due = due + excluded.due;
END;
CREATE TRIGGER bills_due_delete AFTER DELETE ON bills WHEN OLD.due_date IS NOT NULL BEGIN
    INSERT INTO bill_due_daily (institution_id, day, due) VALUES (OLD.institution_id, substr(OLD.due_date, 1, 10), -OLD.total)
        ON CONFLICT (institution_id, day) DO UPDATE SET due = due + excluded.due;
END;
