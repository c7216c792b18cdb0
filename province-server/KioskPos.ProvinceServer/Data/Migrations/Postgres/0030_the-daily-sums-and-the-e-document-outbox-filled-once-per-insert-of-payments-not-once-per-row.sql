-- A push writes its group's payments with one INSERT. The two triggers that follow an insert (the daily sums for the
-- plan report, 0014; the e-document outbox, 0020) ran once per row: two more statements for every payment, about
-- two thirds of the insert's time in the load test. They now run once per INSERT over the rows it inserted (a
-- transition table), summing each institution's day once; what they write is the same. Deletions keep the row
-- trigger (they are rare, and a deletion's transition table would need its own trigger anyway); updates keep theirs
-- (a transition table cannot be combined with UPDATE OF columns).
CREATE FUNCTION payment_daily_insert_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO payment_daily AS d (institution_id, day, counted, kept)
        SELECT n.institution_id, to_char(CAST(n.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'),
               SUM(CASE WHEN n.state <> 'voided' AND (n.method <> 'vietqr' OR n.received > 0) THEN 1 ELSE 0 END),
               SUM(CASE WHEN n.state = 'voided' THEN 0 ELSE GREATEST(0, (CASE WHEN n.method = 'vietqr' THEN LEAST(n.received, n.amount) ELSE n.amount END) - n.reversed) END)
        FROM inserted n GROUP BY 1, 2
        ON CONFLICT (institution_id, day) DO UPDATE SET counted = d.counted + excluded.counted, kept = d.kept + excluded.kept;
    RETURN NULL;
END $$;
DROP TRIGGER payments_daily_insert ON payments;
CREATE TRIGGER payments_daily_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION payment_daily_insert_apply();
CREATE TRIGGER payments_daily_delete AFTER DELETE ON payments FOR EACH ROW EXECUTE FUNCTION payment_daily_apply();

CREATE FUNCTION edocuments_payments_insert_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        SELECT n.id, n.id, n.institution_id, 'original', n.amount, to_char(CAST(n.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), n.received_at, n.received_at
        FROM inserted n WHERE n.state = 'completed'
        ON CONFLICT (id) DO NOTHING;
    RETURN NULL;
END $$;
DROP TRIGGER edocuments_payment_insert ON payments;
CREATE TRIGGER edocuments_payment_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION edocuments_payments_insert_apply();
