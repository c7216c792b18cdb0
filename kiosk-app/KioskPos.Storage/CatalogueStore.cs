using System.Globalization;
using Dapper;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Payments;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>
/// The terminal's cache of its institution, payer accounts and bills, as pulled from the province server, seen
/// through this terminal's own payments that the server has not acknowledged yet.
/// </summary>
public sealed class CatalogueStore(SqliteDatabase database)
{
    /// <summary>The setting holding the terminal's province-wide tag (the part of its transfer codes that names it).</summary>
    public const string QrTagKey = "vietqr.terminal_tag";

    /// <summary>The settings key of the province's large-transfer amount (the kiosk's notice above it).</summary>
    public const string LargeTransferKey = "access.large_transfer_above";

    /// <summary>The settings key of the province's citizen-ID hash key (hex), as the last pull gave it.</summary>
    public const string CitizenIdKeyKey = "identity.citizen_id_key";

    /// <summary>The setting holding the payment service whose QR the terminal asks the province for (<c>payos</c>); absent: none, the terminal's own QR.</summary>
    public const string PaymentServiceKey = "vietqr.payment_service";

    /// <summary>The institution this terminal serves, once a pull has brought it.</summary>
    public async Task<Institution?> GetInstitutionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadInstitutionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The account of a card (<paramref name="uid"/>) or else of a payer code (<paramref name="code"/>), or what to answer
    /// when the cache has none: <paramref name="unknown"/> once a pull has filled it, and "not ready, try again" before
    /// its first one (nobody is known yet, so "not recognised" would be wrong). The lookup and the "ever filled" check
    /// read one snapshot: a first pull committing between two separate reads made a known card look unknown (the crash
    /// test's 404 card_not_recognised for the demo card while the terminal was taking its first pull).
    /// </summary>
    public async Task<(PayerAccount? Account, PaymentRefusal? Refusal)> LookUpAsync(string? uid, string? code, PaymentRefusal unknown, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        if (await FindAccountAsync(connection, snapshot, uid, uid is null ? code : null, cancellationToken).ConfigureAwait(false) is { } account)
        {
            return (account, null);
        }

        return (null, await ReadInstitutionAsync(connection, snapshot, cancellationToken).ConfigureAwait(false) is null ? PaymentRefusal.NotReady() : unknown);
    }

    /// <summary>As <see cref="LookUpAsync"/>, the refusal thrown as a <see cref="PaymentRefusedException"/>.</summary>
    public async Task<PayerAccount> FindOrRefuseAsync(string? uid, string? code, PaymentRefusal unknown, CancellationToken cancellationToken = default)
    {
        var (account, refusal) = await LookUpAsync(uid, code, unknown, cancellationToken).ConfigureAwait(false);
        return account ?? throw new PaymentRefusedException(refusal!);
    }

    /// <summary>
    /// What to answer when a write (a card issued, lost, replaced) found no such card or account: <paramref name="refusal"/> once the cache has
    /// been filled by a pull, and "not ready, try again" before its first one (nobody is known yet, so "not
    /// recognised" would be wrong). Refusals other than "not found" pass unchanged.
    /// </summary>
    public async Task<PaymentRefusal> UnknownAsync(PaymentRefusal refusal, CancellationToken cancellationToken = default) =>
        refusal.Kind == RefusalKind.NotFound && await GetInstitutionAsync(cancellationToken).ConfigureAwait(false) is null
            ? PaymentRefusal.NotReady()
            : refusal;

    /// <summary>The account a card belongs to, or null for an unknown card.</summary>
    public async Task<PayerAccount?> FindByCardAsync(string normalisedUid, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await FindAccountAsync(connection, null, normalisedUid, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Payers whose name holds every word of <paramref name="query"/>, with or without diacritics ("nguyen anh" finds
    /// Nguyễn Minh Anh), at most <paramref name="limit"/>, by name. For the counter: a cashier who has no card or code.
    /// </summary>
    public async Task<IReadOnlyList<(string Code, string Name, string? Group)>> SearchByNameAsync(string query, int limit = 10, CancellationToken cancellationToken = default)
    {
        var words = Core.VietQr.AsciiText.Fold(query).ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return [];
        }

        // The terminal's cache is one institution's payers (thousands at most): folding them here is simpler than
        // keeping a folded copy in the table, and fast enough.
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var found = new List<(string, string, string?)>();
        await foreach (var payer in connection.QueryUnbufferedAsync<PayerNameRow>("SELECT code, full_name, group_name FROM accounts ORDER BY full_name").WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (found.Count >= limit)
            {
                break;
            }

            var folded = Core.VietQr.AsciiText.Fold(payer.FullName).ToUpperInvariant().Split(' ');
            if (words.All(w => folded.Any(f => f.StartsWith(w, StringComparison.Ordinal))))
            {
                found.Add((payer.Code, payer.FullName, payer.GroupName));
            }
        }

        return found;
    }

    /// <summary>The account with a payer code, or null.</summary>
    public async Task<PayerAccount?> FindByCodeAsync(string normalisedCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await FindAccountAsync(connection, null, null, normalisedCode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The payer whose citizen-ID number this is, by its keyed hash: found, not found, or not known yet (no key from the
    /// province). The number is hashed in memory and never written.
    /// </summary>
    public async Task<(bool HasKey, PayerAccount? Account)> FindByCitizenIdAsync(string number, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var key = KioskPos.Core.Identity.CitizenIdHash.ParseKey(await SettingsStore.GetAsync(connection, null, CitizenIdKeyKey, cancellationToken).ConfigureAwait(false));
        if (key is null)
        {
            return (false, null);
        }

        var hash = KioskPos.Core.Identity.CitizenIdHash.Compute(key, number);
        var code = await connection.ScalarAsync("SELECT code FROM accounts WHERE citizen_id_hash = $h", null, cancellationToken, ("$h", hash)).ConfigureAwait(false) as string;
        return (true, code is null ? null : await FindAccountAsync(connection, null, null, code, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The payer's bills with what is still owed after this terminal's unsynced payments, oldest due first.</summary>
    public async Task<IReadOnlyList<Bill>> GetBillsAsync(string accountCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadBillsAsync(connection, null, accountCode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The card balance this terminal may spend: the server's balance less this terminal's unsynced debits, plus its unsynced credits (voids, refunds to the card).</summary>
    public async Task<Vnd> GetAvailableBalanceAsync(string accountCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var account = await FindAccountAsync(connection, null, null, accountCode, cancellationToken).ConfigureAwait(false);
        return account is null ? Vnd.Zero : account.Balance - await UnsyncedDebitsAsync(connection, null, accountCode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many accounts and bills the cache holds.</summary>
    public async Task<(int Accounts, int Bills)> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var accounts = Convert.ToInt32(await connection.ScalarAsync("SELECT COUNT(*) FROM accounts", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var bills = Convert.ToInt32(await connection.ScalarAsync("SELECT COUNT(*) FROM bills", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        return (accounts, bills);
    }

    /// <summary>The setting that holds when the cache of payers was last replaced by a full pull.</summary>
    public const string LastFullPullKey = "catalogue.last_full_pull";

    /// <summary>
    /// The setting that asks the next sync round to pull in full (set by the retention job). A flag rather than a
    /// cleared cursor: a pull already in flight writes its cursor back when it ends and would undo the clearing.
    /// Applying a full pull removes it in the same transaction.
    /// </summary>
    public const string FullPullWantedKey = "catalogue.full_pull_wanted";

    /// <summary>
    /// The mark to take just before asking the province for a page of a pull, and to give back with the page to
    /// <see cref="ApplyPullAsync(PullResponse, long, CancellationToken)"/>: the journal's last entry now. A confirmation
    /// journalled at or below it was at the province before the page was asked (the province sends a confirmation once
    /// its credit is committed), so the page's bills hold what it credited.
    /// </summary>
    public async Task<long> PullMarkAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(await connection.ScalarAsync("SELECT COALESCE(MAX(sequence), 0) FROM journal", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Applies one page of a pull in one transaction, not knowing when it was asked: the confirmed VietQR credits stay
    /// counted (as for a page that may predate them). The sync worker gives the page's <see cref="PullMarkAsync"/>.
    /// </summary>
    public Task ApplyPullAsync(PullResponse pull, CancellationToken cancellationToken = default) => ApplyPullAsync(pull, 0, cancellationToken);

    /// <summary>
    /// Applies one page of a pull in one transaction. A full resync replaces the cache; otherwise rows merge and a
    /// row never goes back to an older server version. <paramref name="askedAfter"/> is the <see cref="PullMarkAsync"/>
    /// taken before the page was asked: the confirmed VietQR credits journalled at or below it leave the count.
    /// </summary>
    public async Task ApplyPullAsync(PullResponse pull, long askedAfter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pull);
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        if (pull.Full)
        {
            foreach (var table in new[] { "bill_lines", "bills", "account_cards", "accounts", "institution" })
            {
                await connection.ExecuteAsync($"DELETE FROM {table}", transaction, cancellationToken).ConfigureAwait(false);
            }

            // The payers' cache is as fresh as this: the retention job asks for the next full pull from here.
            await SettingsStore.SetAsync(connection, transaction, LastFullPullKey, pull.ServerTime.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync("DELETE FROM settings WHERE key = $k", transaction, cancellationToken, ("$k", FullPullWantedKey)).ConfigureAwait(false);
        }

        var i = pull.Institution;
        await connection.ExecuteAsync(
            """
            INSERT INTO institution (id, name, type, district, bank_bin, bank_account, bank_account_name, bank_name) VALUES ($id, $n, $t, $d, $bb, $ba, $bn, $bk)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, district = excluded.district, bank_bin = excluded.bank_bin,
                bank_account = excluded.bank_account, bank_account_name = excluded.bank_account_name, bank_name = excluded.bank_name
            """,
            transaction, cancellationToken, ("$id", i.Id), ("$n", i.Name), ("$t", i.Type), ("$d", i.District),
            ("$bb", i.BankBin), ("$ba", i.BankAccount), ("$bn", i.BankAccountName), ("$bk", i.BankName)).ConfigureAwait(false);
        if (pull.QrTag is { } tag)
        {
            await SettingsStore.SetAsync(connection, transaction, QrTagKey, tag.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }

        if (pull.LargeTransferAbove is { } above && above > 0)
        {
            await SettingsStore.SetAsync(connection, transaction, LargeTransferKey, above.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }

        // Every pull says it (null: the institution has no payment service now), so a removed connection stops the asking.
        if (pull.PaymentService is { Length: > 0 and <= 32 } service)
        {
            await SettingsStore.SetAsync(connection, transaction, PaymentServiceKey, service, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await connection.ExecuteAsync("DELETE FROM settings WHERE key = $k", transaction, cancellationToken, ("$k", PaymentServiceKey)).ConfigureAwait(false);
        }

        if (KioskPos.Core.Identity.CitizenIdHash.ParseKey(pull.CitizenIdKey) is not null)
        {
            await SettingsStore.SetAsync(connection, transaction, CitizenIdKeyKey, pull.CitizenIdKey!, cancellationToken).ConfigureAwait(false);
        }

        await connection.ExecuteAsync("DELETE FROM institution WHERE id <> $id", transaction, cancellationToken, ("$id", i.Id)).ConfigureAwait(false);

        foreach (var a in pull.Accounts)
        {
            var changed = await connection.ExecuteAsync(
                """
                INSERT INTO accounts (code, kind, full_name, group_name, balance, blocked, version, citizen_id_hash) VALUES ($c, $k, $n, $g, $b, $x, $v, $h)
                ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, full_name = excluded.full_name, group_name = excluded.group_name,
                    balance = excluded.balance, blocked = excluded.blocked, version = excluded.version, citizen_id_hash = excluded.citizen_id_hash
                WHERE excluded.version > accounts.version
                """,
                transaction, cancellationToken, ("$c", a.Code), ("$k", a.Kind), ("$n", a.FullName), ("$g", a.Group), ("$b", a.Balance), ("$x", a.Blocked ? 1 : 0), ("$v", a.Version),
                ("$h", a.CitizenIdHash)).ConfigureAwait(false);
            if (changed == 0)
            {
                continue;
            }

            await connection.ExecuteAsync("DELETE FROM account_cards WHERE account_code = $c", transaction, cancellationToken, ("$c", a.Code)).ConfigureAwait(false);
            foreach (var uid in a.CardUids)
            {
                // A card moved to another payer: the newest row wins.
                await connection.ExecuteAsync(
                    "INSERT INTO account_cards (uid, account_code, denied) VALUES ($u, $c, $d) ON CONFLICT (uid) DO UPDATE SET account_code = excluded.account_code, denied = excluded.denied",
                    transaction, cancellationToken, ("$u", uid), ("$c", a.Code), ("$d", a.DeniedCardUids?.Contains(uid) == true ? 1 : 0)).ConfigureAwait(false);
            }
        }

        // A card changed here and not yet at the province: the pull may predate it, so it stands over the pull.
        await CardStore.ReapplyPendingAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

        foreach (var b in pull.Bills)
        {
            var changed = await connection.ExecuteAsync(
                """
                INSERT INTO bills (id, account_code, category, title, due_date, total, paid, version) VALUES ($id, $a, $c, $t, $d, $tot, $p, $v)
                ON CONFLICT (id) DO UPDATE SET account_code = excluded.account_code, category = excluded.category, title = excluded.title,
                    due_date = excluded.due_date, total = excluded.total, paid = excluded.paid, version = excluded.version
                WHERE excluded.version > bills.version
                """,
                transaction, cancellationToken, ("$id", b.Id), ("$a", b.AccountCode), ("$c", b.Category), ("$t", b.Title),
                ("$d", b.DueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$tot", b.Total), ("$p", b.Paid), ("$v", b.Version)).ConfigureAwait(false);
            if (changed == 0)
            {
                continue;
            }

            await connection.ExecuteAsync("DELETE FROM bill_lines WHERE bill_id = $id", transaction, cancellationToken, ("$id", b.Id)).ConfigureAwait(false);
            for (var n = 0; n < b.Lines.Count; n++)
            {
                var line = b.Lines[n];
                await connection.ExecuteAsync(
                    "INSERT INTO bill_lines (bill_id, line_no, description, quantity, unit_price, amount, insurance_covered) VALUES ($id, $n, $d, $q, $u, $a, $ins)",
                    transaction, cancellationToken, ("$id", b.Id), ("$n", n + 1), ("$d", line.Description), ("$q", line.Quantity), ("$u", line.UnitPrice), ("$a", line.Amount),
                    ("$ins", line.InsuranceCovered)).ConfigureAwait(false);
            }
        }

        await ForgetCreditsAsync(connection, transaction, pull, askedAfter, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // A confirmed VietQR credit (PaymentStore.RecordCreditsAsync) is counted on top of the cached bill until the cache
    // is known to hold it. The confirmation carries no bill version, so the order the terminal saw is what tells: the
    // province commits the credit (the bill's paid and a new version) before it sends the confirmation, so a page asked
    // after the confirmation was journalled here reads the bill with it. Such a page's bills hold the credit; once the
    // last page of a pull asked after it is in, so does every bill (the cursor has passed the credit's version, and the
    // cache never goes back to an older one). A page asked before it may be an older snapshot: nothing is forgotten, so a
    // bill it brings does not look owed again. Not the bill's cached version at the confirmation: another change at the
    // province between that version and the credit (a part paid at another terminal) comes in a newer version without it.
    // What is left: a page asked before the confirmation but read after the credit brings the bill with it, and it is
    // counted twice until the next pull (the confirmation asks for one at once; ReadBillsAsync counts no more than the
    // bill still owes, so a bill paid in full reads paid, not more).
    private static async Task ForgetCreditsAsync(SqliteConnection connection, SqliteTransaction transaction, PullResponse pull, long askedAfter, CancellationToken cancellationToken)
    {
        // Most pulls find no credit to forget: one look, not a statement per bill of every page of a full pull.
        if (askedAfter <= 0 || await connection.ScalarAsync("SELECT 1 FROM confirmed_credits WHERE sequence <= $m LIMIT 1", transaction, cancellationToken, ("$m", askedAfter)).ConfigureAwait(false) is null)
        {
            return;
        }

        if (!pull.HasMore)
        {
            await connection.ExecuteAsync("DELETE FROM confirmed_credits WHERE sequence <= $m", transaction, cancellationToken, ("$m", askedAfter)).ConfigureAwait(false);
            return;
        }

        foreach (var b in pull.Bills)
        {
            await connection.ExecuteAsync("DELETE FROM confirmed_credits WHERE sequence <= $m AND bill_id = $b", transaction, cancellationToken, ("$m", askedAfter), ("$b", b.Id)).ConfigureAwait(false);
        }
    }

    internal static async Task<Institution?> ReadInstitutionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var row = await connection.QuerySingleOrDefaultAsync<InstitutionRow>(
            "SELECT id, name, type, district, bank_bin, bank_account, bank_account_name, bank_name FROM institution LIMIT 1", transaction: transaction).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var type = InstitutionTypes.TryParseWireName(row.Type, out var t) ? t : InstitutionType.LowerSecondary;
        var account = row is { BankBin: { } bin, BankAccount: { } number }
            ? new ReceivingAccount(bin, number, row.BankAccountName ?? string.Empty, row.BankName)
            : null;
        return new Institution(row.Id, row.Name, type, row.District, account);
    }

    internal static async Task<PayerAccount?> FindAccountAsync(SqliteConnection connection, SqliteTransaction? transaction, string? uid, string? code, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var row = uid is not null
            ? await connection.QuerySingleOrDefaultAsync<AccountRow>(
                "SELECT a.code, a.kind, a.full_name, a.group_name, a.balance, a.blocked FROM account_cards c JOIN accounts a ON a.code = c.account_code WHERE c.uid = $k",
                new { k = uid }, transaction).ConfigureAwait(false)
            : await connection.QuerySingleOrDefaultAsync<AccountRow>(
                "SELECT a.code, a.kind, a.full_name, a.group_name, a.balance, a.blocked FROM accounts a WHERE a.code = $k",
                new { k = code }, transaction).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var cards = (await connection.QueryAsync<CardRow>(
            "SELECT uid, denied FROM account_cards WHERE account_code = $c ORDER BY uid", new { c = row.Code }, transaction).ConfigureAwait(false)).ToList();
        return new PayerAccount(row.Code, StoredNames.ToPayerKind(row.Kind), row.FullName, row.GroupName, new Vnd(row.Balance), row.Blocked != 0,
            cards.Select(c => c.Uid).ToList(), cards.Where(c => c.Denied != 0).Select(c => c.Uid).ToList());
    }

    /// <summary>
    /// This terminal's card-balance debits the province has not had yet, less its credits back to the card. Read from
    /// the unsent outbox rows outwards (<c>CROSS JOIN</c> keeps SQLite on that order): they are a handful, while an
    /// account's payments only grow, and starting from those made every payment slower than the one before it. A
    /// deposit refunded by transfer is a debit too: the province takes it off the balance the deposit sits on.
    /// </summary>
    internal static async Task<Vnd> UnsyncedDebitsAsync(SqliteConnection connection, SqliteTransaction? transaction, string accountCode, CancellationToken cancellationToken)
    {
        var value = await connection.ScalarAsync(
            $"""
            SELECT COALESCE((SELECT SUM(p.amount) FROM outbox o CROSS JOIN payments p ON p.sequence = o.sequence
                             WHERE o.state IN {OutboxStore.UnsentStates} AND p.account_code = $c AND p.method = 'card_balance'), 0)
                 - COALESCE((SELECT SUM(r.amount) FROM outbox o CROSS JOIN reversals r ON r.sequence = o.sequence
                             WHERE o.state IN {OutboxStore.UnsentStates} AND r.account_code = $c AND r.destination = 'card_balance'), 0)
                 + COALESCE((SELECT SUM(ra.amount) FROM outbox o CROSS JOIN reversals r ON r.sequence = o.sequence
                             JOIN reversal_allocations ra ON ra.sequence = r.sequence JOIN bills b ON b.id = ra.bill_id
                             WHERE o.state IN {OutboxStore.UnsentStates} AND r.account_code = $c AND r.destination = 'bank_transfer' AND b.category = 'tam_ung'), 0)
            """,
            transaction, cancellationToken, ("$c", accountCode)).ConfigureAwait(false);
        return new Vnd(Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }

    internal static async Task<IReadOnlyList<Bill>> ReadBillsAsync(SqliteConnection connection, SqliteTransaction? transaction, string accountCode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var lines = new Dictionary<string, List<BillLine>>(StringComparer.Ordinal);
        var lineRows = await connection.QueryAsync<BillLineRow>(
            "SELECT l.bill_id, l.description, l.quantity, l.unit_price, l.insurance_covered FROM bill_lines l JOIN bills b ON b.id = l.bill_id WHERE b.account_code = $c ORDER BY l.bill_id, l.line_no",
            new { c = accountCode }, transaction).ConfigureAwait(false);
        foreach (var line in lineRows)
        {
            if (!lines.TryGetValue(line.BillId, out var list))
            {
                lines[line.BillId] = list = [];
            }

            list.Add(new BillLine(line.Description, checked((int)line.Quantity), new Vnd(line.UnitPrice), new Vnd(line.InsuranceCovered)));
        }

        // What this terminal took and the province has not had yet, read from the unsent outbox rows outwards (see
        // UnsyncedDebitsAsync): a bill paid in many parts made every later payment slower. A VietQR payment pays
        // nothing until the bank confirms it; then what each confirmation credited counts until a pull has brought the
        // bill with it (ForgetCreditsAsync), never more than the cached bill still owes, as the province credits it.
        var rows = await connection.QueryAsync<BillRow>(
            $"""
            SELECT b.id, b.account_code, b.category, b.title, b.due_date, b.total,
                   b.paid + MIN(COALESCE((SELECT SUM(cc.amount) FROM confirmed_credits cc WHERE cc.bill_id = b.id), 0), MAX(0, b.total - b.paid))
                   + COALESCE((SELECT SUM(pa.amount) FROM outbox o
                                      CROSS JOIN payments p ON p.sequence = o.sequence
                                      CROSS JOIN payment_allocations pa ON pa.payment_id = p.id
                                      WHERE o.state IN {OutboxStore.UnsentStates} AND pa.bill_id = b.id AND p.method <> 'vietqr'), 0)
                   - COALESCE((SELECT SUM(ra.amount) FROM outbox o
                               CROSS JOIN reversal_allocations ra ON ra.sequence = o.sequence
                               WHERE o.state IN {OutboxStore.UnsentStates} AND ra.bill_id = b.id), 0) AS paid
            FROM bills b WHERE b.account_code = $c
            ORDER BY b.due_date IS NULL, b.due_date, b.id
            """,
            new { c = accountCode }, transaction).ConfigureAwait(false);
        return rows.Select(b => new Bill(
                b.Id,
                b.AccountCode,
                BillCategories.FromWireName(b.Category),
                b.Title,
                b.DueDate is { } d ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
                lines.TryGetValue(b.Id, out var l) ? l : [],
                new Vnd(b.Total),
                new Vnd(b.Paid)))
            .ToList();
    }
}

/// <summary>A payer found by name.</summary>
internal sealed record PayerNameRow(string Code, string FullName, string? GroupName);

/// <summary>The <c>institution</c> row.</summary>
internal sealed record InstitutionRow(string Id, string Name, string Type, string District, string? BankBin, string? BankAccount, string? BankAccountName, string? BankName);

/// <summary>An <c>accounts</c> row.</summary>
internal sealed record AccountRow(string Code, string Kind, string FullName, string? GroupName, long Balance, long Blocked);

/// <summary>An <c>account_cards</c> row.</summary>
internal sealed record CardRow(string Uid, long Denied);

/// <summary>A <c>bill_lines</c> row.</summary>
internal sealed record BillLineRow(string BillId, string Description, long Quantity, long UnitPrice, long InsuranceCovered);

/// <summary>A <c>bills</c> row, paid counting this terminal's unsynced payments and reversals and the confirmed VietQR credits a pull has not brought yet.</summary>
internal sealed record BillRow(string Id, string AccountCode, string Category, string Title, string? DueDate, long Total, long Paid);
