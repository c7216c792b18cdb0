-- Each institution's legal e-document (issue 22); see the SQLite step of the same number for the why.
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

CREATE TABLE edocuments (
    id                TEXT PRIMARY KEY,
    payment_id        TEXT NOT NULL,
    institution_id    TEXT NOT NULL,
    purpose           TEXT NOT NULL CHECK (purpose IN ('original', 'adjustment')),
    amount            BIGINT NOT NULL CHECK (amount > 0),
    day               TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'issued', 'refused', 'withdrawn')),
    attempts          BIGINT NOT NULL DEFAULT 0,
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
    SELECT p.id, p.id, p.institution_id, 'original', p.amount, to_char(CAST(p.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), p.received_at, p.received_at
    FROM payments p WHERE p.state IN ('completed', 'refunded');

CREATE FUNCTION edocuments_payment_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'completed' AND (TG_OP = 'INSERT' OR OLD.state <> 'completed') THEN
        INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
            VALUES (NEW.id, NEW.id, NEW.institution_id, 'original', NEW.amount, to_char(CAST(NEW.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), NEW.received_at, NEW.received_at)
            ON CONFLICT (id) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER edocuments_payment_insert AFTER INSERT ON payments FOR EACH ROW EXECUTE FUNCTION edocuments_payment_apply();
CREATE TRIGGER edocuments_payment_completed AFTER UPDATE OF state ON payments FOR EACH ROW EXECUTE FUNCTION edocuments_payment_apply();

CREATE FUNCTION edocuments_reversal_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, created_at, updated_at)
        SELECT NEW.payment_id || '/' || NEW.terminal_id || '/' || NEW.sequence, NEW.payment_id, p.institution_id, 'adjustment', NEW.amount,
               to_char(CAST(NEW.created_at AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD'), NEW.created_at, NEW.created_at
        FROM payments p WHERE p.id = NEW.payment_id
        ON CONFLICT (id) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER edocuments_reversal_insert AFTER INSERT ON reversals FOR EACH ROW EXECUTE FUNCTION edocuments_reversal_apply();
