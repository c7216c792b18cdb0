using System.Globalization;
using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Payments;
using KioskPos.Core.Text;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// <c>/p/{payment}?k={key}</c>, where the small QR on the kiosk's VietQR screen leads (issue 24): a relative opens it
/// on their own phone and pays from there. The page (<c>wwwroot/pay.html</c>) reads
/// <c>/api/v1/pay-links/{payment}?k={key}</c>, which gives the same EMV payload the kiosk shows (from the payment's
/// journal entry as the terminal pushed it) as a QR drawn here, the amount, the receiving account's holder and last
/// digits, the expiry, the payer's masked name (no other personal data) and, above the province's amount, the notice
/// that the bank app will ask for the face (decision 2345). The key (<see cref="PayLinkKey"/>) comes from the entry's
/// hash, which only the terminal and the province have; an unknown payment and a wrong key get the same 404, without
/// detail. Once the QR has expired, was cancelled or is paid, the page says so and shows no QR; nor does it show one
/// for an account that is not the institution's registered receiving account, nor once the payment's bills owe
/// nothing more through it (paid another way meanwhile: the rest of an underpaid QR paid by its own code again, a
/// bill paid at the counter), when money sent to it could only be refunded.
/// </summary>
internal static class PayLinkPage
{
    public static IEndpointRouteBuilder MapPayLinkPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/p/{payment}", GetPageAsync).ExcludeFromDescription().Public();
        app.MapGet("/api/v1/pay-links/{payment}", GetPayLinkAsync).Public().WithTags("Receipts")
            .WithSummary("A VietQR payment's page for a relative: the same QR as the kiosk, by the key its link carries")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> GetPageAsync(string payment, string? k, ProvinceDatabase database, CancellationToken ct) =>
        ProvincePages.LinkPage("pay.html", (await LookUpAsync(payment, k, database, ct).ConfigureAwait(false)).Check);

    private static async Task<Results<JsonOk<PayLinkView>, ProblemResult>> GetPayLinkAsync(
        string payment, string? k, ProvinceDatabase database, IOptions<ProvinceOptions> options, TimeProvider time, CancellationToken ct) =>
        await LookUpAsync(payment, k, database, ct).ConfigureAwait(false) switch
        {
            (LinkCheck.Malformed, _) => ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_pay_link", "k is the 12 hex digits the kiosk's link carries"),
            (_, null) => ProvinceProblems.Problem(StatusCodes.Status404NotFound, "pay_link_not_found", null),
            (_, { } found) => JsonOk.Of(View(found, options.Value.LargeTransferAbove, time.GetUtcNow()), ProvinceJsonContext.Default.PayLinkView),
        };

    // Not found: no such VietQR payment, or a key that does not match it.
    private static async Task<(LinkCheck Check, PayLinkRow? Found)> LookUpAsync(string payment, string? k, ProvinceDatabase database, CancellationToken ct)
    {
        var key = k?.Trim().ToLowerInvariant();
        if (payment.Length > 64 || !PayLinkKey.IsWellFormed(key))
        {
            return (LinkCheck.Malformed, null);
        }

        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        var row = await connection.ReadFirstAsync<PayLinkRow>(
            """
            SELECT p.id AS payment_id, p.amount, p.received, p.state, p.expires_at, p.transfer_code, p.purpose, i.name AS institution_name,
                   i.bank_bin, i.bank_account, i.bank_account_name, i.bank_name, a.full_name AS payer_name, a.kind AS account_kind,
                   j.hash AS entry_hash, j.body AS entry_body
            FROM payments p
            JOIN journal_entries j ON j.terminal_id = p.terminal_id AND j.sequence = p.sequence
            JOIN institutions i ON i.id = p.institution_id
            LEFT JOIN accounts a ON a.code = p.account_code
            WHERE p.id = $id AND p.method = 'vietqr'
            """,
            null, ct, ("$id", payment)).ConfigureAwait(false);
        if (row is null || !PayLinkKey.Matches(row.EntryHash, key!))
        {
            return (LinkCheck.NotFound, null);
        }

        // A top-up pays no bill; a payment of bills that may still be paid asks what its bills still owe through it.
        return row.State is "pending" or "underpaid" && row.Purpose != PaymentPurpose.TopUp.WireName()
            ? (LinkCheck.Found, row with { StillOwed = await TransferMatching.StillOwedAsync(connection, null, row.PaymentId, ct).ConfigureAwait(false) })
            : (LinkCheck.Found, row);
    }

    private static PayLinkView View(PayLinkRow row, long largeAbove, DateTimeOffset now)
    {
        var qr = JsonSerializer.Deserialize(row.EntryBody, ContractsJsonContext.Default.JournalEntryDto)?.Payment?.Qr;
        // The payments row's expiry (the pushed QR's, as the bank matching reads it); nothing to pay after it.
        var expiresAt = row.ExpiresAt is { } e ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture) : qr?.ExpiresAt ?? now;
        var registered = Shows(qr?.Payload, row.BankBin, row.BankAccount, row.Amount);
        var settled = row.StillOwed == 0;
        var state = row.State switch
        {
            "completed" => "paid",
            "underpaid" => settled ? "settled" : "underpaid",
            "pending" when expiresAt > now => !registered ? "refused" : settled ? "settled" : "open",
            _ => "expired",
        };
        var open = state == "open";
        return new PayLinkView(
            row.PaymentId, state, row.InstitutionName, row.AccountKind != "patient", row.PayerName is { } name ? PersonalData.MaskName(name) : null,
            row.Amount, Vnd.Format(row.Amount), VietnameseWords.Dong(row.Amount),
            row.BankName, row.BankAccountName, row.BankAccount is { Length: >= 4 } account ? account[^4..] : null,
            expiresAt, open ? (long)Math.Ceiling((expiresAt - now).TotalSeconds) : 0,
            open ? qr!.TransferCode : null, open ? qr!.Payload : null, open ? QrImages.Svg(qr!.Payload) : null,
            largeAbove > 0 && row.Amount > largeAbove, largeAbove, Vnd.Format(largeAbove));
    }

    /// <summary>
    /// Whether the page may draw <paramref name="payload"/>: canonical, dynamic, paying exactly the institution's
    /// registered account (<paramref name="bankBin"/>, <paramref name="bankAccount"/>) the payment's
    /// <paramref name="amount"/>, with no other merchant template a payer's app could choose (<see cref="PayingQr"/>).
    /// </summary>
    internal static bool Shows(string? payload, string? bankBin, string? bankAccount, long amount) =>
        PayingQr.Pays(payload, bankBin, bankAccount, out var parsed) && parsed.Amount == amount;

    private sealed record PayLinkRow
    {
        public required string PaymentId { get; init; }

        public required long Amount { get; init; }

        public required long Received { get; init; }

        public required string State { get; init; }

        public string? ExpiresAt { get; init; }

        public string? TransferCode { get; init; }

        public required string Purpose { get; init; }

        public required string InstitutionName { get; init; }

        public string? BankBin { get; init; }

        public string? BankAccount { get; init; }

        public string? BankAccountName { get; init; }

        public string? BankName { get; init; }

        public string? PayerName { get; init; }

        public string? AccountKind { get; init; }

        public string? EntryHash { get; init; }

        public required string EntryBody { get; init; }

        /// <summary>What the bills still owe through the payment (<see cref="TransferMatching.StillOwedAsync"/>); null when not asked.</summary>
        public long? StillOwed { get; init; }
    }
}

/// <summary>A VietQR payment as its page for a relative shows it: nothing personal beyond the payer's masked name.</summary>
/// <param name="PaymentId">The payment.</param>
/// <param name="State">open (the QR can be paid), paid, underpaid (the kiosk shows a QR for the rest), settled (its bills were paid, part of them
/// another way: nothing more to transfer), expired (or cancelled), refused (not the registered account).</param>
/// <param name="InstitutionName">Who is paid.</param>
/// <param name="IsPupil">A pupil (school) rather than a patient.</param>
/// <param name="PayerName">The payer's name, masked (N. M. Anh).</param>
/// <param name="Amount">Whole đồng.</param>
/// <param name="AmountText">1.250.000 ₫.</param>
/// <param name="AmountInWords">The amount in Vietnamese words.</param>
/// <param name="BankName">The receiving bank.</param>
/// <param name="AccountName">The receiving account's holder, as the bank app must show it.</param>
/// <param name="AccountEnding">The receiving account's last four digits.</param>
/// <param name="ExpiresAt">When the QR stops being offered.</param>
/// <param name="SecondsLeft">Seconds until then by the server's clock (0 unless open), so a phone's wrong clock does not matter.</param>
/// <param name="TransferCode">The transfer text (open only).</param>
/// <param name="Payload">The EMV payload, exactly as the kiosk shows it (open only).</param>
/// <param name="Svg">The payload as a QR code (open only).</param>
/// <param name="LargeTransfer">The amount is above the province's large-transfer amount: the bank app will ask for the face.</param>
/// <param name="LargeTransferAbove">That amount, in đồng.</param>
/// <param name="LargeTransferAboveText">The same, formatted.</param>
public sealed record PayLinkView(
    string PaymentId, string State, string InstitutionName, bool IsPupil, string? PayerName, long Amount, string AmountText, string AmountInWords,
    string? BankName, string? AccountName, string? AccountEnding, DateTimeOffset ExpiresAt, long SecondsLeft, string? TransferCode, string? Payload, string? Svg,
    bool LargeTransfer, long LargeTransferAbove, string LargeTransferAboveText);
