using KioskPos.Shared.Sqlite;

namespace KioskPos.ProvinceServer.Data;

/// <summary>The province server's schema, forward-only. Never edit a released step.</summary>
internal static class ProvinceSchema
{
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "institutions, terminals, accounts, bills, journal entries, payments", """
            -- meta holds the database's epoch (a random id, so terminals notice a replaced database) and the
            -- change counter whose values version every row terminals pull.
            CREATE TABLE meta (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(8)))), ('change_version', '0');

            CREATE TABLE institutions (
                id       TEXT PRIMARY KEY,
                name     TEXT NOT NULL,
                type     TEXT NOT NULL,
                district TEXT NOT NULL,
                commune  TEXT
            );

            CREATE TABLE terminals (
                id             TEXT PRIMARY KEY,
                institution_id TEXT NOT NULL REFERENCES institutions (id),
                name           TEXT NOT NULL,
                token_sha256   TEXT NOT NULL,
                revoked        INTEGER NOT NULL DEFAULT 0,
                acked_through  INTEGER NOT NULL DEFAULT 0,
                last_seen_at   TEXT
            );

            CREATE TABLE accounts (
                code           TEXT PRIMARY KEY,
                institution_id TEXT NOT NULL REFERENCES institutions (id),
                kind           TEXT NOT NULL CHECK (kind IN ('pupil', 'patient')),
                full_name      TEXT NOT NULL,
                group_name     TEXT,
                balance        INTEGER NOT NULL,
                blocked        INTEGER NOT NULL DEFAULT 0,
                version        INTEGER NOT NULL
            );
            CREATE INDEX accounts_sync ON accounts (institution_id, version);

            CREATE TABLE cards (
                uid          TEXT PRIMARY KEY,
                account_code TEXT NOT NULL REFERENCES accounts (code)
            );
            CREATE INDEX cards_account ON cards (account_code);

            CREATE TABLE bills (
                id             TEXT PRIMARY KEY,
                institution_id TEXT NOT NULL REFERENCES institutions (id),
                account_code   TEXT NOT NULL REFERENCES accounts (code),
                category       TEXT NOT NULL,
                title          TEXT NOT NULL,
                due_date       TEXT,
                total          INTEGER NOT NULL CHECK (total >= 0),
                paid           INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0),
                version        INTEGER NOT NULL
            );
            CREATE INDEX bills_sync ON bills (institution_id, version);

            CREATE TABLE bill_lines (
                bill_id     TEXT NOT NULL REFERENCES bills (id),
                line_no     INTEGER NOT NULL,
                description TEXT NOT NULL,
                quantity    INTEGER NOT NULL CHECK (quantity > 0),
                unit_price  INTEGER NOT NULL CHECK (unit_price >= 0),
                amount      INTEGER NOT NULL,
                PRIMARY KEY (bill_id, line_no)
            );

            -- Every entry a terminal pushed, exactly once: the primary key is UNIQUE(terminal, sequence), and the
            -- ledger effect of an entry is written in the same transaction as its row here.
            CREATE TABLE journal_entries (
                terminal_id TEXT NOT NULL REFERENCES terminals (id),
                sequence    INTEGER NOT NULL,
                kind        TEXT NOT NULL,
                digest      TEXT NOT NULL,
                body        TEXT NOT NULL,
                result      TEXT NOT NULL,
                received_at TEXT NOT NULL,
                PRIMARY KEY (terminal_id, sequence)
            );

            CREATE TABLE payments (
                id             TEXT PRIMARY KEY,
                terminal_id    TEXT NOT NULL,
                sequence       INTEGER NOT NULL,
                institution_id TEXT NOT NULL,
                account_code   TEXT NOT NULL,
                card_uid       TEXT,
                method         TEXT NOT NULL,
                amount         INTEGER NOT NULL CHECK (amount > 0),
                created_at     TEXT NOT NULL,
                received_at    TEXT NOT NULL,
                balance_after  INTEGER,
                flags          TEXT NOT NULL DEFAULT '',
                UNIQUE (terminal_id, sequence),
                FOREIGN KEY (terminal_id, sequence) REFERENCES journal_entries (terminal_id, sequence)
            );
            CREATE INDEX payments_institution ON payments (institution_id, created_at);

            CREATE TABLE payment_allocations (
                payment_id TEXT NOT NULL REFERENCES payments (id),
                bill_id    TEXT NOT NULL,
                amount     INTEGER NOT NULL CHECK (amount > 0),
                PRIMARY KEY (payment_id, bill_id)
            );

            -- What a person must look at: conflicting pushes, overdrafts, payments for unknown bills.
            CREATE TABLE alerts (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                at          TEXT NOT NULL,
                terminal_id TEXT,
                kind        TEXT NOT NULL,
                detail      TEXT NOT NULL
            );
            """),
        new(2, "journal hash chain anchored per terminal", """
            -- Each entry's link in the terminal's hash chain, and the hash of the last contiguous entry held: a
            -- terminal whose history was edited, lost or replaced can no longer continue the chain.
            ALTER TABLE journal_entries ADD COLUMN prev_hash TEXT;
            ALTER TABLE journal_entries ADD COLUMN hash TEXT;
            ALTER TABLE terminals ADD COLUMN anchor_hash TEXT;
            """),
        new(3, "device keys, enrolment codes and request nonces replace bearer tokens", """
            ALTER TABLE terminals ADD COLUMN public_key TEXT;
            ALTER TABLE terminals ADD COLUMN enrolled_at TEXT;
            ALTER TABLE terminals DROP COLUMN token_sha256;

            -- One-time codes a technician types into a new terminal; only their hash is kept.
            CREATE TABLE enrolment_codes (
                code_sha256 TEXT PRIMARY KEY,
                terminal_id TEXT NOT NULL REFERENCES terminals (id),
                expires_at  TEXT NOT NULL,
                used_at     TEXT
            );

            -- Nonces of signed requests seen in the last minutes: a replayed request is refused.
            CREATE TABLE request_nonces (
                terminal_id TEXT NOT NULL,
                nonce       TEXT NOT NULL,
                seen_at     TEXT NOT NULL,
                PRIMARY KEY (terminal_id, nonce)
            );
            CREATE INDEX request_nonces_age ON request_nonces (seen_at);
            """),
        new(4, "offline policy per terminal", """
            -- JSON of the terminal's offline limits; NULL means the province's default.
            ALTER TABLE terminals ADD COLUMN offline_policy TEXT;
            """),
        new(5, "card deny list", """
            -- A card on the deny list is refused everywhere (lost, stolen, or overdrawn offline) until cleared.
            ALTER TABLE cards ADD COLUMN denied_reason TEXT;
            ALTER TABLE cards ADD COLUMN denied_at TEXT;
            """),
        new(6, "VietQR: receiving accounts, transfer codes, bank notifications, confirmations", """
            -- Where each institution receives VietQR transfers; NULL while it takes none.
            ALTER TABLE institutions ADD COLUMN bank_bin TEXT;
            ALTER TABLE institutions ADD COLUMN bank_account TEXT;
            ALTER TABLE institutions ADD COLUMN bank_account_name TEXT;
            ALTER TABLE institutions ADD COLUMN bank_name TEXT;

            -- The part of a transfer code that names the terminal: unique in the province, never reused.
            ALTER TABLE terminals ADD COLUMN qr_tag INTEGER;
            UPDATE terminals SET qr_tag = rowid;
            CREATE UNIQUE INDEX terminals_qr_tag ON terminals (qr_tag);
            CREATE TRIGGER terminals_assign_qr_tag AFTER INSERT ON terminals WHEN NEW.qr_tag IS NULL
                BEGIN UPDATE terminals SET qr_tag = (SELECT COALESCE(MAX(qr_tag), 0) + 1 FROM terminals) WHERE id = NEW.id; END;

            -- A VietQR payment waits for the bank: pending, then underpaid or completed (or expired at the terminal).
            -- received counts every đồng that arrived for it; each allocation what was credited to its bill.
            ALTER TABLE payments ADD COLUMN state TEXT NOT NULL DEFAULT 'completed';
            ALTER TABLE payments ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE payments ADD COLUMN transfer_code TEXT;
            ALTER TABLE payments ADD COLUMN expires_at TEXT;
            CREATE UNIQUE INDEX payments_transfer_code ON payments (transfer_code) WHERE transfer_code IS NOT NULL;
            ALTER TABLE payment_allocations ADD COLUMN credited INTEGER NOT NULL DEFAULT 0;

            -- Every webhook delivery as it arrived (refused ones too), for the delivery log and manual replay.
            CREATE TABLE bank_deliveries (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                received_at   TEXT NOT NULL,
                connection_id TEXT,
                authentic     INTEGER NOT NULL,
                http_status   INTEGER NOT NULL,
                result        TEXT NOT NULL,
                body          TEXT NOT NULL
            );

            -- One row per bank transaction, ever: services retry for tens of minutes, the bank's id de-duplicates.
            CREATE TABLE bank_transfers (
                id               INTEGER PRIMARY KEY AUTOINCREMENT,
                connection_id    TEXT NOT NULL,
                bank_txn_id      TEXT NOT NULL,
                bank_bin         TEXT,
                account_number   TEXT NOT NULL,
                amount           INTEGER NOT NULL CHECK (amount > 0),
                description      TEXT NOT NULL,
                transaction_time TEXT NOT NULL,
                received_at      TEXT NOT NULL,
                delivery_id      INTEGER REFERENCES bank_deliveries (id),
                transfer_code    TEXT,
                payment_id       TEXT,
                outcome          TEXT NOT NULL,
                flags            TEXT NOT NULL DEFAULT '',
                refund_due       INTEGER NOT NULL DEFAULT 0,
                resolved_at      TEXT,
                UNIQUE (connection_id, bank_txn_id)
            );
            CREATE INDEX bank_transfers_held ON bank_transfers (transfer_code) WHERE outcome = 'held';
            CREATE INDEX bank_transfers_review ON bank_transfers (outcome, received_at);

            -- What each terminal learns of its payments, in order; the id is the terminal's cursor.
            CREATE TABLE confirmations (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                terminal_id TEXT NOT NULL,
                payment_id  TEXT NOT NULL,
                transfer_id INTEGER NOT NULL REFERENCES bank_transfers (id),
                body        TEXT NOT NULL
            );
            CREATE INDEX confirmations_terminal ON confirmations (terminal_id, id);
            """),
        new(7, "voids and refunds from terminals", """
            -- What was given back of a payment (voids, refunds): its state becomes voided, or refunded when all is back.
            ALTER TABLE payments ADD COLUMN reversed INTEGER NOT NULL DEFAULT 0;

            -- Each void or refund as the terminal journalled it: the ledger's credit, and for a bank-transfer refund
            -- the institution's transfer to reconcile.
            CREATE TABLE reversals (
                terminal_id    TEXT NOT NULL,
                sequence       INTEGER NOT NULL,
                payment_id     TEXT NOT NULL,
                kind           TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
                amount         INTEGER NOT NULL CHECK (amount > 0),
                destination    TEXT NOT NULL,
                bank_reference TEXT,
                supervisor     TEXT NOT NULL,
                created_at     TEXT NOT NULL,
                PRIMARY KEY (terminal_id, sequence),
                FOREIGN KEY (terminal_id, sequence) REFERENCES journal_entries (terminal_id, sequence)
            );
            CREATE INDEX reversals_payment ON reversals (payment_id);
            """),
        new(8, "the insurance-covered part of a bill line", """
            -- Health insurance (BHYT) pays part of a hospital line; the bill's total is what the patient owes.
            ALTER TABLE bill_lines ADD COLUMN insurance_covered INTEGER NOT NULL DEFAULT 0 CHECK (insurance_covered >= 0);
            """),
        new(9, "card PINs", """
            -- The card holder's PIN, asked by self-service kiosks above an amount: a salted PBKDF2 hash, checked here
            -- only (never sent to terminals); wrong tries in a row lock it until the office clears it.
            ALTER TABLE accounts ADD COLUMN pin_hash TEXT;
            ALTER TABLE accounts ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
            """),
        new(10, "terminal inventory: what each terminal last reported of itself", """
            ALTER TABLE terminals ADD COLUMN version TEXT;
            ALTER TABLE terminals ADD COLUMN queued INTEGER;
            ALTER TABLE terminals ADD COLUMN oldest_queued_at TEXT;
            ALTER TABLE terminals ADD COLUMN printer_state TEXT;
            ALTER TABLE terminals ADD COLUMN last_error TEXT;
            ALTER TABLE terminals ADD COLUMN reported_at TEXT;
            """),
        new(11, "people who sign in to the province server; the reconciliation worklist's resolutions", """
            -- Province administrators (everything) and institution accountants (their institution, read-only).
            -- Passwords as salted PBKDF2 hashes; wrong passwords in a row lock the login until an administrator resets it.
            CREATE TABLE users (
                username       TEXT PRIMARY KEY,
                full_name      TEXT NOT NULL,
                role           TEXT NOT NULL CHECK (role IN ('province_admin', 'accountant')),
                institution_id TEXT REFERENCES institutions (id),
                password_hash  TEXT NOT NULL,
                failures       INTEGER NOT NULL DEFAULT 0,
                created_at     TEXT NOT NULL,
                CHECK ((role = 'accountant') = (institution_id IS NOT NULL))
            );

            -- A mismatch someone looked at: who, when, what they found. The item is the mismatch's key
            -- (transfer:<id>, payment:<id>).
            CREATE TABLE worklist_resolutions (
                item           TEXT PRIMARY KEY,
                institution_id TEXT,
                resolved_by    TEXT NOT NULL,
                resolved_at    TEXT NOT NULL,
                note           TEXT NOT NULL
            );
            """),
        new(12, "daily aggregates for the plan report, kept by triggers", """
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
            """),
        new(13, "a hardware profile pushed to a terminal", """
            -- The profile (JSON, as in hardware/profiles) the province wants the terminal to run; it takes effect at the
            -- terminal's next start. NULL: the terminal's own.
            ALTER TABLE terminals ADD COLUMN hardware_profile TEXT;
            """),
        new(14, "the daily aggregates count Vietnam's days (UTC+7), not UTC's", """
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
            """),
    ];

    /// <summary>
    /// The same schema on PostgreSQL. Its first step is a baseline at version 10, the schema SQLite reaches through
    /// steps 1–10; every later step is added to both lists under the same version and name. Integers are
    /// <c>bigint</c> (whole đồng, sequences), flags 0/1 integers as on SQLite, times ISO-8601 text in UTC (the
    /// database is created with the C collation, so text orders as SQLite's BINARY does).
    /// </summary>
    public static IReadOnlyList<Migration> PostgresMigrations { get; } =
    [
        new(10, "baseline: the schema of SQLite versions 1-10", """
            CREATE TABLE meta (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            INSERT INTO meta (key, value) VALUES ('epoch', substr(md5(random()::text || clock_timestamp()::text), 1, 16)), ('change_version', '0');

            CREATE TABLE institutions (
                id                TEXT PRIMARY KEY,
                name              TEXT NOT NULL,
                type              TEXT NOT NULL,
                district          TEXT NOT NULL,
                commune           TEXT,
                bank_bin          TEXT,
                bank_account      TEXT,
                bank_account_name TEXT,
                bank_name         TEXT
            );

            CREATE TABLE terminals (
                id               TEXT PRIMARY KEY,
                institution_id   TEXT NOT NULL REFERENCES institutions (id),
                name             TEXT NOT NULL,
                revoked          BIGINT NOT NULL DEFAULT 0,
                acked_through    BIGINT NOT NULL DEFAULT 0,
                last_seen_at     TEXT,
                anchor_hash      TEXT,
                public_key       TEXT,
                enrolled_at      TEXT,
                offline_policy   TEXT,
                qr_tag           BIGINT UNIQUE,
                version          TEXT,
                queued           BIGINT,
                oldest_queued_at TEXT,
                printer_state    TEXT,
                last_error       TEXT,
                reported_at      TEXT
            );
            -- The part of a transfer code that names the terminal: unique in the province, never reused.
            CREATE FUNCTION terminals_assign_qr_tag() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.qr_tag IS NULL THEN
                    NEW.qr_tag := (SELECT COALESCE(MAX(qr_tag), 0) + 1 FROM terminals);
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER terminals_assign_qr_tag BEFORE INSERT ON terminals FOR EACH ROW EXECUTE FUNCTION terminals_assign_qr_tag();

            CREATE TABLE accounts (
                code           TEXT PRIMARY KEY,
                institution_id TEXT NOT NULL REFERENCES institutions (id),
                kind           TEXT NOT NULL CHECK (kind IN ('pupil', 'patient')),
                full_name      TEXT NOT NULL,
                group_name     TEXT,
                balance        BIGINT NOT NULL,
                blocked        BIGINT NOT NULL DEFAULT 0,
                version        BIGINT NOT NULL,
                pin_hash       TEXT,
                pin_failures   BIGINT NOT NULL DEFAULT 0
            );
            CREATE INDEX accounts_sync ON accounts (institution_id, version);

            CREATE TABLE cards (
                uid           TEXT PRIMARY KEY,
                account_code  TEXT NOT NULL REFERENCES accounts (code),
                denied_reason TEXT,
                denied_at     TEXT
            );
            CREATE INDEX cards_account ON cards (account_code);

            CREATE TABLE bills (
                id             TEXT PRIMARY KEY,
                institution_id TEXT NOT NULL REFERENCES institutions (id),
                account_code   TEXT NOT NULL REFERENCES accounts (code),
                category       TEXT NOT NULL,
                title          TEXT NOT NULL,
                due_date       TEXT,
                total          BIGINT NOT NULL CHECK (total >= 0),
                paid           BIGINT NOT NULL DEFAULT 0 CHECK (paid >= 0),
                version        BIGINT NOT NULL
            );
            CREATE INDEX bills_sync ON bills (institution_id, version);

            CREATE TABLE bill_lines (
                bill_id           TEXT NOT NULL REFERENCES bills (id),
                line_no           BIGINT NOT NULL,
                description       TEXT NOT NULL,
                quantity          BIGINT NOT NULL CHECK (quantity > 0),
                unit_price        BIGINT NOT NULL CHECK (unit_price >= 0),
                amount            BIGINT NOT NULL,
                insurance_covered BIGINT NOT NULL DEFAULT 0 CHECK (insurance_covered >= 0),
                PRIMARY KEY (bill_id, line_no)
            );

            CREATE TABLE journal_entries (
                terminal_id TEXT NOT NULL REFERENCES terminals (id),
                sequence    BIGINT NOT NULL,
                kind        TEXT NOT NULL,
                digest      TEXT NOT NULL,
                body        TEXT NOT NULL,
                result      TEXT NOT NULL,
                received_at TEXT NOT NULL,
                prev_hash   TEXT,
                hash        TEXT,
                PRIMARY KEY (terminal_id, sequence)
            );

            CREATE TABLE payments (
                id             TEXT PRIMARY KEY,
                terminal_id    TEXT NOT NULL,
                sequence       BIGINT NOT NULL,
                institution_id TEXT NOT NULL,
                account_code   TEXT NOT NULL,
                card_uid       TEXT,
                method         TEXT NOT NULL,
                amount         BIGINT NOT NULL CHECK (amount > 0),
                created_at     TEXT NOT NULL,
                received_at    TEXT NOT NULL,
                balance_after  BIGINT,
                flags          TEXT NOT NULL DEFAULT '',
                state          TEXT NOT NULL DEFAULT 'completed',
                received       BIGINT NOT NULL DEFAULT 0,
                transfer_code  TEXT,
                expires_at     TEXT,
                reversed       BIGINT NOT NULL DEFAULT 0,
                UNIQUE (terminal_id, sequence),
                FOREIGN KEY (terminal_id, sequence) REFERENCES journal_entries (terminal_id, sequence)
            );
            CREATE INDEX payments_institution ON payments (institution_id, created_at);
            CREATE UNIQUE INDEX payments_transfer_code ON payments (transfer_code) WHERE transfer_code IS NOT NULL;

            -- rowid keeps the order allocations were written in, as SQLite's implicit rowid does.
            CREATE TABLE payment_allocations (
                rowid      BIGINT GENERATED ALWAYS AS IDENTITY,
                payment_id TEXT NOT NULL REFERENCES payments (id),
                bill_id    TEXT NOT NULL,
                amount     BIGINT NOT NULL CHECK (amount > 0),
                credited   BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (payment_id, bill_id)
            );

            CREATE TABLE alerts (
                id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                at          TEXT NOT NULL,
                terminal_id TEXT,
                kind        TEXT NOT NULL,
                detail      TEXT NOT NULL
            );

            CREATE TABLE enrolment_codes (
                code_sha256 TEXT PRIMARY KEY,
                terminal_id TEXT NOT NULL REFERENCES terminals (id),
                expires_at  TEXT NOT NULL,
                used_at     TEXT
            );

            CREATE TABLE request_nonces (
                terminal_id TEXT NOT NULL,
                nonce       TEXT NOT NULL,
                seen_at     TEXT NOT NULL,
                PRIMARY KEY (terminal_id, nonce)
            );
            CREATE INDEX request_nonces_age ON request_nonces (seen_at);

            CREATE TABLE bank_deliveries (
                id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                received_at   TEXT NOT NULL,
                connection_id TEXT,
                authentic     BIGINT NOT NULL,
                http_status   BIGINT NOT NULL,
                result        TEXT NOT NULL,
                body          TEXT NOT NULL
            );

            CREATE TABLE bank_transfers (
                id               BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                connection_id    TEXT NOT NULL,
                bank_txn_id      TEXT NOT NULL,
                bank_bin         TEXT,
                account_number   TEXT NOT NULL,
                amount           BIGINT NOT NULL CHECK (amount > 0),
                description      TEXT NOT NULL,
                transaction_time TEXT NOT NULL,
                received_at      TEXT NOT NULL,
                delivery_id      BIGINT REFERENCES bank_deliveries (id),
                transfer_code    TEXT,
                payment_id       TEXT,
                outcome          TEXT NOT NULL,
                flags            TEXT NOT NULL DEFAULT '',
                refund_due       BIGINT NOT NULL DEFAULT 0,
                resolved_at      TEXT,
                UNIQUE (connection_id, bank_txn_id)
            );
            CREATE INDEX bank_transfers_held ON bank_transfers (transfer_code) WHERE outcome = 'held';
            CREATE INDEX bank_transfers_review ON bank_transfers (outcome, received_at);

            CREATE TABLE confirmations (
                id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                terminal_id TEXT NOT NULL,
                payment_id  TEXT NOT NULL,
                transfer_id BIGINT NOT NULL REFERENCES bank_transfers (id),
                body        TEXT NOT NULL
            );
            CREATE INDEX confirmations_terminal ON confirmations (terminal_id, id);

            CREATE TABLE reversals (
                terminal_id    TEXT NOT NULL,
                sequence       BIGINT NOT NULL,
                payment_id     TEXT NOT NULL,
                kind           TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
                amount         BIGINT NOT NULL CHECK (amount > 0),
                destination    TEXT NOT NULL,
                bank_reference TEXT,
                supervisor     TEXT NOT NULL,
                created_at     TEXT NOT NULL,
                PRIMARY KEY (terminal_id, sequence),
                FOREIGN KEY (terminal_id, sequence) REFERENCES journal_entries (terminal_id, sequence)
            );
            CREATE INDEX reversals_payment ON reversals (payment_id);
            """),
        new(11, "people who sign in to the province server; the reconciliation worklist's resolutions", """
            -- Province administrators (everything) and institution accountants (their institution, read-only).
            -- Passwords as salted PBKDF2 hashes; wrong passwords in a row lock the login until an administrator resets it.
            CREATE TABLE users (
                username       TEXT PRIMARY KEY,
                full_name      TEXT NOT NULL,
                role           TEXT NOT NULL CHECK (role IN ('province_admin', 'accountant')),
                institution_id TEXT REFERENCES institutions (id),
                password_hash  TEXT NOT NULL,
                failures       BIGINT NOT NULL DEFAULT 0,
                created_at     TEXT NOT NULL,
                CHECK ((role = 'accountant') = (institution_id IS NOT NULL))
            );

            -- A mismatch someone looked at: who, when, what they found. The item is the mismatch's key
            -- (transfer:<id>, payment:<id>).
            CREATE TABLE worklist_resolutions (
                item           TEXT PRIMARY KEY,
                institution_id TEXT,
                resolved_by    TEXT NOT NULL,
                resolved_at    TEXT NOT NULL,
                note           TEXT NOT NULL
            );
            """),
        new(12, "daily aggregates for the plan report, kept by triggers", """
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
            """),
        new(13, "a hardware profile pushed to a terminal", """
            -- The profile (JSON, as in hardware/profiles) the province wants the terminal to run; it takes effect at the
            -- terminal's next start. NULL: the terminal's own.
            ALTER TABLE terminals ADD COLUMN hardware_profile TEXT;
            """),
        new(14, "the daily aggregates count Vietnam's days (UTC+7), not UTC's", """
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
            """),
    ];
}
