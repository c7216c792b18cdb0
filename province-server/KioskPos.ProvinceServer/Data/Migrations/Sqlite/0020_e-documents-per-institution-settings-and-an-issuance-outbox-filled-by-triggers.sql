-- Each institution's legal e-document (issue 22): which document it issues (e-invoice or e-receipt), through which
-- provider, its template and series, the seller's tax code and the provider's credentials. The credentials are
-- read only by the issuer; no answer and no log carries them.
CREATE TABLE edocument_settings (
    institution_id TEXT PRIMARY KEY REFERENCES institutions (id),
    document_kind  TEXT NOT NULL CHECK (document_kind IN ('invoice', 'receipt')),
    provider       TEXT NOT NULL,
    base_url       TEXT NOT NULL,
    template_code  TEXT NOT NULL,
    series         TEXT NOT NULL,
    seller_tax_code TEXT NOT NULL,
    seller_name    TEXT NOT NULL,
    username       TEXT NOT NULL,
    secret         TEXT NOT NULL,
    account_id     TEXT,
    updated_at     TEXT NOT NULL
);

-- The issuance outbox: one row per document owed, written by triggers in the transaction that completes a
-- payment (its original document) or books a void or refund (its adjusting document), so no completed payment
-- is missed and none is queued twice (the primary key). The issuer works through the rows with backoff.
CREATE TABLE edocuments (
    id                TEXT PRIMARY KEY,
    payment_id        TEXT NOT NULL,
    institution_id    TEXT NOT NULL,
    purpose           TEXT NOT NULL CHECK (purpose IN ('original', 'adjustment')),
    amount            INTEGER NOT NULL CHECK (amount > 0),
    day               TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'issued', 'refused', 'withdrawn')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TEXT,
    provider          TEXT,
    idempotency_key   TEXT,
    document_kind     TEXT,
    template_code     TEXT,
    series            TEXT,
    document_number   TEXT,
    lookup_code       TEXT,
    issued_on         TEXT,
    reason            TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX edocuments_due ON edocuments (state, next_attempt_at);
CREATE INDEX edocuments_day ON edocuments (institution_id, day);
CREATE INDEX edocuments_payment ON edocuments (payment_id);

INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
    SELECT p.id, p.id, p.institution_id, 'original', p.amount, date(p.created_at, '+7 hours'), p.received_at, p.received_at FROM payments p WHERE p.state IN ('completed', 'refunded');

CREATE TRIGGER edocuments_payment_insert AFTER INSERT ON payments WHEN NEW.state = 'completed' BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        VALUES (NEW.id, NEW.id, NEW.institution_id, 'original', NEW.amount, date(NEW.created_at, '+7 hours'), NEW.received_at, NEW.received_at)
        ON CONFLICT (id) DO NOTHING;
END;
CREATE TRIGGER edocuments_payment_completed AFTER UPDATE OF state ON payments WHEN NEW.state = 'completed' AND OLD.state <> 'completed' BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        VALUES (NEW.id, NEW.id, NEW.institution_id, 'original', NEW.amount, date(NEW.created_at, '+7 hours'), NEW.received_at, NEW.received_at)
        ON CONFLICT (id) DO NOTHING;
END;
CREATE TRIGGER edocuments_reversal_insert AFTER INSERT ON reversals BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        SELECT NEW.payment_id || '/' || NEW.terminal_id || '/' || NEW.sequence, NEW.payment_id, p.institution_id, 'adjustment', NEW.amount, date(NEW.created_at, '+7 hours'), NEW.created_at, NEW.created_at
        FROM payments p WHERE p.id = NEW.payment_id
        ON CONFLICT (id) DO NOTHING;
END;
