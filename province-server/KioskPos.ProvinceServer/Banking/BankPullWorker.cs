using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>The pull (section <c>Province:BankPull</c>).</summary>
public sealed class BankPullOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Province:BankPull";

    /// <summary>Seconds between two pulls of every connection that has an API key and address; 0 turns the pull off.</summary>
    public int IntervalSeconds { get; set; } = 300;

    /// <summary>
    /// The most list calls one connection makes in one pull; a longer backlog (after an outage) goes on at the next
    /// pull from where this one stopped, so one connection never holds the others back for long.
    /// </summary>
    public int PagesPerRound { get; set; } = 50;
}

/// <summary>
/// The fallback for a lost webhook: every interval, each connection with an API key and address is asked for what
/// its webhook should have reported (SePay's and Casso's transaction lists, payOS's open payment requests), within the
/// provider's rate limit across all its connections (<see cref="ProviderCalls"/>), and every new transaction is
/// recorded through the same ledger and engine as a webhook's, once by the provider's id, so a transaction both posted
/// and pulled is matched exactly once.
/// </summary>
internal sealed class BankPullWorker(BankConnections connections, BankLedger ledger, PayosRequests payos, ProvinceDatabase database, IHttpClientFactory clients,
    IOptions<BankPullOptions> options, TimeProvider time, ILogger<BankPullWorker> logger) : BackgroundService
{
    private static readonly Dictionary<string, IBankPull> s_pulls = new IBankPull[] { new SepayPull(), new CassoPull() }.ToDictionary(p => p.Provider, StringComparer.Ordinal);

    private readonly ProviderCalls _calls = new(clients, time);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.IntervalSeconds);
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        // The first pull one interval after the start (the database is migrated by then). Whatever a round throws is
        // logged and the next tick tries again: an exception leaving ExecuteAsync stops the whole host (.NET's
        // BackgroundServiceExceptionBehavior.StopHost), and with it every terminal's sync and every webhook, for the
        // sake of a fallback. Only the host's own stop ends the loop.
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await PullAllAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Bank pull round failed; the next tick tries again");
            }
        }
    }

    /// <summary>One pull of every connection that can be pulled; returns how many transactions were new.</summary>
    public async Task<int> PullAllAsync(CancellationToken cancellationToken)
    {
        var added = 0;
        foreach (var connection in await connections.AllAsync(cancellationToken).ConfigureAwait(false))
        {
            var payosStatus = connection.Provider == BankProviders.Payos && !string.IsNullOrEmpty(connection.ClientId);
            if (connection.FromSettings || string.IsNullOrEmpty(connection.ApiKey) || string.IsNullOrEmpty(connection.ApiBaseUrl)
                || (!s_pulls.TryGetValue(connection.Provider, out var pull) && !payosStatus))
            {
                continue;
            }

            try
            {
                added += pull is not null ? await PullAsync(connection, pull, cancellationToken).ConfigureAwait(false) : await PullPayosAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                // Any failure of one connection's pull (the provider's answer, a record no reader expected, the
                // database) is that connection's: noted on it, and the others are still pulled.
                if (e is HttpRequestException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException or PayosException or TaskCanceledException)
                {
                    logger.LogWarning("Pull of {Connection} failed: {Error}", connection.ToString(), e.Message);
                }
                else
                {
                    logger.LogError(e, "Pull of {Connection} failed unexpectedly", connection.ToString());
                }

                await connections.TouchPullAsync(connection.Id, e.GetType().Name + ": " + e.Message, null, cancellationToken).ConfigureAwait(false);
            }
        }

        return added;
    }

    // payOS has no transaction list: its open payment requests are asked for their status, and what paid them is
    // recorded as a webhook's would be (once by the bank's reference); what cannot be recorded is refused by name, as
    // a list pull's records are.
    private async Task<int> PullPayosAsync(BankConnection connection, CancellationToken cancellationToken)
    {
        var malformed = new List<string>();
        var (added, unread) = await payos.PullAsync(connection, async transfer =>
        {
            if (transfer.Problem() is { } problem)
            {
                malformed.Add($"{transfer.TransactionId}: {problem}");
                return false;
            }

            var unknownAccount = connection.AccountNumber.Length > 0 && transfer.AccountNumber.Length > 0 && transfer.AccountNumber != connection.AccountNumber;
            var result = await ledger.RecordAsync(connection.Id, new BankNotification(transfer.TransactionId, transfer.AccountNumber, transfer.Amount, transfer.Description, transfer.BookedAt, transfer.BankBin),
                null, TransferSources.Pull, unknownAccount, cancellationToken).ConfigureAwait(false);
            if (result.Status == "accepted")
            {
                logger.LogInformation("Pulled {Connection} {Transaction} of {Amount} VND: {Outcome} {Payment}", connection.ToString(), transfer.TransactionId, transfer.Amount, result.Outcome, result.PaymentId);
            }

            return result.Status == "accepted";
        }, cancellationToken).ConfigureAwait(false);
        await NoteRefusedAsync(connection, [.. unread, .. malformed], null, cancellationToken).ConfigureAwait(false);
        return added;
    }

    private async Task<int> PullAsync(BankConnection connection, IBankPull pull, CancellationToken cancellationToken)
    {
        var cursor = (await connections.ActivityAsync(connection.Id, cancellationToken).ConfigureAwait(false))?.PullCursor;
        var added = 0;
        var refused = new List<string>();
        var pages = 0;
        while (true)
        {
            var page = await pull.PullAsync(_calls, connection, cursor, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            pages++;
            refused.AddRange(page.Refused);
            var incoming = new List<IncomingTransfer>();
            foreach (var transfer in page.Transfers.Where(t => !t.Outgoing))
            {
                if (transfer.Problem() is { } problem)
                {
                    refused.Add($"{transfer.TransactionId}: {problem}");
                }
                else
                {
                    incoming.Add(transfer);
                }
            }

            var recorded = await RecordedAsync(connection.Id, incoming, cancellationToken).ConfigureAwait(false);
            foreach (var transfer in incoming.Where(t => !recorded.Contains(t.TransactionId)))
            {
                // The same rule as the webhooks': a transfer into the connection's virtual account is the connection's.
                var (account, unknownAccount) = await ReceivingAccounts.ResolveAsync(transfer, connection, ledger, cancellationToken).ConfigureAwait(false);
                var result = await ledger.RecordAsync(connection.Id, new BankNotification(transfer.TransactionId, account, transfer.Amount, transfer.Description, transfer.BookedAt, transfer.BankBin),
                    null, TransferSources.Pull, unknownAccount, cancellationToken).ConfigureAwait(false);
                if (result.Status == "accepted")
                {
                    added++;
                    logger.LogInformation("Pulled {Connection} {Transaction} of {Amount} VND: {Outcome} {Payment}", connection.ToString(), transfer.TransactionId, transfer.Amount, result.Outcome, result.PaymentId);
                }
            }

            // The cursor is kept after every page, so a failure on a later page goes on from here, not from the start.
            cursor = page.NextCursor ?? cursor;
            if (page.More && pages < options.Value.PagesPerRound)
            {
                await connections.TouchPullAsync(connection.Id, null, cursor, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (page.More)
            {
                logger.LogInformation("Pull of {Connection} stopped after {Pages} pages; the next pull goes on from there", connection.ToString(), pages);
            }

            break;
        }

        await NoteRefusedAsync(connection, refused, cursor, cancellationToken).ConfigureAwait(false);
        return added;
    }

    // The end of a connection's pull: each refused transaction logged, the first three named in its lastPullError.
    private async Task NoteRefusedAsync(BankConnection connection, IReadOnlyList<string> refused, string? cursor, CancellationToken cancellationToken)
    {
        foreach (var reason in refused)
        {
            logger.LogWarning("Pull of {Connection} refused transaction {Refusal}; look for it in the bank's statement", connection.ToString(), reason);
        }

        await connections.TouchPullAsync(connection.Id, refused.Count == 0 ? null : $"refused {refused.Count} transaction(s): {string.Join("; ", refused.Take(3))}", cursor, cancellationToken).ConfigureAwait(false);
    }

    // Which of a page's transactions this connection has already recorded, in one read: every pull brings back its
    // overlap (SePay's since_id is inclusive; Casso's walk starts a day early), and RecordAsync would take the
    // province-wide write lock for each only to find it a duplicate.
    private async Task<HashSet<string>> RecordedAsync(string connectionId, IReadOnlyList<IncomingTransfer> transfers, CancellationToken cancellationToken)
    {
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        if (transfers.Count == 0)
        {
            return recorded;
        }

        var parameters = transfers.Select((t, i) => ($"$x{i}", (object?)t.TransactionId)).Prepend(("$c", connectionId)).ToArray();
        await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.ReadAllAsync<RecordedTransfer>(
            $"SELECT bank_txn_id FROM bank_transfers WHERE connection_id = $c AND bank_txn_id IN ({string.Join(", ", transfers.Select((_, i) => $"$x{i}"))})",
            null, cancellationToken, parameters).ConfigureAwait(false);
        recorded.UnionWith(rows.Select(r => r.BankTxnId));
        return recorded;
    }

    private sealed class RecordedTransfer
    {
        public string BankTxnId { get; init; } = "";
    }
}
