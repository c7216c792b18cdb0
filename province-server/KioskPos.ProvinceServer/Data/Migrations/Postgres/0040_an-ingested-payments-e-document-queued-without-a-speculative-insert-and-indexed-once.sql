-- What one ingested journal entry costs inside PostgreSQL (issue #26): per entry, the outbox's original document that
-- the insert of payments queues (migrations 0020, 0030, 0031) was about a third of the payment's insert. Two parts of
-- it did work nothing needs; what the outbox holds is the same.
--
-- 1. The original was inserted with ON CONFLICT (id) DO NOTHING: a speculative insert per row (probe the key, insert
--    with a token, confirm it, one more WAL record), about 5.5 µs a row against 2.5 for the same rows inserted after
--    a probe of the key. No row can conflict with an insert of payments that another transaction has not made: an
--    original's id is its payment's id, the payment is being inserted in this transaction (no other one sees it, so
--    none queues its original), and payments' ids are their primary key, so the inserted rows name each once. NOT
--    EXISTS skips a row already queued exactly as DO NOTHING did (payments are never deleted, so only a row left by
--    hand could be one). The row trigger of a later completion (0031) keeps ON CONFLICT: it runs once per payment
--    that completes, not per entry.
-- 2. edocuments_payment indexed every row by payment_id; an original's payment_id is its id, which the primary key
--    already finds. Only the adjustments (a void's or refund's document: id payment/terminal/sequence) need it, and
--    a province has few. The one reader, a payment's documents (EDocumentStore.OfPaymentAsync), asks for
--    id = $p OR (purpose = 'adjustment' AND payment_id = $p): the primary key and this index
--    (EDocumentPlanTests).
CREATE OR REPLACE FUNCTION edocuments_payments_insert_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        SELECT n.id, n.id, n.institution_id, 'original', n.amount, to_char(CAST(n.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), n.received_at, n.received_at
        FROM inserted n WHERE n.state = 'completed' AND n.purpose <> 'top_up'
          AND NOT EXISTS (SELECT 1 FROM edocuments e WHERE e.id = n.id);
    RETURN NULL;
END $$;

CREATE INDEX edocuments_adjustments ON edocuments (payment_id) WHERE purpose = 'adjustment';
DROP INDEX edocuments_payment;
