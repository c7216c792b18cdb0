using KioskPos.Shared.Contracts;
using System.Globalization;

namespace KioskPos.ProvinceServer.Data;

/// <summary>A payment as the province ledger holds it.</summary>
public sealed record LedgerPayment(string Id, string TerminalId, long Sequence, string InstitutionId, string AccountCode, string Method, long Amount, DateTimeOffset CreatedAt, DateTimeOffset ReceivedAt, long? BalanceAfter, string Flags,
    string State, long Received, string? TransferCode);

/// <summary>An account's ledger state.</summary>
public sealed record LedgerAccount(string Code, string InstitutionId, string Kind, long Balance, bool Blocked, long Version);

/// <summary>A line of the overview page: one institution, where it is today and its count and value of payments.</summary>
/// <param name="Id">The institution's code.</param>
/// <param name="Name">Its name.</param>
/// <param name="Type">Its type (<c>lower_secondary</c>, <c>district_health_centre</c>…; the pages show the catalogue's name).</param>
/// <param name="Province">The province it is in today (Vietnam's day); empty when never recorded.</param>
/// <param name="Commune">The commune (xã, phường) it is in today; empty when never recorded. Districts no longer exist
/// (1 July 2025): the old district is a 2022 plan's unit, read in the plan report, not here.</param>
/// <param name="Payments">Payments that kept money.</param>
/// <param name="Value">The money kept, whole đồng.</param>
/// <param name="FacilityCode">A hospital's facility code of the Ministry of Health (MA_CSKCB), which its XML imports are
/// checked against; null when none is set (<see cref="FacilityCodes"/>).</param>
public sealed record InstitutionSummary(string Id, string Name, string Type, string Province, string Commune, int Payments, long Value, string? FacilityCode = null);

/// <summary>A line of the overview page: one terminal.</summary>
public sealed record TerminalSummary(string Id, string InstitutionId, string Name, bool Revoked, long AckedThrough, DateTimeOffset? LastSeenAt,
    string? Version = null, int? Queued = null, DateTimeOffset? OldestQueuedAt = null, string? PrinterState = null, string? LastError = null, DateTimeOffset? ReportedAt = null,
    TerminalUpgrade? Upgrade = null);

/// <summary>A terminal's place in the fleet updates: its channel, the channel's target, its last upgrade attempt.</summary>
/// <param name="Channel">The channel it is on (all by default).</param>
/// <param name="TargetVersion">The version its channel wants, or null.</param>
/// <param name="LastResult">upgraded, rolled_back, refused or stopped, as its helper last reported; null: none reported.</param>
/// <param name="LastVersion">The version that attempt tried.</param>
/// <param name="LastDetail">What happened.</param>
/// <param name="LastAt">When that attempt ended.</param>
public sealed record TerminalUpgrade(string Channel, string? TargetVersion, string? LastResult, string? LastVersion, string? LastDetail, DateTimeOffset? LastAt);

/// <summary>What a receipt's lookup page shows: enough to check a receipt is genuine, with the payer's name masked.</summary>
public sealed record ReceiptLookup(
    string PaymentId, string TerminalId, string InstitutionName, string Method, long Amount, long Received, string State, DateTimeOffset CreatedAt,
    string? PayerName, string? Group, bool IsPupil, string? TransferCode, IReadOnlyList<(string Title, long Amount)> Items);

/// <summary>Read-only questions the administrator asks of the ledger.</summary>
internal sealed class AdminQueries(ProvinceDatabase database, TimeProvider time)
{
    /// <summary>
    /// The payment a receipt's QR names, when <paramref name="token"/> is the first 12 hex digits of the hash of
    /// its journal entry (which only the printed receipt carries); null otherwise, whichever part did not match.
    /// </summary>
    public async Task<ReceiptLookup?> ReceiptAsync(string paymentId, string token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.ReadFirstAsync<ReceiptRow>(
            """
            SELECT p.id AS payment_id, p.terminal_id, i.name AS institution_name, p.method, p.amount, p.received, p.state, p.created_at,
                   a.full_name AS payer_name, a.group_name, a.kind AS account_kind, p.transfer_code, j.hash AS entry_hash
            FROM payments p
            JOIN journal_entries j ON j.terminal_id = p.terminal_id AND j.sequence = p.sequence
            JOIN institutions i ON i.id = p.institution_id
            LEFT JOIN accounts a ON a.code = p.account_code
            WHERE p.id = $id
            """,
            null, cancellationToken, ("$id", paymentId)).ConfigureAwait(false);
        if (row is null ||
            row.EntryHash is not { Length: >= 12 } hash ||
            !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(hash[..12].ToLowerInvariant()), System.Text.Encoding.ASCII.GetBytes(token)))
        {
            return null;
        }

        var items = await connection.ReadAllAsync<ReceiptItemRow>(
            "SELECT COALESCE(b.title, pa.bill_id) AS title, pa.amount FROM payment_allocations pa LEFT JOIN bills b ON b.id = pa.bill_id WHERE pa.payment_id = $id ORDER BY pa.rowid",
            null, cancellationToken, ("$id", paymentId)).ConfigureAwait(false);
        return new ReceiptLookup(
            row.PaymentId, row.TerminalId, row.InstitutionName, row.Method, row.Amount, row.Received, row.State,
            DateTimeOffset.Parse(row.CreatedAt, CultureInfo.InvariantCulture), row.PayerName, row.GroupName,
            row.AccountKind != "patient", row.TransferCode, items.ConvertAll(i => (i.Title, i.Amount)));
    }

    public async Task<IReadOnlyList<LedgerPayment>> PaymentsAsync(string? terminalId, string? accountCode, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<PaymentRow>(
            """
            SELECT id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, balance_after, flags, state, received, transfer_code FROM payments
            WHERE (CAST($t AS TEXT) IS NULL OR terminal_id = $t) AND (CAST($a AS TEXT) IS NULL OR account_code = $a)
            ORDER BY received_at DESC, id DESC LIMIT $n
            """,
            null, cancellationToken, ("$t", terminalId), ("$a", accountCode), ("$n", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);
        return rows.ConvertAll(p => new LedgerPayment(p.Id, p.TerminalId, p.Sequence, p.InstitutionId, p.AccountCode, p.Method, p.Amount,
            DateTimeOffset.Parse(p.CreatedAt, CultureInfo.InvariantCulture), DateTimeOffset.Parse(p.ReceivedAt, CultureInfo.InvariantCulture),
            p.BalanceAfter, p.Flags, p.State, p.Received, p.TransferCode));
    }

    public async Task<LedgerAccount?> AccountAsync(string code, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.ReadFirstAsync<AccountRow>("SELECT code, institution_id, kind, balance, blocked, version FROM accounts WHERE code = $c", null, cancellationToken, ("$c", code)).ConfigureAwait(false);
        return row is null ? null : new LedgerAccount(row.Code, row.InstitutionId, row.Kind, row.Balance, row.Blocked != 0, row.Version);
    }

    /// <summary>
    /// Registers an institution or changes its name, type, district or commune, and its facility code when
    /// <paramref name="facilityCode"/> is given (empty clears it; null leaves it as it is). Nothing is saved when another
    /// institution holds that code: <c>TakenBy</c> names it. <c>Created</c> is true when the institution is new.
    /// </summary>
    public async Task<(bool Created, string? TakenBy)> SaveInstitutionAsync(string id, string name, string type, string district, string? commune, string? facilityCode,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (facilityCode is { Length: > 0 } && await FacilityCodes.HolderAsync(connection, transaction, facilityCode, id, cancellationToken).ConfigureAwait(false) is { } holder)
        {
            return (false, holder);
        }

        var known = await connection.ScalarAsync("SELECT 1 FROM institutions WHERE id = $id", transaction, cancellationToken, ("$id", id)).ConfigureAwait(false) is not null;
        await connection.ExecuteAsync(
            """
            INSERT INTO institutions (id, name, type, district, commune, facility_code) VALUES ($id, $n, $t, $d, $c, $f)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, district = excluded.district, commune = excluded.commune,
                facility_code = CASE WHEN $keep = 1 THEN institutions.facility_code ELSE excluded.facility_code END
            """,
            transaction, cancellationToken, ("$id", id), ("$n", name), ("$t", type), ("$d", district), ("$c", commune),
            ("$f", facilityCode is { Length: > 0 } ? facilityCode : null), ("$keep", facilityCode is null ? 1 : 0)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (!known, null);
    }

    /// <summary>
    /// Sets institution <paramref name="id"/>'s facility code (null clears it). <c>Found</c> is false for no such
    /// institution; nothing changes when another institution holds the code (<c>TakenBy</c>).
    /// </summary>
    public async Task<(bool Found, string? TakenBy)> SetFacilityCodeAsync(string id, string? facilityCode, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (facilityCode is not null && await FacilityCodes.HolderAsync(connection, transaction, facilityCode, id, cancellationToken).ConfigureAwait(false) is { } holder)
        {
            return (true, holder);
        }

        var changed = await connection.ExecuteAsync("UPDATE institutions SET facility_code = $f WHERE id = $id", transaction, cancellationToken, ("$f", facilityCode), ("$id", id)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (changed == 1, null);
    }

    public async Task<IReadOnlyList<InstitutionSummary>> InstitutionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<InstitutionRow>(
            """
            SELECT i.id, i.name, i.type, i.facility_code, COALESCE(MAX(here.province), '') AS province, COALESCE(MAX(here.commune), '') AS commune,
                   COUNT(p.id) AS payments, COALESCE(SUM(p.kept), 0) AS value
            FROM institutions i
            -- Where it is today: the place that began on or before today (a move may be recorded ahead), else its first.
            LEFT JOIN institution_places here ON here.institution_id = i.id AND here.valid_from = COALESCE(
                (SELECT MAX(valid_from) FROM institution_places w WHERE w.institution_id = i.id AND w.valid_from <= $today),
                (SELECT MIN(valid_from) FROM institution_places w WHERE w.institution_id = i.id))
            LEFT JOIN (
                -- Money the institution kept: card payments, transfers as far as the bank confirmed them, less what
                -- was voided or refunded; a QR never paid is no payment.
                SELECT institution_id, id, MAX(0, CASE WHEN method = 'vietqr' THEN MIN(received, amount) ELSE amount END - reversed) AS kept
                FROM payments) p ON p.institution_id = i.id AND p.kept > 0
            GROUP BY i.id, i.name, i.type, i.facility_code ORDER BY i.name
            """,
            null, cancellationToken, ("$today", LocalDay.Today(time).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        return rows.ConvertAll(i => new InstitutionSummary(i.Id, i.Name, i.Type, i.Province, i.Commune, (int)i.Payments, i.Value, i.FacilityCode));
    }

    public async Task<IReadOnlyList<TerminalSummary>> TerminalsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<TerminalRow>(
            """
            SELECT t.id, t.institution_id, t.name, t.revoked, t.acked_through, t.last_seen_at, t.version, t.queued, t.oldest_queued_at, t.printer_state, t.last_error, t.reported_at,
                t.update_channel, c.target_version, t.upgrade_result, t.upgrade_version, t.upgrade_detail, t.upgrade_at
            FROM terminals t LEFT JOIN update_channels c ON c.name = t.update_channel ORDER BY t.id
            """,
            null, cancellationToken).ConfigureAwait(false);
        static DateTimeOffset? Time(string? s) => s is null ? null : DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);
        return rows.ConvertAll(t => new TerminalSummary(t.Id, t.InstitutionId, t.Name, t.Revoked != 0, t.AckedThrough, Time(t.LastSeenAt), t.Version,
            t.Queued is { } queued ? (int)queued : null, Time(t.OldestQueuedAt), t.PrinterState, t.LastError, Time(t.ReportedAt),
            new TerminalUpgrade(t.UpdateChannel, t.TargetVersion, t.UpgradeResult, t.UpgradeVersion, t.UpgradeDetail, Time(t.UpgradeAt))));
    }

    /// <summary>Keeps a terminal's latest report for the inventory.</summary>
    public async Task RecordReportAsync(string terminalId, TerminalReportDto report, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "UPDATE terminals SET version = $v, queued = $q, oldest_queued_at = $o, printer_state = $p, last_error = $e, reported_at = $at WHERE id = $id",
            null, cancellationToken, ("$v", report.Version), ("$q", report.Queued), ("$o", report.OldestQueuedAt?.ToString("O", CultureInfo.InvariantCulture)),
            ("$p", report.PrinterState), ("$e", report.LastError), ("$at", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)), ("$id", terminalId)).ConfigureAwait(false);
        if (report.Upgrade is { } upgrade)
        {
            await connection.ExecuteAsync(
                "UPDATE terminals SET upgrade_result = $r, upgrade_version = $v, upgrade_detail = $d, upgrade_at = $at WHERE id = $id",
                null, cancellationToken, ("$r", upgrade.Result), ("$v", upgrade.Version), ("$d", upgrade.Detail),
                ("$at", upgrade.At.ToString("O", CultureInfo.InvariantCulture)), ("$id", terminalId)).ConfigureAwait(false);
        }
    }

    /// <summary>A payment with what its receipt shows and the hash of its journal entry (no account when it names an unknown one).</summary>
    private sealed record ReceiptRow
    {
        public required string PaymentId { get; init; }

        public required string TerminalId { get; init; }

        public required string InstitutionName { get; init; }

        public required string Method { get; init; }

        public long Amount { get; init; }

        public long Received { get; init; }

        public required string State { get; init; }

        public required string CreatedAt { get; init; }

        public string? PayerName { get; init; }

        public string? GroupName { get; init; }

        public string? AccountKind { get; init; }

        public string? TransferCode { get; init; }

        public string? EntryHash { get; init; }
    }

    private sealed record ReceiptItemRow
    {
        public required string Title { get; init; }

        public long Amount { get; init; }
    }

    private sealed record PaymentRow
    {
        public required string Id { get; init; }

        public required string TerminalId { get; init; }

        public long Sequence { get; init; }

        public required string InstitutionId { get; init; }

        public required string AccountCode { get; init; }

        public required string Method { get; init; }

        public long Amount { get; init; }

        public required string CreatedAt { get; init; }

        public required string ReceivedAt { get; init; }

        public long? BalanceAfter { get; init; }

        public required string Flags { get; init; }

        public required string State { get; init; }

        public long Received { get; init; }

        public string? TransferCode { get; init; }
    }

    private sealed record AccountRow
    {
        public required string Code { get; init; }

        public required string InstitutionId { get; init; }

        public required string Kind { get; init; }

        public long Balance { get; init; }

        public long Blocked { get; init; }

        public long Version { get; init; }
    }

    private sealed record TerminalRow
    {
        public required string Id { get; init; }

        public required string InstitutionId { get; init; }

        public required string Name { get; init; }

        public long Revoked { get; init; }

        public long AckedThrough { get; init; }

        public string? LastSeenAt { get; init; }

        public string? Version { get; init; }

        public long? Queued { get; init; }

        public string? OldestQueuedAt { get; init; }

        public string? PrinterState { get; init; }

        public string? LastError { get; init; }

        public string? ReportedAt { get; init; }

        public string UpdateChannel { get; init; } = "all";

        public string? TargetVersion { get; init; }

        public string? UpgradeResult { get; init; }

        public string? UpgradeVersion { get; init; }

        public string? UpgradeDetail { get; init; }

        public string? UpgradeAt { get; init; }
    }

    private sealed record InstitutionRow
    {
        public required string Id { get; init; }

        public required string Name { get; init; }

        public required string Type { get; init; }

        public required string Province { get; init; }

        public required string Commune { get; init; }

        public string? FacilityCode { get; init; }

        public long Payments { get; init; }

        public long Value { get; init; }
    }
}
