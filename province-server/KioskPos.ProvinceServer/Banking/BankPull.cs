using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>What one pull of a connection brought: the transactions, and where the next pull starts.</summary>
internal sealed record PullPage(IReadOnlyList<IncomingTransfer> Transfers, string? NextCursor, bool More);

/// <summary>
/// A provider's list API, asked for what its webhook should have reported, from where the last pull stopped.
/// </summary>
internal interface IBankPull
{
    string Provider { get; }

    /// <summary>The shortest pause between two calls to the provider (its documented rate limit).</summary>
    TimeSpan MinimumGap { get; }

    Task<PullPage> PullAsync(HttpClient http, BankConnection connection, string? cursor, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// SePay's transaction list (<c>GET {base}/userapi/transactions/list</c>, <c>Authorization: Bearer &lt;API token&gt;</c>,
/// <c>account_number</c>, <c>since_id</c>, <c>limit</c>): <c>{status, error, messages, transactions: [{id,
/// bank_brand_name, account_number, transaction_date, amount_out, amount_in, accumulated, transaction_content,
/// reference_number, code, sub_account, bank_account_id}]}</c>. At most 3 calls a second; the cursor is the last id.
/// </summary>
internal sealed class SepayPull : IBankPull
{
    public const int PageSize = 100;

    public string Provider => BankProviders.Sepay;

    public TimeSpan MinimumGap => TimeSpan.FromMilliseconds(400);

    public async Task<PullPage> PullAsync(HttpClient http, BankConnection connection, string? cursor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var url = $"{connection.ApiBaseUrl!.TrimEnd('/')}/userapi/transactions/list?account_number={Uri.EscapeDataString(connection.AccountNumber)}&limit={PageSize}"
            + (cursor is null ? $"&transaction_date_min={now.AddDays(-2).ToOffset(BankProviders.VietnamOffset):yyyy-MM-dd}" : $"&since_id={Uri.EscapeDataString(cursor)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.ApiKey);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        var transfers = new List<IncomingTransfer>();
        var last = cursor;
        foreach (var t in json.RootElement.GetProperty("transactions").EnumerateArray())
        {
            var id = SepayWebhook.Text(t, "id");
            var amountIn = Money(t, "amount_in");
            var booked = BankProviders.ParseTime(SepayWebhook.Text(t, "transaction_date")) ?? now;
            var text = string.Join(' ', new[] { SepayWebhook.Text(t, "transaction_content"), SepayWebhook.Text(t, "code") }.Where(s => s.Length > 0));
            transfers.Add(new IncomingTransfer(id, SepayWebhook.Text(t, "account_number"), amountIn > 0 ? amountIn : Money(t, "amount_out"), text, booked, Outgoing: amountIn <= 0));
            last = long.TryParse(id, out var n) && (!long.TryParse(last, out var l) || n > l) ? id : last;
        }

        return new PullPage(transfers, last, transfers.Count == PageSize);
    }

    // SePay writes amounts as decimal strings ("2277000.00").
    private static long Money(JsonElement t, string name) =>
        decimal.TryParse(SepayWebhook.Text(t, name), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? (long)d : 0;
}

/// <summary>
/// Casso's transaction list (<c>GET {base}/v2/transactions?fromDate=yyyy-MM-dd&amp;page=&amp;pageSize=&amp;sort=ASC</c>,
/// <c>Authorization: Apikey &lt;key&gt;</c>): <c>{error, message, data: {page, pageSize, nextPage, totalPages,
/// totalRecords, records: [{id, tid, description, amount, cusumBalance, when, bookingDate, bankSubAccId}]}}</c>. The
/// cursor is the day the last pull started from; what it brings again is recorded once by id.
/// </summary>
internal sealed class CassoPull : IBankPull
{
    public const int PageSize = 100;

    public string Provider => BankProviders.Casso;

    public TimeSpan MinimumGap => TimeSpan.FromMilliseconds(500);

    public async Task<PullPage> PullAsync(HttpClient http, BankConnection connection, string? cursor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var from = now.AddDays(-1).ToOffset(BankProviders.VietnamOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var transfers = new List<IncomingTransfer>();
        for (var page = 1; page <= 20; page++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{connection.ApiBaseUrl!.TrimEnd('/')}/v2/transactions?fromDate={from}&page={page}&pageSize={PageSize}&sort=ASC");
            request.Headers.Authorization = new AuthenticationHeaderValue("Apikey", connection.ApiKey);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            var data = json.RootElement.GetProperty("data");
            foreach (var r in data.GetProperty("records").EnumerateArray())
            {
                var amount = r.GetProperty("amount").GetInt64();
                transfers.Add(new IncomingTransfer(SepayWebhook.Text(r, "id"), SepayWebhook.Text(r, "bankSubAccId") is { Length: > 0 } acc ? acc : connection.AccountNumber,
                    Math.Abs(amount), SepayWebhook.Text(r, "description"), BankProviders.ParseTime(SepayWebhook.Text(r, "when")) ?? now, Outgoing: amount < 0));
            }

            if (!data.TryGetProperty("totalPages", out var pages) || page >= pages.GetInt32())
            {
                break;
            }

            await Task.Delay(MinimumGap, cancellationToken).ConfigureAwait(false);
        }

        return new PullPage(transfers, from, false);
    }
}
