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
}

/// <summary>
/// The fallback for a lost webhook: every interval, each connection with an API key and address is asked for what
/// its webhook should have reported (SePay's and Casso's transaction lists, payOS's open payment requests), within the provider's rate limit, and
/// every transaction is recorded through the same ledger and engine as a webhook's, once by the provider's id, so a
/// transaction both posted and pulled is matched exactly once.
/// </summary>
internal sealed class BankPullWorker(BankConnections connections, BankLedger ledger, PayosRequests payos, IHttpClientFactory clients, IOptions<BankPullOptions> options,
    TimeProvider time, ILogger<BankPullWorker> logger) : BackgroundService
{
    private static readonly Dictionary<string, IBankPull> s_pulls = new IBankPull[] { new SepayPull(), new CassoPull() }.ToDictionary(p => p.Provider, StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.IntervalSeconds);
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        // The first pull one interval after the start (the database is migrated by then); a pull that fails on the
        // database is logged and tried again at the next tick, never allowed to stop the server.
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await PullAllAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (System.Data.Common.DbException e)
            {
                logger.LogWarning("Bank pull skipped: {Error}", e.Message);
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
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException or PayosException
                or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Pull of {Connection} failed: {Error}", connection.ToString(), e.Message);
                await connections.TouchPullAsync(connection.Id, e.GetType().Name + ": " + e.Message, null, cancellationToken).ConfigureAwait(false);
            }
        }

        return added;
    }

    // payOS has no transaction list: its open payment requests are asked for their status, and what paid them is
    // recorded as a webhook's would be (once by the bank's reference).
    private async Task<int> PullPayosAsync(BankConnection connection, CancellationToken cancellationToken)
    {
        var added = await payos.PullAsync(connection, async transfer =>
        {
            if (transfer.Problem() is not null)
            {
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
        await connections.TouchPullAsync(connection.Id, null, null, cancellationToken).ConfigureAwait(false);
        return added;
    }

    private async Task<int> PullAsync(BankConnection connection, IBankPull pull, CancellationToken cancellationToken)
    {
        var http = clients.CreateClient("bank-pull");
        var cursor = (await connections.ActivityAsync(connection.Id, cancellationToken).ConfigureAwait(false))?.PullCursor;
        var added = 0;
        for (var round = 0; round < 50; round++)
        {
            var page = await pull.PullAsync(http, connection, cursor, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            foreach (var transfer in page.Transfers.Where(t => !t.Outgoing && t.Problem() is null))
            {
                var unknownAccount = connection.AccountNumber.Length > 0 && transfer.AccountNumber != connection.AccountNumber;
                var result = await ledger.RecordAsync(connection.Id, new BankNotification(transfer.TransactionId, transfer.AccountNumber, transfer.Amount, transfer.Description, transfer.BookedAt, transfer.BankBin),
                    null, TransferSources.Pull, unknownAccount, cancellationToken).ConfigureAwait(false);
                if (result.Status == "accepted")
                {
                    added++;
                    logger.LogInformation("Pulled {Connection} {Transaction} of {Amount} VND: {Outcome} {Payment}", connection.ToString(), transfer.TransactionId, transfer.Amount, result.Outcome, result.PaymentId);
                }
            }

            cursor = page.NextCursor ?? cursor;
            if (!page.More)
            {
                break;
            }

            await Task.Delay(pull.MinimumGap, time, cancellationToken).ConfigureAwait(false);
        }

        await connections.TouchPullAsync(connection.Id, null, cursor, cancellationToken).ConfigureAwait(false);
        return added;
    }
}
