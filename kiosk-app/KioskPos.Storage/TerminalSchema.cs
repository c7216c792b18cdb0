using KioskPos.Shared.Sqlite;

namespace KioskPos.Storage;

/// <summary>The terminal database's schema, one forward-only step at a time. Never edit a released step.</summary>
public static class TerminalSchema
{
    /// <summary>All steps, in order.</summary>
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "cache, journal, payments, outbox, settings", """
            CREATE TABLE settings (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );

            -- Cache of what the province server holds for this terminal's institution. Replaced or merged by pulls.
            CREATE TABLE institution (
                id       TEXT PRIMARY KEY,
                name     TEXT NOT NULL,
                type     TEXT NOT NULL,
                district TEXT NOT NULL
            );

            CREATE TABLE accounts (
                code       TEXT PRIMARY KEY,
                kind       TEXT NOT NULL CHECK (kind IN ('pupil', 'patient')),
                full_name  TEXT NOT NULL,
                group_name TEXT,
                balance    INTEGER NOT NULL,
                blocked    INTEGER NOT NULL DEFAULT 0,
                version    INTEGER NOT NULL
            );

            CREATE TABLE account_cards (
                uid          TEXT PRIMARY KEY,
                account_code TEXT NOT NULL REFERENCES accounts (code) ON DELETE CASCADE
            );
            CREATE INDEX account_cards_account ON account_cards (account_code);

            CREATE TABLE bills (
                id           TEXT PRIMARY KEY,
                account_code TEXT NOT NULL,
                category     TEXT NOT NULL,
                title        TEXT NOT NULL,
                due_date     TEXT,
                total        INTEGER NOT NULL CHECK (total >= 0),
                paid         INTEGER NOT NULL CHECK (paid >= 0),
                version      INTEGER NOT NULL
            );
            CREATE INDEX bills_account ON bills (account_code);

            CREATE TABLE bill_lines (
                bill_id     TEXT NOT NULL REFERENCES bills (id) ON DELETE CASCADE,
                line_no     INTEGER NOT NULL,
                description TEXT NOT NULL,
                quantity    INTEGER NOT NULL CHECK (quantity > 0),
                unit_price  INTEGER NOT NULL CHECK (unit_price >= 0),
                amount      INTEGER NOT NULL,
                PRIMARY KEY (bill_id, line_no)
            );

            -- The payment journal: append-only, one sequence without gaps, each entry chained to the one before.
            CREATE TABLE journal (
                sequence   INTEGER PRIMARY KEY CHECK (sequence > 0),
                kind       TEXT NOT NULL,
                payment_id TEXT,
                created_at TEXT NOT NULL,
                body       TEXT NOT NULL,
                prev_hash  TEXT NOT NULL,
                hash       TEXT NOT NULL UNIQUE
            );
            CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
            CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
                BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

            -- Current state of each payment, written in the same transaction as its journal entry.
            CREATE TABLE payments (
                id                TEXT PRIMARY KEY,
                sequence          INTEGER NOT NULL UNIQUE REFERENCES journal (sequence),
                client_request_id TEXT UNIQUE,
                account_code      TEXT NOT NULL,
                card_uid          TEXT,
                method            TEXT NOT NULL,
                amount            INTEGER NOT NULL CHECK (amount > 0),
                state             TEXT NOT NULL,
                operator          TEXT,
                created_at        TEXT NOT NULL,
                receipt_state     TEXT NOT NULL DEFAULT 'pending',
                receipt_detail    TEXT
            );
            CREATE INDEX payments_account ON payments (account_code);

            CREATE TABLE payment_allocations (
                payment_id TEXT NOT NULL REFERENCES payments (id),
                bill_id    TEXT NOT NULL,
                amount     INTEGER NOT NULL CHECK (amount > 0),
                PRIMARY KEY (payment_id, bill_id)
            );
            CREATE INDEX payment_allocations_bill ON payment_allocations (bill_id);

            -- What is still to be pushed to the province server: one row per journal entry.
            CREATE TABLE outbox (
                sequence        INTEGER PRIMARY KEY REFERENCES journal (sequence),
                state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'rejected')),
                attempts        INTEGER NOT NULL DEFAULT 0,
                last_error      TEXT,
                last_attempt_at TEXT,
                sent_at         TEXT
            );
            CREATE INDEX outbox_pending ON outbox (state, sequence);
            """),
        new(2, "what the server noticed about each entry", """
            -- E.g. 'overdraft' when an offline debit overdrew the card at the server. Shown with the payment.
            ALTER TABLE outbox ADD COLUMN server_flags TEXT NOT NULL DEFAULT '';
            """),
        new(3, "offline card payments", """
            -- 1 when the payment was taken within the offline limits, without the server's authorisation.
            ALTER TABLE payments ADD COLUMN offline INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX payments_offline_card ON payments (card_uid, created_at) WHERE offline = 1;
            """),
        new(4, "card deny list", """
            -- 1 when the province server has the card on its deny list (lost, stolen, overdrawn).
            ALTER TABLE account_cards ADD COLUMN denied INTEGER NOT NULL DEFAULT 0;
            """),
        new(5, "VietQR payments", """
            -- Where the institution receives transfers (from the server's configuration).
            ALTER TABLE institution ADD COLUMN bank_bin TEXT;
            ALTER TABLE institution ADD COLUMN bank_account TEXT;
            ALTER TABLE institution ADD COLUMN bank_account_name TEXT;
            ALTER TABLE institution ADD COLUMN bank_name TEXT;

            -- A VietQR payment's code and what the bank confirmed for it so far.
            ALTER TABLE payments ADD COLUMN transfer_code TEXT;
            ALTER TABLE payments ADD COLUMN qr_payload TEXT;
            ALTER TABLE payments ADD COLUMN expires_at TEXT;
            ALTER TABLE payments ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
            CREATE UNIQUE INDEX payments_transfer_code ON payments (transfer_code) WHERE transfer_code IS NOT NULL;
            CREATE INDEX payments_pending_expiry ON payments (expires_at) WHERE state = 'pending';

            -- The server's confirmations recorded, by the server's id: each is journalled once.
            CREATE TABLE confirmations (
                id         INTEGER PRIMARY KEY,
                payment_id TEXT NOT NULL REFERENCES payments (id),
                sequence   INTEGER NOT NULL REFERENCES journal (sequence)
            );
            """),
        new(6, "print queue", """
            -- Every print job, kept with the payment it prints (a receipt's job is written in the payment's own
            -- transaction). A job is done only when the printer said it printed it; until then it is queued or held
            -- (paper out, cover open, printer unreachable) and the queue prints it when the printer recovers.
            CREATE TABLE print_jobs (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                kind        TEXT NOT NULL,                 -- receipt, provisional, report, slip, test_page
                subject     TEXT,                          -- the payment (receipts, provisional slips)
                reprint     INTEGER NOT NULL DEFAULT 0,    -- printed with the BẢN SAO / IN LẠI mark
                document    TEXT,                          -- the document as JSON; null: made from the payment when printed
                state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'held', 'printed', 'cancelled')),
                attempts    INTEGER NOT NULL DEFAULT 0,
                problem     TEXT,
                maybe_on_paper INTEGER NOT NULL DEFAULT 0, -- an attempt may have reached the paper
                created_at  TEXT NOT NULL,
                printed_at  TEXT,
                preview     TEXT                           -- what was printed, as plain text, for screens
            );
            CREATE INDEX print_jobs_waiting ON print_jobs (id) WHERE state IN ('queued', 'held');
            CREATE INDEX print_jobs_subject ON print_jobs (subject);
            """),
        new(7, "voids, refunds and shifts", """
            -- What was given back of a payment so far, and of each of its allocations (refunds may be partial).
            ALTER TABLE payments ADD COLUMN reversed INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE payment_allocations ADD COLUMN reversed INTEGER NOT NULL DEFAULT 0;

            -- Each void or refund, by its journal entry: until that entry is at the server, a credit to the card
            -- counts in the balance this terminal may spend and its allocations reopen the bills on screen.
            CREATE TABLE reversals (
                sequence     INTEGER PRIMARY KEY REFERENCES journal (sequence),
                payment_id   TEXT NOT NULL REFERENCES payments (id),
                kind         TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
                amount       INTEGER NOT NULL CHECK (amount > 0),
                destination  TEXT NOT NULL,
                account_code TEXT NOT NULL
            );
            CREATE INDEX reversals_account ON reversals (account_code);
            CREATE TABLE reversal_allocations (
                sequence INTEGER NOT NULL REFERENCES reversals (sequence),
                bill_id  TEXT NOT NULL,
                amount   INTEGER NOT NULL CHECK (amount > 0),
                PRIMARY KEY (sequence, bill_id)
            );

            -- Closed shifts (the Z reports); the open shift is everything after the last one.
            CREATE TABLE shifts (
                number        INTEGER PRIMARY KEY,
                sequence      INTEGER NOT NULL UNIQUE REFERENCES journal (sequence),
                last_sequence INTEGER NOT NULL,
                closed_at     TEXT NOT NULL,
                operator      TEXT NOT NULL
            );
            """),
        new(8, "staff, PINs and sessions", """
            -- The people who may work the counter or service the terminal. A PIN is kept only as a PBKDF2 hash;
            -- five wrong PINs in a row lock the person out for a while.
            CREATE TABLE staff (
                id           TEXT PRIMARY KEY,
                name         TEXT NOT NULL,
                role         TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'technician')),
                pin_hash     TEXT NOT NULL,
                failed       INTEGER NOT NULL DEFAULT 0,
                locked_until TEXT,
                active       INTEGER NOT NULL DEFAULT 1
            );

            -- Signed-in sessions, by the SHA-256 of their token (the token itself is only in the browser's cookie).
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                staff_id   TEXT NOT NULL REFERENCES staff (id),
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            );
            """),
        new(9, "payments on an external bank-card terminal", """
            -- The bank's approval code and the card's last four digits: never a card number.
            ALTER TABLE payments ADD COLUMN approval_code TEXT;
            ALTER TABLE payments ADD COLUMN card_last4 TEXT CHECK (card_last4 IS NULL OR (length(card_last4) = 4 AND card_last4 NOT GLOB '*[^0-9]*'));
            """),
        new(10, "the insurance-covered part of a bill line", """
            -- Health insurance (BHYT) pays part of a hospital line; the bill's total is what the patient owes.
            ALTER TABLE bill_lines ADD COLUMN insurance_covered INTEGER NOT NULL DEFAULT 0 CHECK (insurance_covered >= 0);
            -- Lines cached before this step lack it: the next pull is a full one (the cache is replaced, nothing
            -- unsynced is touched).
            DELETE FROM settings WHERE key = 'sync.cursor';
            """),
    ];

    /// <summary>The terminal database at <paramref name="path"/>.</summary>
    public static SqliteDatabase Open(string path) => new(path, Migrations);
}
