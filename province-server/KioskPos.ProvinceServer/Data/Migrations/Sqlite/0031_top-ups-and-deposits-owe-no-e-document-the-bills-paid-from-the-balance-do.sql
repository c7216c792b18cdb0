-- One document for the same money, issued when the money is used (review finding 3). A kiosk top-up
-- (payments.purpose = 'top_up') and a hospital deposit (a payment whose allocations are all to bills of category
-- 'tam_ung', tạm ứng) put money on the payer's account, held for them; the bills later paid from that balance
-- (card_balance payments) each get their own document. Documenting the top-up or the deposit as well stated the same
-- money twice. Decree 123/2020 art. 9(2) makes a service's document at its completion or at collection in advance,
-- excluding deposits and advances (đặt cọc, tạm ứng); the province's reconciliation already counts top-ups as money
-- held, not as takings (Data/Reconciliation.cs, purpose <> 'top_up'). So the outbox queues no original for a top-up or
-- an all-deposit payment, and a void or refund queues an adjustment only of a payment that has an original.
-- A payment that pays a deposit together with other bills keeps its one document, as before.

-- A payment's allocations reference it, so they are written after it (PushLedger: payments, then allocations): when a
-- payment is inserted its allocations are not there yet. The insert trigger leaves out top-ups only; the allocation
-- triggers below take the deposit case.
DROP TRIGGER edocuments_payment_insert;
CREATE TRIGGER edocuments_payment_insert AFTER INSERT ON payments WHEN NEW.state = 'completed' AND NEW.purpose <> 'top_up' BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        VALUES (NEW.id, NEW.id, NEW.institution_id, 'original', NEW.amount, date(NEW.created_at, '+7 hours'), NEW.received_at, NEW.received_at)
        ON CONFLICT (id) DO NOTHING;
END;

-- A VietQR payment completes when its money arrives, its allocations long written: an original unless it is a
-- top-up, or all its allocations are to deposits (an allocation to a bill the province does not hold counts as a
-- bill, as before).
DROP TRIGGER edocuments_payment_completed;
CREATE TRIGGER edocuments_payment_completed AFTER UPDATE OF state ON payments
    WHEN NEW.state = 'completed' AND OLD.state <> 'completed' AND NEW.purpose <> 'top_up'
BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        SELECT NEW.id, NEW.id, NEW.institution_id, 'original', NEW.amount, date(NEW.created_at, '+7 hours'), NEW.received_at, NEW.received_at
        WHERE NOT EXISTS (SELECT 1 FROM payment_allocations pa WHERE pa.payment_id = NEW.id)
           OR EXISTS (SELECT 1 FROM payment_allocations pa LEFT JOIN bills b ON b.id = pa.bill_id
                      WHERE pa.payment_id = NEW.id AND (b.category IS NULL OR b.category <> 'tam_ung'))
        ON CONFLICT (id) DO NOTHING;
END;

-- An allocation to a deposit takes back the original its payment's insert queued, while every allocation of the
-- payment seen so far is to a deposit. It is the same transaction, so nothing can have been sent (attempts = 0).
-- SQLite runs these per row, in the order the allocations are inserted: a later allocation of the same payment to
-- another bill queues the original again (the next trigger), so a payment of a deposit and another bill keeps one.
CREATE TRIGGER edocuments_allocation_deposit AFTER INSERT ON payment_allocations
    WHEN EXISTS (SELECT 1 FROM bills b WHERE b.id = NEW.bill_id AND b.category = 'tam_ung')
BEGIN
    DELETE FROM edocuments
    WHERE id = NEW.payment_id AND purpose = 'original' AND state = 'waiting' AND attempts = 0
      AND NOT EXISTS (SELECT 1 FROM payment_allocations pa LEFT JOIN bills b ON b.id = pa.bill_id
                      WHERE pa.payment_id = NEW.payment_id AND (b.category IS NULL OR b.category <> 'tam_ung'));
END;
CREATE TRIGGER edocuments_allocation_bill AFTER INSERT ON payment_allocations
    WHEN NOT EXISTS (SELECT 1 FROM bills b WHERE b.id = NEW.bill_id AND b.category = 'tam_ung')
     AND NOT EXISTS (SELECT 1 FROM edocuments e WHERE e.id = NEW.payment_id)
BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        SELECT p.id, p.id, p.institution_id, 'original', p.amount, date(p.created_at, '+7 hours'), p.received_at, p.received_at
        FROM payments p WHERE p.id = NEW.payment_id AND p.state = 'completed' AND p.purpose <> 'top_up'
        ON CONFLICT (id) DO NOTHING;
END;

-- A void or refund adjusts the payment's document: none when the payment has no original (a top-up, a deposit).
-- A top-up whose original was issued before this step keeps getting its adjustments.
DROP TRIGGER edocuments_reversal_insert;
CREATE TRIGGER edocuments_reversal_insert AFTER INSERT ON reversals BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        SELECT NEW.payment_id || '/' || NEW.terminal_id || '/' || NEW.sequence, NEW.payment_id, p.institution_id, 'adjustment', NEW.amount, date(NEW.created_at, '+7 hours'), NEW.created_at, NEW.created_at
        FROM payments p WHERE p.id = NEW.payment_id
          AND EXISTS (SELECT 1 FROM edocuments o WHERE o.id = NEW.payment_id AND o.purpose = 'original')
        ON CONFLICT (id) DO NOTHING;
END;

-- Rows already queued for top-ups and all-deposit payments. Only an original still waiting with no attempt is removed,
-- with the adjustments queued behind it (an adjustment is tried only after its original is issued, so those have no
-- attempt either): nothing of them reached a provider, so nothing exists to cancel, and removing them leaves these
-- payments as a payment made from now on is left (no row, so a later void queues nothing). They are deleted rather
-- than marked 'withdrawn': that state means "voided before issue" to the issuer and the worklist, and a withdrawn
-- original would still draw an adjustment row for every later reversal. Rows an attempt may have reached a provider
-- with (waiting after an attempt, refused) and issued ones are left as they are: the provider may hold that document,
-- and only the institution can cancel it.
DELETE FROM edocuments
WHERE state = 'waiting' AND attempts = 0
  AND payment_id IN (
      SELECT o.payment_id FROM edocuments o JOIN payments p ON p.id = o.payment_id
      WHERE o.purpose = 'original' AND o.state = 'waiting' AND o.attempts = 0
        AND (p.purpose = 'top_up'
             OR (EXISTS (SELECT 1 FROM payment_allocations pa WHERE pa.payment_id = p.id)
                 AND NOT EXISTS (SELECT 1 FROM payment_allocations pa LEFT JOIN bills b ON b.id = pa.bill_id
                                 WHERE pa.payment_id = p.id AND (b.category IS NULL OR b.category <> 'tam_ung')))));
