-- One document for the same money, issued when the money is used (review finding 3); see the SQLite step of the same
-- number for the why. A top-up (purpose 'top_up') and a payment whose allocations are all to deposit bills
-- ('tam_ung') get no original; a void or refund gets an adjustment only when its payment has an original.

-- The insert of payments (once per statement since 0030): allocations reference their payment and are written after
-- it, so here only top-ups are left out; the allocations' trigger below takes the deposit case.
CREATE OR REPLACE FUNCTION edocuments_payments_insert_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        SELECT n.id, n.id, n.institution_id, 'original', n.amount, to_char(CAST(n.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), n.received_at, n.received_at
        FROM inserted n WHERE n.state = 'completed' AND n.purpose <> 'top_up'
        ON CONFLICT (id) DO NOTHING;
    RETURN NULL;
END $$;

-- A payment that completes later (a VietQR payment's money arrives; a row trigger since 0020, only on UPDATE OF state
-- since 0030), its allocations long written: an original unless a top-up or all to deposits (an allocation to a bill
-- the province does not hold counts as a bill, as before).
CREATE OR REPLACE FUNCTION edocuments_payment_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'completed' AND (TG_OP = 'INSERT' OR OLD.state <> 'completed') AND NEW.purpose <> 'top_up'
       AND (NOT EXISTS (SELECT 1 FROM payment_allocations pa WHERE pa.payment_id = NEW.id)
            OR EXISTS (SELECT 1 FROM payment_allocations pa LEFT JOIN bills b ON b.id = pa.bill_id
                       WHERE pa.payment_id = NEW.id AND (b.category IS NULL OR b.category <> 'tam_ung'))) THEN
        INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
            VALUES (NEW.id, NEW.id, NEW.institution_id, 'original', NEW.amount, to_char(CAST(NEW.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), NEW.received_at, NEW.received_at)
            ON CONFLICT (id) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

-- Once per INSERT of allocations (a push writes its group's with one statement), over the rows it inserted: every
-- allocation of the statement is visible here, so a payment whose allocations are all to deposits loses the original
-- its insert queued in the same transaction (nothing sent: attempts = 0), and a payment of a deposit and another bill
-- keeps it.
CREATE FUNCTION edocuments_allocations_insert_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM edocuments e
    WHERE e.id IN (SELECT n.payment_id FROM inserted n WHERE EXISTS (SELECT 1 FROM bills b WHERE b.id = n.bill_id AND b.category = 'tam_ung'))
      AND e.purpose = 'original' AND e.state = 'waiting' AND e.attempts = 0
      AND NOT EXISTS (SELECT 1 FROM payment_allocations pa LEFT JOIN bills b ON b.id = pa.bill_id
                      WHERE pa.payment_id = e.id AND (b.category IS NULL OR b.category <> 'tam_ung'));
    RETURN NULL;
END $$;
CREATE TRIGGER edocuments_allocations_insert AFTER INSERT ON payment_allocations REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION edocuments_allocations_insert_apply();

-- A void or refund adjusts the payment's document: none when the payment has no original (a top-up, a deposit).
CREATE OR REPLACE FUNCTION edocuments_reversal_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        SELECT NEW.payment_id || '/' || NEW.terminal_id || '/' || NEW.sequence, NEW.payment_id, p.institution_id, 'adjustment', NEW.amount,
               to_char(CAST(NEW.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), NEW.created_at, NEW.created_at
        FROM payments p WHERE p.id = NEW.payment_id
          AND EXISTS (SELECT 1 FROM edocuments o WHERE o.id = NEW.payment_id AND o.purpose = 'original')
        ON CONFLICT (id) DO NOTHING;
    RETURN NULL;
END $$;

-- Rows already queued for top-ups and all-deposit payments: an original still waiting with no attempt, and the
-- adjustments queued behind it, are deleted; whatever an attempt may have sent, and issued rows, stay (the SQLite step
-- says why).
DELETE FROM edocuments
WHERE state = 'waiting' AND attempts = 0
  AND payment_id IN (
      SELECT o.payment_id FROM edocuments o JOIN payments p ON p.id = o.payment_id
      WHERE o.purpose = 'original' AND o.state = 'waiting' AND o.attempts = 0
        AND (p.purpose = 'top_up'
             OR (EXISTS (SELECT 1 FROM payment_allocations pa WHERE pa.payment_id = p.id)
                 AND NOT EXISTS (SELECT 1 FROM payment_allocations pa LEFT JOIN bills b ON b.id = pa.bill_id
                                 WHERE pa.payment_id = p.id AND (b.category IS NULL OR b.category <> 'tam_ung')))));
