using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using KioskPos.Core.Money;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// What one call to a connection's list brought: the transactions it could read, the records it could not (the
/// provider's id and why, never recorded), where the next call starts, and whether the list has more after this page.
/// </summary>
internal sealed record PullPage(IReadOnlyList<IncomingTransfer> Transfers, IReadOnlyList<string> Refused, string? NextCursor, bool More);

/// <summary>
/// A provider's list API, asked page by page for what its webhook should have reported, from where the last pull
/// stopped. One <see cref="PullAsync"/> is one call; the worker keeps calling while <see cref="PullPage.More"/>.
/// </summary>
internal interface IBankPull
{
    string Provider { get; }

    /// <summary>The shortest pause between two calls to the provider from this server, whichever connection makes them (its documented rate limit).</summary>
    TimeSpan MinimumGap { get; }

    Task<PullPage> PullAsync(ProviderCalls calls, BankConnection connection, string? cursor, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// Every list call of the pull goes through here, so each provider's rate limit holds across all its connections:
/// SePay limits 3 requests a second <em>per IP</em> (developer.sepay.vn/en/sepay-api/v1/gioi-thieu; v2's
/// "Authentication &amp; Rate Limiting": checked before authentication), so two SePay connections of one province
/// share one budget. A 429 is waited out for the seconds the provider names (SePay v1's
/// <c>x-sepay-userapi-retry-after</c>, or the standard <c>Retry-After</c> its v2 sends) and the call made again.
/// </summary>
internal sealed class ProviderCalls(IHttpClientFactory clients, TimeProvider time)
{
    /// <summary>How often a call refused 429 is made again before the pull of that connection gives up for this round.</summary>
    public const int RetriesAfterRateLimit = 2;

    // The longest a provider's retry-after is obeyed within one pull: a longer one fails the connection's pull for
    // this round (its cursor kept), rather than holding every other connection behind it.
    private static readonly TimeSpan s_longestWait = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, DateTimeOffset> _nextSlot = new(StringComparer.Ordinal);

    /// <summary>GETs <paramref name="url"/> within <paramref name="pull"/>'s rate; a success's body as JSON, else <see cref="HttpRequestException"/>.</summary>
    public async Task<JsonDocument> GetJsonAsync(IBankPull pull, string url, AuthenticationHeaderValue authorization, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await WaitTurnAsync(pull, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = authorization;
            using var response = await clients.CreateClient("bank-pull").SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < RetriesAfterRateLimit && RetryAfter(response) is { } wait && wait <= s_longestWait)
            {
                Defer(pull, wait);
                continue;
            }

            response.EnsureSuccessStatusCode();
            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
        }
    }

    // Each call takes the next free slot of its provider (a slot is MinimumGap after the one before), so calls made
    // one after another, for one connection or several, never come closer than the gap.
    private Task WaitTurnAsync(IBankPull pull, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        DateTimeOffset slot;
        lock (_nextSlot)
        {
            slot = _nextSlot.TryGetValue(pull.Provider, out var next) && next > now ? next : now;
            _nextSlot[pull.Provider] = slot + pull.MinimumGap;
        }

        return slot > now ? Task.Delay(slot - now, time, cancellationToken) : Task.CompletedTask;
    }

    private void Defer(IBankPull pull, TimeSpan wait)
    {
        var until = time.GetUtcNow() + wait;
        lock (_nextSlot)
        {
            if (!_nextSlot.TryGetValue(pull.Provider, out var next) || next < until)
            {
                _nextSlot[pull.Provider] = until;
            }
        }
    }

    // Seconds as SePay writes them; one second when a 429 names none (SePay's own example value).
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("x-sepay-userapi-retry-after", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
    }
}

/// <summary>A cursor of the form <c>name=value&amp;…</c>: where a pull that ran out of pages, or was interrupted, goes on.</summary>
internal static class PullCursor
{
    public static Dictionary<string, string> Read(string cursor) =>
        cursor.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);

    public static string Write(params (string Name, string? Value)[] parts) =>
        string.Join('&', parts.Where(p => p.Value is not null).Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value!)}"));
}

/// <summary>
/// SePay's transaction list (<c>GET {base}/userapi/transactions/list</c>, <c>Authorization: Bearer &lt;API token&gt;</c>,
/// <c>account_number</c>, <c>since_id</c>, <c>transaction_date_min</c>/<c>_max</c>, <c>limit</c>): <c>{status, error,
/// messages, transactions: [{id, bank_brand_name, account_number, transaction_date, amount_out, amount_in,
/// accumulated, transaction_content, reference_number, code, sub_account, bank_account_id}]}</c>.
/// </summary>
/// <remarks>
/// SePay documents (developer.sepay.vn/en/sepay-api/v1/api-giao-dich; docs.sepay.vn/api-giao-dich.html) that the list
/// shows "the 5000 most recent transactions", that <c>since_id</c> is "&gt;=" and the date bounds "&gt;=" / "&lt;=",
/// and offers no ascending order and no upper id. So a full page is the <em>newest</em> <see cref="PageSize"/> after
/// the cursor, and the ones between the cursor and that page are still to come: the pull walks down, asking again with
/// <c>transaction_date_max</c> at the oldest time on the page (inclusive: a second shared across two pages is read
/// twice and recorded once by id), until a page is short. Only then does the cursor move to the highest id seen; until
/// then it says where the walk is (<c>since</c>, <c>min</c>, <c>before</c>, <c>top</c>), so a walk cut short by the
/// round's page limit or a failure goes on at the next pull instead of skipping what lay beneath.
/// </remarks>
internal sealed class SepayPull : IBankPull
{
    public const int PageSize = 100;

    public string Provider => BankProviders.Sepay;

    // 3 requests a second per IP (SePay's API overview, v1 and v2), with room for the clocks of two machines.
    public TimeSpan MinimumGap => TimeSpan.FromMilliseconds(400);

    public async Task<PullPage> PullAsync(ProviderCalls calls, BankConnection connection, string? cursor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A plain number is where the last complete walk ended; none, the first pull, looks back two days.
        var walk = cursor is null ? new Dictionary<string, string>(StringComparer.Ordinal) { ["min"] = now.AddDays(-2).ToOffset(BankProviders.VietnamOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }
            : cursor.Contains('=', StringComparison.Ordinal) ? PullCursor.Read(cursor)
            : new Dictionary<string, string>(StringComparer.Ordinal) { ["since"] = cursor };
        var since = walk.GetValueOrDefault("since");
        var before = walk.GetValueOrDefault("before");
        var url = $"{connection.ApiBaseUrl!.TrimEnd('/')}/userapi/transactions/list?account_number={Uri.EscapeDataString(connection.AccountNumber)}&limit={PageSize}"
            + (since is not null ? $"&since_id={Uri.EscapeDataString(since)}" : "")
            + (walk.GetValueOrDefault("min") is { } min ? $"&transaction_date_min={Uri.EscapeDataString(min)}" : "")
            + (before is not null ? $"&transaction_date_max={Uri.EscapeDataString(before)}" : "");
        using var json = await calls.GetJsonAsync(this, url, new AuthenticationHeaderValue("Bearer", connection.ApiKey), cancellationToken).ConfigureAwait(false);

        var transfers = new List<IncomingTransfer>();
        var refused = new List<string>();
        long? top = long.TryParse(walk.GetValueOrDefault("top") ?? since, NumberStyles.None, CultureInfo.InvariantCulture, out var t0) ? t0 : null;
        DateTimeOffset? oldest = null;
        var rows = 0;
        foreach (var t in json.RootElement.GetProperty("transactions").EnumerateArray())
        {
            rows++;
            string id = "?";
            try
            {
                id = SepayWebhook.Text(t, "id");
                if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    refused.Add($"{id}: id is not a number");
                    continue;
                }

                top = top is null || n > top ? n : top;
                if (BankProviders.ParseTime(SepayWebhook.Text(t, "transaction_date")) is not { } booked)
                {
                    // The webhook refuses such a time with a 400 naming it; a pulled record is refused the same way,
                    // never booked at the time of the pull.
                    refused.Add($"{id}: {BankProviders.TimeProblem("transaction_date")}");
                    continue;
                }

                oldest = oldest is null || booked < oldest ? booked : oldest;
                var amountIn = Money(t, "amount_in");
                var amountOut = Money(t, "amount_out");
                if (amountIn is null || amountOut is null)
                {
                    refused.Add($"{id}: amount_in or amount_out is not a whole number of đồng from 0 to {Vnd.MaxAmount}");
                    continue;
                }

                var text = string.Join(' ', new[] { SepayWebhook.Text(t, "transaction_content"), SepayWebhook.Text(t, "code") }.Where(s => s.Length > 0));
                // sub_account: the virtual account the payer paid into, as the webhook's subAccount (ReceivingAccounts decides).
                transfers.Add(new IncomingTransfer(id, SepayWebhook.Text(t, "account_number"), amountIn > 0 ? amountIn.Value : amountOut.Value, text, booked, Outgoing: amountIn <= 0,
                    SubAccount: SepayWebhook.Text(t, "sub_account") is { Length: > 0 } sub ? sub : null));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException)
            {
                // One record SePay wrote in a way this reader does not expect (a time before year 1 in Vietnam, a
                // broken string) is refused with the reason; the rest of the page is recorded.
                refused.Add($"{id}: {e.Message}");
            }
        }

        var topText = top?.ToString(CultureInfo.InvariantCulture);
        if (rows < PageSize)
        {
            return new PullPage(transfers, refused, topText ?? cursor, More: false);
        }

        var floor = oldest?.ToOffset(BankProviders.VietnamOffset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        if (floor is null || floor == before)
        {
            // Every row of a full page in one second (or without a time): no date bound can reach under it.
            throw new InvalidOperationException($"SePay's list holds more than {PageSize} transactions at {floor ?? "an unreadable time"} after id {since ?? "(none)"}; the pull cannot page beneath them");
        }

        return new PullPage(transfers, refused, PullCursor.Write(("since", since), ("min", walk.GetValueOrDefault("min")), ("before", floor), ("top", topText)), More: true);
    }

    // SePay writes amounts as decimal strings ("2277000.00"); a fraction of a đồng or an amount past Vnd.MaxAmount is
    // no amount this server can hold, so the record is refused rather than truncated or overflowed.
    private static long? Money(JsonElement t, string name)
    {
        var text = SepayWebhook.Text(t, name);
        if (text.Length == 0)
        {
            return 0;
        }

        return decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d) && d >= 0 && d <= Vnd.MaxAmount ? (long)d : null;
    }
}

/// <summary>
/// Casso's transaction list (<c>GET {base}/v2/transactions?fromDate=yyyy-MM-dd&amp;page=&amp;pageSize=&amp;sort=ASC</c>,
/// <c>Authorization: Apikey &lt;key&gt;</c>): <c>{error, message, data: {page, pageSize, nextPage, totalPages,
/// totalRecords, records: [{id, tid, description, amount, cusumBalance, when, bookingDate, bankSubAccId}]}}</c>.
/// </summary>
/// <remarks>
/// Casso documents (developer.casso.vn/casso-api/api/lay-giao-dich) <c>sort</c> ASC, the default, as oldest first by
/// the transaction's time, <c>nextPage</c> in every answer, and <c>fromDate</c> as a day. A walk starts a day before the
/// day the last complete walk started (the cursor, <c>yyyy-MM-dd</c>: a day of overlap for transactions Casso learns of
/// late), so after an outage of any length it starts where the province stopped, not at yesterday. It follows
/// <c>nextPage</c> to the end; a walk longer than the round's pages leaves <c>from</c>, <c>page</c> and <c>started</c>
/// in the cursor and goes on there at the next pull. Ascending pages only grow at the end, or shift later when a late
/// transaction lands inside the window, so going on by page number reads some twice (recorded once by id), never none.
/// </remarks>
internal sealed class CassoPull : IBankPull
{
    public const int PageSize = 100;

    public string Provider => BankProviders.Casso;

    public TimeSpan MinimumGap => TimeSpan.FromMilliseconds(500);

    public async Task<PullPage> PullAsync(ProviderCalls calls, BankConnection connection, string? cursor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = now.ToOffset(BankProviders.VietnamOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string from, started;
        var page = 1;
        if (cursor is not null && cursor.Contains('=', StringComparison.Ordinal))
        {
            var walk = PullCursor.Read(cursor);
            from = walk["from"];
            started = walk["started"];
            page = int.Parse(walk["page"], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        else
        {
            var last = cursor is not null && DateTime.TryParseExact(cursor, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
                : DateTime.ParseExact(today, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            from = last.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            started = today;
        }

        using var json = await calls.GetJsonAsync(this, $"{connection.ApiBaseUrl!.TrimEnd('/')}/v2/transactions?fromDate={from}&page={page}&pageSize={PageSize}&sort=ASC",
            new AuthenticationHeaderValue("Apikey", connection.ApiKey), cancellationToken).ConfigureAwait(false);
        var data = json.RootElement.GetProperty("data");
        var transfers = new List<IncomingTransfer>();
        var refused = new List<string>();
        foreach (var r in data.GetProperty("records").EnumerateArray())
        {
            var id = "?";
            try
            {
                id = SepayWebhook.Text(r, "id");
                // Casso writes money in as a positive whole number of đồng and money out as a negative one; anything
                // else (a fraction, a string, long.MinValue, which has no positive) is refused with the reason.
                if (!BankProviders.TryGetWhole(r, "amount", out var amount) || amount is 0 or < -Vnd.MaxAmount or > Vnd.MaxAmount)
                {
                    refused.Add($"{id}: amount must be a whole number of đồng from 1 to {Vnd.MaxAmount}, or its negative");
                    continue;
                }

                if (BankProviders.ParseTime(SepayWebhook.Text(r, "when")) is not { } booked)
                {
                    refused.Add($"{id}: {BankProviders.TimeProblem("when")}");
                    continue;
                }

                // The virtual account beside the main one, by the names Casso's webhooks use for it (ReceivingAccounts decides).
                var virtualAccount = SepayWebhook.Text(r, "virtualAccountNumber") is { Length: > 0 } va ? va : SepayWebhook.Text(r, "virtualAccount");
                transfers.Add(new IncomingTransfer(id, SepayWebhook.Text(r, "bankSubAccId") is { Length: > 0 } acc ? acc : connection.AccountNumber,
                    Math.Abs(amount), SepayWebhook.Text(r, "description"), booked, Outgoing: amount < 0,
                    SubAccount: virtualAccount.Length > 0 ? virtualAccount : null));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException)
            {
                refused.Add($"{id}: {e.Message}");
            }
        }

        var next = data.TryGetProperty("nextPage", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var p) && p > page ? p : (int?)null;
        return next is { } nextPage
            ? new PullPage(transfers, refused, PullCursor.Write(("from", from), ("page", nextPage.ToString(CultureInfo.InvariantCulture)), ("started", started)), More: true)
            : new PullPage(transfers, refused, started, More: false);
    }
}
