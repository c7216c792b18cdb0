using System.Globalization;
using System.Text;
using KioskPos.Core.Text;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.EInvoices;

/// <summary>The issuer's settings (section <c>EDocuments</c>).</summary>
public sealed class EDocumentOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "EDocuments";

    /// <summary>Run the issuer in the background (on by default; the tests drive it themselves on a fake clock).</summary>
    public bool Worker { get; set; } = true;

    /// <summary>How often the background issuer looks for due documents.</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The most documents one round issues (the rest wait for the next round).</summary>
    public int Batch { get; set; } = 50;

    /// <summary>The first wait after a provider could not be reached; it doubles per attempt up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Works through the e-document outbox: each due row becomes the provider-neutral <see cref="EDocument"/>, goes to
/// the institution's provider, and ends issued, refused (the provider's reason kept) or waiting for its next attempt.
/// Exactly once: every attempt of a row sends the same idempotency key, and the attempt is counted before the
/// provider is called, so an attempt that may have reached the provider makes the next one look the key up first.
/// </summary>
internal sealed class EDocumentIssuer(EDocumentStore store, IEnumerable<IEDocumentProvider> providers, IOptions<EDocumentOptions> options, TimeProvider time, ILogger<EDocumentIssuer> logger)
{
    /// <summary>The most characters of a reason kept and shown: a provider's words are for a person to read, not a dump.</summary>
    public const int MaxReason = 500;

    private readonly Dictionary<string, IEDocumentProvider> _providers = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1 (the first retry after one minute, doubling, at most 30).</summary>
    public TimeSpan Backoff(long attempt)
    {
        var o = options.Value;
        var doubled = o.FirstBackoff.Ticks * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return doubled >= o.MaxBackoff.Ticks ? o.MaxBackoff : TimeSpan.FromTicks((long)doubled);
    }

    /// <summary>
    /// One round: every due row, once. Returns how many were issued. A row whose attempt throws (a provider's answer
    /// an adapter did not expect, a bug, the database) is logged and left waiting with a backoff and a short reason,
    /// and the round goes on: one row never stops the others, nor, through the worker, the server.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var issued = 0;
        var now = time.GetUtcNow();
        foreach (var row in await store.DueAsync(EDocumentStore.Stamp(now), options.Value.Batch, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (await IssueAsync(row, cancellationToken).ConfigureAwait(false))
                {
                    issued++;
                }
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                await DeferAfterErrorAsync(row, e, cancellationToken).ConfigureAwait(false);
            }
        }

        return issued;
    }

    /// <summary>
    /// A reason as kept and shown: control characters (a provider's line breaks, or worse) become spaces, and it is cut
    /// to <see cref="MaxReason"/> characters, never inside a surrogate pair.
    /// </summary>
    public static string? ShortReason(string? reason)
    {
        if (reason is null)
        {
            return null;
        }

        var cut = reason.Length > MaxReason;
        var end = cut ? MaxReason - 1 : reason.Length;
        if (cut && char.IsHighSurrogate(reason[end - 1]))
        {
            end--;
        }

        var text = new StringBuilder(end + 1);
        foreach (var c in reason.AsSpan(0, end))
        {
            text.Append(char.IsControl(c) ? ' ' : c);
        }

        return (cut ? text.Append('…') : text).ToString().Trim();
    }

    /// <summary>The day of an issued document as the provider said it, when it is a day (yyyy-MM-dd, maybe with a time after it); null otherwise.</summary>
    public static string? IssuedDay(string? issuedOn) =>
        issuedOn is { Length: >= 10 } && DateOnly.TryParseExact(issuedOn.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? issuedOn[..10]
            : null;

    private async Task DeferAfterErrorAsync(EDocumentRow row, Exception error, CancellationToken cancellationToken)
    {
        // The claim, when it was reached, counted the attempt and set its backoff already; this sets it again (growing with
        // the count) in case the error came before the claim, and says why. If the database itself is what failed, the row
        // stays as the claim left it: due again after its backoff, or at once if the claim was not reached.
        var attempt = row.Attempts + 1;
        var wait = Backoff(attempt);
        logger.LogError(error, "E-document {Id} attempt {Attempt} failed on this side; waiting {Wait} before the next", row.Id, attempt, wait);
        try
        {
            var now = time.GetUtcNow();
            await store.DeferAsync(row.Id, EDocumentStore.Stamp(now + wait), ShortReason(Messages.Vi("einvoice.reason.error", error.GetType().Name))!, EDocumentStore.Stamp(now), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning("E-document {Id} could not be put back to waiting: {Error}", row.Id, e.Message);
        }
    }

    private async Task<bool> IssueAsync(EDocumentRow row, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stamp = EDocumentStore.Stamp(now);
        if (await store.SettingsAsync(row.InstitutionId, cancellationToken).ConfigureAwait(false) is not { } settings)
        {
            return false;
        }

        var facts = await store.FactsAsync(row, cancellationToken).ConfigureAwait(false);
        if (facts is null)
        {
            return false;
        }

        EDocumentReference? adjusts = null;
        var buyer = row; // a company payer's tax code, name and address are given for the payment, kept on its original row
        if (row.Purpose == "original" && facts.PaymentState == "voided" && row.Attempts == 0)
        {
            // Voided before any attempt reached a provider: no document was issued, so none is owed, nor its adjustment.
            await store.SetAsync(row.Id, "withdrawn", null, null, null, Messages.Vi("einvoice.reason.voidedBeforeIssue"), stamp, cancellationToken).ConfigureAwait(false);
            return false;
        }

        if (row.Purpose == "adjustment")
        {
            var original = await store.RowAsync(row.PaymentId, cancellationToken).ConfigureAwait(false);
            switch (original?.State)
            {
                case "withdrawn":
                    await store.SetAsync(row.Id, "withdrawn", null, null, null, Messages.Vi("einvoice.reason.voidedBeforeIssue"), stamp, cancellationToken).ConfigureAwait(false);
                    return false;
                case "issued" when IssuedDay(original.IssuedOn) is null:
                    // An adjustment names the original's date; one not known (an older row, an answer not as documented) is not
                    // guessed. It waits, with the reason, for someone to put the date right.
                    await store.DeferAsync(row.Id, EDocumentStore.Stamp(now + options.Value.MaxBackoff), Messages.Vi("einvoice.reason.originalDateUnknown"), stamp, cancellationToken).ConfigureAwait(false);
                    return false;
                case "issued":
                    adjusts = new EDocumentReference(original.DocumentNumber!, original.TemplateCode!, original.Series!, IssuedDay(original.IssuedOn)!);
                    buyer = original;
                    break;
                default:
                    return false; // the original first: an adjustment names the document it adjusts
            }
        }

        if (!_providers.TryGetValue(settings.Provider, out var provider))
        {
            await store.SetAsync(row.Id, "refused", null, null, null, $"unknown provider '{settings.Provider}'", stamp, cancellationToken).ConfigureAwait(false);
            return false;
        }

        var key = row.IdempotencyKey ?? EDocument.KeyOf(row.Id);
        var attempt = row.Attempts + 1;
        if (!await store.ClaimAsync(row, provider.Name, key, settings, EDocumentStore.Stamp(now + Backoff(attempt)), stamp, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (row.Purpose == "original")
        {
            // The claim fixed the buyer (a company's details are taken only before the first claim): read it as claimed.
            buyer = await store.RowAsync(row.Id, cancellationToken).ConfigureAwait(false) ?? row;
        }

        var total = facts.Lines.Sum(l => l.Amount);
        var document = new EDocument(
            row.Id, key, settings.DocumentKind == "receipt" ? EDocumentKind.Receipt : EDocumentKind.Invoice,
            row.Purpose == "original" ? EDocumentPurpose.Original : EDocumentPurpose.Adjustment, settings.TemplateCode, settings.Series,
            new EDocumentSeller(settings.SellerTaxCode, settings.SellerName), new EDocumentBuyer(buyer.BuyerName ?? facts.PayerName, facts.AccountCode, buyer.BuyerTaxCode, buyer.BuyerAddress),
            [.. facts.Lines.Select(l => new EDocumentLine(l.Title, l.Amount))], total, EDocumentStore.Words(total), facts.Method, row.PaymentId, now, adjusts);
        var account = new ProviderAccount(new Uri(settings.BaseUrl.TrimEnd('/') + "/"), settings.Username, settings.Secret, settings.AccountId);
        var outcome = await provider.IssueAsync(document, account, new IssueAttempt(row.Attempts > 0, row.TrackingCode), cancellationToken).ConfigureAwait(false);
        stamp = EDocumentStore.Stamp(time.GetUtcNow());
        switch (outcome)
        {
            case IssueOutcome.Issued ok:
                // The day the document is recorded with is the one later adjustments name: never one that does not read as a day.
                var day = IssuedDay(ok.IssuedOn);
                if (day is null)
                {
                    logger.LogWarning("E-document {Id} issued by {Provider} as {Number} with an issue date not as documented: {Date}", row.Id, provider.Name, ok.Number, ShortReason(ok.IssuedOn));
                }

                await store.SetAsync(row.Id, "issued", ok.Number, ok.LookupCode, day, null, stamp, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("E-document {Id} issued by {Provider} as {Series} {Number}", row.Id, provider.Name, settings.Series, ok.Number);
                return true;
            case IssueOutcome.Refused refused:
                var why = ShortReason(refused.Reason);
                await store.SetAsync(row.Id, "refused", null, null, null, why, stamp, cancellationToken).ConfigureAwait(false);
                logger.LogWarning("E-document {Id} refused by {Provider}: {Reason}", row.Id, provider.Name, why);
                return false;
            case IssueOutcome.Accepted accepted:
                var tracking = ShortReason(accepted.Tracking);
                await store.SetAsync(row.Id, "waiting", null, null, null, ShortReason(accepted.Reason), stamp, cancellationToken, tracking).ConfigureAwait(false);
                logger.LogInformation("E-document {Id} accepted by {Provider} as job {Tracking} (attempt {Attempt}): {Reason}; polled in {Wait}", row.Id, provider.Name, tracking, attempt, ShortReason(accepted.Reason), Backoff(attempt));
                return false;
            case IssueOutcome.Later later:
                var reason = ShortReason(later.Reason);
                await store.SetAsync(row.Id, "waiting", null, null, null, reason, stamp, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("E-document {Id} not issued yet by {Provider} (attempt {Attempt}): {Reason}; next in {Wait}", row.Id, provider.Name, attempt, reason, Backoff(attempt));
                return false;
            default:
                return false;
        }
    }
}

/// <summary>Runs the issuer every <see cref="EDocumentOptions.Poll"/> while the server runs (unless <c>EDocuments:Worker</c> is false).</summary>
internal sealed class EDocumentWorker(EDocumentIssuer issuer, IOptions<EDocumentOptions> options, TimeProvider time, ILogger<EDocumentWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Worker)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            // Since .NET 8 a background service that throws stops the host: terminal sync, bank webhooks and the pages with
            // it, again after every restart while the row that threw is due. The issuer keeps one row's failure to that
            // row; what is left (the due query failing on the database, say) ends the round, never the server.
            try
            {
                await issuer.RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "E-document round stopped; the next in {Poll}", options.Value.Poll);
            }

            try
            {
                await Task.Delay(options.Value.Poll, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
