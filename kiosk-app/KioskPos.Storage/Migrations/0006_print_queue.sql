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