using System.Globalization;
using System.Text.Json;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.EInvoices;

/// <summary>An institution's e-document settings as stored (with the credentials: for the issuer only).</summary>
internal sealed record EDocumentSettingsRow
{
    public required string InstitutionId { get; init; }

    public required string DocumentKind { get; init; }

    public required string Provider { get; init; }

    public required string BaseUrl { get; init; }

    public required string TemplateCode { get; init; }

    public required string Series { get; init; }

    public required string SellerTaxCode { get; init; }

    public required string SellerName { get; init; }

    public required string Username { get; init; }

    public required string Secret { get; init; }

    public string? AccountId { get; init; }

    public required string UpdatedAt { get; init; }

    public override string ToString() => $"{InstitutionId}: {Provider} {TemplateCode} {Series}"; // never the credentials
}

/// <summary>An outbox row.</summary>
internal sealed record EDocumentRow
{
    public required string Id { get; init; }

    public required string PaymentId { get; init; }

    public required string InstitutionId { get; init; }

    public required string Purpose { get; init; }

    public long Amount { get; init; }

    public required string Day { get; init; }

    public required string State { get; init; }

    public long Attempts { get; init; }

    public string? NextAttemptAt { get; init; }

    public string? Provider { get; init; }

    public string? IdempotencyKey { get; init; }

    public string? DocumentKind { get; init; }

    public string? TemplateCode { get; init; }

    public string? Series { get; init; }

    public string? DocumentNumber { get; init; }

    public string? LookupCode { get; init; }

    public string? IssuedOn { get; init; }

    public string? Reason { get; init; }

    /// <summary>A company payer's tax code, as given on the receipt's lookup page (kept on the original row).</summary>
    public string? BuyerTaxCode { get; init; }

    /// <summary>That company's name.</summary>
    public string? BuyerName { get; init; }

    /// <summary>That company's address, one line, when given (migration 0035).</summary>
    public string? BuyerAddress { get; init; }

    /// <summary>The tracking code of a create the provider accepted and may still be making (SePay), polled by later attempts.</summary>
    public string? TrackingCode { get; init; }

    /// <summary>For an adjustment: the number of the document it adjusts, once that one is issued (read by the worklist).</summary>
    public string? AdjustsNumber { get; init; }

    public required string CreatedAt { get; init; }

    public required string UpdatedAt { get; init; }
}

/// <summary>
/// The e-documents' storage: each institution's settings, and the issuance outbox the payments' and reversals'
/// triggers fill (migration 0017). Rules (what is due, what a row becomes) are the issuer's.
/// </summary>
internal sealed class EDocumentStore(ProvinceDatabase database)
{
    private const string Columns = "id, payment_id, institution_id, purpose, amount, day, state, attempts, next_attempt_at, provider, idempotency_key, document_kind, template_code, series, document_number, lookup_code, issued_on, reason, buyer_tax_code, buyer_name, buyer_address, tracking_code, created_at, updated_at";

    // An adjustment's link to the document it adjusts: the original row's id is the payment's.
    private const string Linked = Columns + ", CASE WHEN purpose = 'adjustment' THEN (SELECT o.document_number FROM edocuments o WHERE o.id = edocuments.payment_id) END AS adjusts_number";

    public static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Saves an institution's settings; a null secret keeps the stored one. False when the institution is unknown.</summary>
    public async Task<bool> SaveSettingsAsync(EDocumentSettingsRow row, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (await connection.ScalarAsync("SELECT 1 FROM institutions WHERE id = $i", transaction, cancellationToken, ("$i", row.InstitutionId)).ConfigureAwait(false) is null)
        {
            return false;
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO edocument_settings (institution_id, document_kind, provider, base_url, template_code, series, seller_tax_code, seller_name, username, secret, account_id, updated_at)
            VALUES ($i, $k, $p, $b, $t, $s, $x, $n, $u, $c, $a, $at)
            ON CONFLICT (institution_id) DO UPDATE SET document_kind = excluded.document_kind, provider = excluded.provider, base_url = excluded.base_url,
                template_code = excluded.template_code, series = excluded.series, seller_tax_code = excluded.seller_tax_code, seller_name = excluded.seller_name,
                username = excluded.username, secret = excluded.secret, account_id = excluded.account_id, updated_at = excluded.updated_at
            """,
            transaction, cancellationToken, ("$i", row.InstitutionId), ("$k", row.DocumentKind), ("$p", row.Provider), ("$b", row.BaseUrl), ("$t", row.TemplateCode),
            ("$s", row.Series), ("$x", row.SellerTaxCode), ("$n", row.SellerName), ("$u", row.Username), ("$c", row.Secret), ("$a", row.AccountId), ("$at", row.UpdatedAt)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<EDocumentSettingsRow?> SettingsAsync(string institutionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ReadFirstAsync<EDocumentSettingsRow>(
            "SELECT institution_id, document_kind, provider, base_url, template_code, series, seller_tax_code, seller_name, username, secret, account_id, updated_at FROM edocument_settings WHERE institution_id = $i",
            null, cancellationToken, ("$i", institutionId)).ConfigureAwait(false);
    }

    /// <summary>
    /// Rows due at <paramref name="now"/> of institutions with settings, oldest first. An adjustment is due only once
    /// its original is issued (or withdrawn, which withdraws it too): until then it cannot be sent, and counting it
    /// in the batch would let the adjustments of refused originals, which never move on their own, fill every round
    /// and starve the documents of every institution behind them.
    /// </summary>
    /// <remarks>
    /// Read from the institutions with settings outwards, each one's waiting rows in the order of
    /// <c>edocuments_waiting</c> (migration 0041), then the oldest <paramref name="limit"/> of them all. Every payment
    /// queues an original whether or not its institution has settings yet (they are issued once it has), so the
    /// waiting rows of institutions without settings grow with the province's payments; one query over the outbox
    /// asking which rows have settings read all of them every round (issue #26's load test: 12–16 µs of PostgreSQL
    /// an ingested entry, and a plan of nearly a second to make over 80,000 rows).
    /// </remarks>
    public async Task<List<EDocumentRow>> DueAsync(string now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var institutions = await connection.ReadAllAsync<SettingsOf>("SELECT institution_id FROM edocument_settings", null, cancellationToken).ConfigureAwait(false);
        var due = new List<EDocumentRow>();
        foreach (var institution in institutions)
        {
            due.AddRange(await connection.ReadAllAsync<EDocumentRow>(DueOfInstitutionSql, null, cancellationToken, ("$i", institution.InstitutionId), ("$now", now), ("$n", limit)).ConfigureAwait(false));
        }

        return due.OrderBy(r => r.CreatedAt, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal).Take(limit).ToList();
    }

    /// <summary>An institution with settings (its id only: the issuer reads the rest, the secret included, when it sends).</summary>
    private sealed record SettingsOf
    {
        public required string InstitutionId { get; init; }
    }

    /// <summary>
    /// One institution's rows due, oldest first: its waiting rows by <c>edocuments_waiting</c>, no others. An
    /// adjustment's original is looked up by its key: as an EXISTS, PostgreSQL made it a hashed subplan reading every
    /// issued document of the province (most of the outbox, in time) to answer for a few adjustments.
    /// </summary>
    internal const string DueOfInstitutionSql =
        $"""
        SELECT {Columns} FROM edocuments e
        WHERE e.institution_id = $i AND e.state = 'waiting' AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= $now)
          AND (e.purpose = 'original' OR (SELECT o.state FROM edocuments o WHERE o.id = e.payment_id) IN ('issued', 'withdrawn'))
        ORDER BY e.created_at, e.id LIMIT $n
        """;

    public async Task<EDocumentRow?> RowAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ReadFirstAsync<EDocumentRow>($"SELECT {Columns} FROM edocuments WHERE id = $id", null, cancellationToken, ("$id", id)).ConfigureAwait(false);
    }

    /// <summary>Takes a row for an attempt: counts it and sets when the next may be, before the provider is called.</summary>
    /// <returns>False when another issuer took it first (it is no longer waiting at that count).</returns>
    public async Task<bool> ClaimAsync(EDocumentRow row, string provider, string key, EDocumentSettingsRow settings, string next, string now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(
            """
            UPDATE edocuments SET attempts = attempts + 1, next_attempt_at = $next, provider = $p, idempotency_key = $k, document_kind = $dk,
                template_code = $t, series = $s, updated_at = $now
            WHERE id = $id AND state = 'waiting' AND attempts = $a
            """,
            transaction, cancellationToken, ("$next", next), ("$p", provider), ("$k", key), ("$dk", settings.DocumentKind), ("$t", settings.TemplateCode),
            ("$s", settings.Series), ("$now", now), ("$id", row.Id), ("$a", row.Attempts)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>
    /// Records an outcome: issued (number, lookup code, day), refused or withdrawn (reason), or waiting (reason, and
    /// the tracking code of a create the provider accepted; a null one keeps what is stored).
    /// </summary>
    public async Task SetAsync(string id, string state, string? number, string? lookupCode, string? issuedOn, string? reason, string now, CancellationToken cancellationToken, string? tracking = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            UPDATE edocuments SET state = $st, document_number = COALESCE($no, document_number), lookup_code = COALESCE($lc, lookup_code),
                issued_on = COALESCE($on, issued_on), reason = $r, tracking_code = COALESCE($tr, tracking_code), updated_at = $now
            WHERE id = $id AND state IN ('waiting', 'refused')
            """,
            transaction, cancellationToken, ("$st", state), ("$no", number), ("$lc", lookupCode), ("$on", issuedOn), ("$r", reason), ("$tr", tracking), ("$now", now), ("$id", id)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Leaves a waiting row waiting until <paramref name="next"/> with <paramref name="reason"/>: an attempt that
    /// failed on this side (an exception, not a provider's answer), so it is tried again later like any other.
    /// </summary>
    public async Task DeferAsync(string id, string next, string reason, string now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "UPDATE edocuments SET next_attempt_at = $next, reason = $r, updated_at = $now WHERE id = $id AND state = 'waiting'",
            transaction, cancellationToken, ("$next", next), ("$r", reason), ("$now", now), ("$id", id)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a company payer's tax code, name and address on a payment's original document while no attempt to issue it has
    /// been made: waiting with no attempt yet. Once an attempt was made, refused ones included, the provider may hold
    /// the document as first sent (an answer lost, then a refusal), and a retry would find that one, without the
    /// company, while the province showed the company's tax code. The update and the issuer's claim
    /// (<see cref="ClaimAsync"/>) both test the attempt count, so exactly one of them wins a race.
    /// </summary>
    /// <returns>
    /// <c>recorded</c>; <c>in_progress</c> (waiting or refused after an attempt: the provider may hold the document
    /// already); the row's state when it is issued or withdrawn; null when the payment owes no document (yet).
    /// </returns>
    public async Task<string?> SetBuyerAsync(string paymentId, string taxCode, string name, string? address, string now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(
            """
            UPDATE edocuments SET buyer_tax_code = $x, buyer_name = $n, buyer_address = $a, updated_at = $now
            WHERE id = $id AND purpose = 'original' AND state = 'waiting' AND attempts = 0
            """,
            transaction, cancellationToken, ("$x", taxCode), ("$n", name), ("$a", address), ("$now", now), ("$id", paymentId)).ConfigureAwait(false);
        var state = changed == 1
            ? "recorded"
            : (string?)await connection.ScalarAsync(
                "SELECT CASE WHEN state IN ('waiting', 'refused') THEN 'in_progress' ELSE state END FROM edocuments WHERE id = $id AND purpose = 'original'",
                transaction, cancellationToken, ("$id", paymentId)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return state;
    }

    /// <summary>
    /// Puts a refused row back in the queue (after its settings or its data were put right); false when it is not
    /// refused. The tracking code of an earlier accepted create is dropped: a job the provider failed is not polled
    /// into an invoice, and the retry looks the key up before it creates again.
    /// </summary>
    public async Task<bool> RequeueAsync(string id, string now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(
            "UPDATE edocuments SET state = 'waiting', next_attempt_at = NULL, tracking_code = NULL, updated_at = $now WHERE id = $id AND state = 'refused'",
            transaction, cancellationToken, ("$now", now), ("$id", id)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>The worklist: rows by state (all when null) and institution, newest first.</summary>
    public async Task<List<EDocumentRow>> ListAsync(string? state, string? institutionId, string? day, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ReadAllAsync<EDocumentRow>(
            $"""
            SELECT {Linked} FROM edocuments
            WHERE (CAST($s AS TEXT) IS NULL OR state = $s) AND (CAST($i AS TEXT) IS NULL OR institution_id = $i) AND (CAST($d AS TEXT) IS NULL OR day = $d)
            ORDER BY created_at DESC, id DESC LIMIT $n
            """,
            null, cancellationToken, ("$s", state), ("$i", institutionId), ("$d", day), ("$n", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);
    }

    /// <summary>An institution's name, or null when there is no such institution.</summary>
    public async Task<string?> InstitutionNameAsync(string institutionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (string?)await connection.ScalarAsync("SELECT name FROM institutions WHERE id = $i", null, cancellationToken, ("$i", institutionId)).ConfigureAwait(false);
    }

    /// <summary>
    /// A payment's documents, the original first: the original by its id, which is the payment's, the adjustments by
    /// their payment (the only rows migration 0040 indexes by payment).
    /// </summary>
    internal const string OfPaymentSql =
        $"SELECT {Linked} FROM edocuments WHERE (id = $p AND payment_id = $p) OR (purpose = 'adjustment' AND payment_id = $p) ORDER BY CASE purpose WHEN 'original' THEN 0 ELSE 1 END, created_at";

    /// <summary>The documents of one payment, the original first.</summary>
    public async Task<List<EDocumentRow>> OfPaymentAsync(string paymentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ReadAllAsync<EDocumentRow>(OfPaymentSql, null, cancellationToken, ("$p", paymentId)).ConfigureAwait(false);
    }

    /// <summary>What a document of <paramref name="row"/> says: the payment, the payer, the lines (or the reversal for an adjustment).</summary>
    public async Task<DocumentFacts?> FactsAsync(EDocumentRow row, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var payment = await connection.ReadFirstAsync<PaymentFacts>(
            """
            SELECT p.id, p.method, p.amount, p.state, p.account_code, a.full_name, i.name AS institution_name
            FROM payments p JOIN institutions i ON i.id = p.institution_id LEFT JOIN accounts a ON a.code = p.account_code WHERE p.id = $p
            """,
            null, cancellationToken, ("$p", row.PaymentId)).ConfigureAwait(false);
        if (payment is null)
        {
            return null;
        }

        // The payment's bills as its original states them: an adjustment's lines are those of the bills it gives back.
        var bills = (await connection.ReadAllAsync<LineFacts>(
            "SELECT pa.bill_id, COALESCE(b.title, pa.bill_id) AS title, pa.amount FROM payment_allocations pa LEFT JOIN bills b ON b.id = pa.bill_id WHERE pa.payment_id = $p ORDER BY pa.bill_id",
            null, cancellationToken, ("$p", row.PaymentId)).ConfigureAwait(false)).ConvertAll(a => new BillLine(a.BillId, a.Title, a.Amount));
        List<(string Title, long Amount)> lines;
        if (row.Purpose == "original")
        {
            lines = EDocumentLines.Original(bills, payment.Amount);
        }
        else
        {
            // The reversal's bills are in its journal entry (the terminal's PaymentReversalDto, stored as pushed): the
            // reversals row keeps its kind and amount only.
            var reversal = await connection.ReadFirstAsync<ReversalFacts>(
                """
                SELECT r.kind, j.body FROM reversals r LEFT JOIN journal_entries j ON j.terminal_id = r.terminal_id AND j.sequence = r.sequence
                WHERE r.payment_id = $p AND r.payment_id || '/' || r.terminal_id || '/' || CAST(r.sequence AS TEXT) = $id
                """,
                null, cancellationToken, ("$p", row.PaymentId), ("$id", row.Id)).ConfigureAwait(false);
            lines = EDocumentLines.Adjustment(bills, Entry(reversal?.Body)?.Reversal, row.PaymentId, reversal?.Kind, row.Amount);
        }

        return new DocumentFacts(payment.Method, payment.State, payment.AccountCode, payment.FullName, payment.InstitutionName, lines);
    }

    public static string Words(long amount) => VietnameseWords.Dong(amount);

    private sealed record PaymentFacts
    {
        public required string Id { get; init; }

        public required string Method { get; init; }

        public long Amount { get; init; }

        public required string State { get; init; }

        public required string AccountCode { get; init; }

        public string? FullName { get; init; }

        public required string InstitutionName { get; init; }
    }

    /// <summary>A stored journal entry, or null when the body is not one (not JSON, or JSON of another shape).</summary>
    private static JournalEntryDto? Entry(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, ContractsJsonContext.Default.JournalEntryDto);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record LineFacts
    {
        public required string BillId { get; init; }

        public required string Title { get; init; }

        public long Amount { get; init; }
    }

    private sealed record ReversalFacts
    {
        public required string Kind { get; init; }

        public string? Body { get; init; }
    }
}

/// <summary>What the province holds of a document's payment.</summary>
internal sealed record DocumentFacts(string Method, string PaymentState, string AccountCode, string? PayerName, string InstitutionName, IReadOnlyList<(string Title, long Amount)> Lines);
