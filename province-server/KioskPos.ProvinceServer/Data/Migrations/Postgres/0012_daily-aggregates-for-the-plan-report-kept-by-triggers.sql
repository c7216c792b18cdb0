-- The plan report over millions of payments reads these, not the payments: per institution and day, the
-- payments that count (not voided; VietQR once money arrived) and the value kept (VietQR what arrived up to
-- the amount, less what was given back), and what fell due. Triggers keep them in step with every change,
-- in the same transaction, on both engines; the first fill is from what is already there.
CREATE TABLE payment_daily (
    institution_id TEXT NOT NULL,
    day            TEXT NOT NULL,
    counted        BIGINT NOT NULL DEFAULT 0,
    kept           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (institution_id, day)
);
CREATE TABLE bill_due_daily (
    institution_id TEXT NOT NULL,
    day            TEXT NOT NULL,
    due            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (institution_id, day)
);
INSERT INTO payment_daily (institution_id, day, counted, kept)
    SELECT p.institution_id, substr(p.created_at, 1, 10), SUM(CASE WHEN p.state <> 'voided' AND (p.method <> 'vietqr' OR p.received > 0) THEN 1 ELSE 0 END), SUM(CASE WHEN p.state = 'voided' THEN 0 ELSE GREATEST(0, (CASE WHEN p.method = 'vietqr' THEN LEAST(p.received, p.amount) ELSE p.amount END) - p.reversed) END) FROM payments p GROUP BY 1, 2;
INSERT INTO bill_due_daily (institution_id, day, due)
    SELECT b.institution_id, substr(b.due_date, 1, 10), SUM(b.total) FROM bills b WHERE b.due_date IS NOT NULL GROUP BY 1, 2;

CREATE FUNCTION payment_daily_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO payment_daily AS d (institution_id, day, counted, kept) VALUES (OLD.institution_id, substr(OLD.created_at, 1, 10), -(CASE WHEN OLD.state <> 'voided' AND (OLD.method <> 'vietqr' OR OLD.received > 0) THEN 1 ELSE 0 END), -(CASE WHEN OLD.state = 'voided' THEN 0 ELSE GREATEST(0, (CASE WHEN OLD.method = 'vietqr' THEN LEAST(OLD.received, OLD.amount) ELSE OLD.amount END) - OLD.reversed) END))
            ON CONFLICT (institution_id, day) DO UPDATE SET counted = d.counted + excluded.counted, kept = d.kept + excluded.kept;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO payment_daily AS d (institution_id, day, counted, kept) VALUES (NEW.institution_id, substr(NEW.created_at, 1, 10), CASE WHEN NEW.state <> 'voided' AND (NEW.method <> 'vietqr' OR NEW.received > 0) THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'voided' THEN 0 ELSE GREATEST(0, (CASE WHEN NEW.method = 'vietqr' THEN LEAST(NEW.received, NEW.amount) ELSE NEW.amount END) - NEW.reversed) END)
            ON CONFLICT (institution_id, day) DO UPDATE SET counted = d.counted + excluded.counted, kept = d.kept + excluded.kept;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER payments_daily_insert AFTER INSERT OR DELETE ON payments FOR EACH ROW EXECUTE FUNCTION payment_daily_apply();
CREATE TRIGGER payments_daily_update AFTER UPDATE OF institution_id, created_at, method, amount, state, received, reversed ON payments
    FOR EACH ROW EXECUTE FUNCTION payment_daily_apply();

CREATE FUNCTION bill_due_daily_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.due_date IS NOT NULL THEN
        INSERT INTO bill_due_daily AS d (institution_id, day, due) VALUES (OLD.institution_id, substr(OLD.due_date, 1, 10), -OLD.total)
            ON CONFLICT (institution_id, day) DO UPDATE SET due = d.due + excluded.due;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.due_date IS NOT NULL THEN
        INSERT INTO bill_due_daily AS d (institution_id, day, due) VALUES (NEW.institution_id, substr(NEW.due_date, 1, 10), NEW.total)
            ON CONFLICT (institution_id, day) DO UPDATE SET due = d.due + excluded.due;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER bills_due_insert AFTER INSERT OR DELETE ON bills FOR EACH ROW EXECUTE FUNCTION bill_due_daily_apply();
CREATE TRIGGER bills_due_update AFTER UPDATE OF institution_id, due_date, total ON bills FOR EACH ROW EXECUTE FUNCTION bill_due_daily_apply();
