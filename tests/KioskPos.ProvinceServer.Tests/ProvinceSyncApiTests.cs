using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests;

public abstract class ProvinceSyncApiTests(ProvinceEngine engine)
{
    private static JournalEntryDto Payment(long sequence, string account, string billId, long amount, string terminal = "KP-THCS-ND-01") =>
        new(sequence, EntryKinds.PaymentCreated, new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero).AddMinutes(sequence),
            Payment: new PaymentCreatedDto($"{terminal}-{sequence:D8}", account, "04A1B2C3", "card_balance", amount, [new AllocationDto(billId, amount)], null));

    /// <summary>Links entries into a hash chain as a terminal's journal does, starting after <paramref name="prevHash"/>.</summary>
    private static JournalEntryDto[] Chain(string prevHash, params JournalEntryDto[] entries)
    {
        var chained = new JournalEntryDto[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var hash = EntryCanonicalForm.ChainHash(prevHash, entries[i]);
            chained[i] = entries[i] with { PrevHash = prevHash, Hash = hash };
            prevHash = hash;
        }

        return chained;
    }

    private static Task<HttpResponseMessage> PushAsync(HttpClient client, params JournalEntryDto[] entries) =>
        PushChainedAsync(client, Chain(EntryCanonicalForm.GenesisHash, entries));

    private static Task<HttpResponseMessage> PushChainedAsync(HttpClient client, params JournalEntryDto[] entries) =>
        client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-01", entries), ContractsJsonContext.Default.PushRequest);

    [Fact]
    public async Task Unsigned_requests_and_the_admin_api_without_its_token_are_refused()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var anonymous = new HttpClient { BaseAddress = province.BaseUrl };
        var response = await anonymous.GetAsync(SyncProtocol.PullPath);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unsigned", (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/admin/payments")).StatusCode);
    }

    [Fact]
    public async Task A_terminal_pulls_only_its_institution_page_by_page_then_nothing_until_a_change()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        var accounts = new List<AccountDto>();
        var bills = new List<BillDto>();
        string? cursor = null;
        var pages = 0;
        PullResponse page;
        do
        {
            page = (await client.GetFromJsonAsync($"{SyncProtocol.PullPath}?limit=17{(cursor is null ? string.Empty : "&cursor=" + cursor)}", ContractsJsonContext.Default.PullResponse))!;
            Assert.Equal(pages == 0, page.Full);
            Assert.True(page.Accounts.Count + page.Bills.Count <= 17);
            Assert.Equal(10_000_000, page.LargeTransferAbove); // the province's default large-transfer amount (decision 2345), on every page
            accounts.AddRange(page.Accounts);
            bills.AddRange(page.Bills);
            cursor = page.Cursor;
            pages++;
        }
        while (page.HasMore);

        Assert.True(pages > 1);
        Assert.Equal("TG-THCS-NGUYENDU", page.Institution.Id);
        Assert.Equal(30, accounts.Select(a => a.Code).Distinct().Count());
        Assert.All(accounts, a => Assert.StartsWith("HS", a.Code));
        Assert.All(bills, b => Assert.StartsWith("HS", b.AccountCode));
        Assert.Equal(70, bills.Count); // 30 tuition + 30 boarding + 10 December tuition
        Assert.All(bills, b => Assert.Equal(b.Total, b.Lines.Sum(l => l.Amount)));

        var nothing = (await client.GetFromJsonAsync($"{SyncProtocol.PullPath}?cursor={cursor}", ContractsJsonContext.Default.PullResponse))!;
        Assert.Empty(nothing.Accounts);
        Assert.Empty(nothing.Bills);
        Assert.False(nothing.Full);

        (await PushAsync(client, Payment(1, "HS240001", "HP-2611-HS240001", 150_000))).EnsureSuccessStatusCode();
        var changed = (await client.GetFromJsonAsync($"{SyncProtocol.PullPath}?cursor={cursor}", ContractsJsonContext.Default.PullResponse))!;
        Assert.Equal(1_850_000, Assert.Single(changed.Accounts).Balance);
        Assert.Equal(150_000, Assert.Single(changed.Bills).Paid);

        // A cursor from another database (or garbage) gives a full resync, not an error.
        var foreign = (await client.GetFromJsonAsync($"{SyncProtocol.PullPath}?cursor=deadbeef.5", ContractsJsonContext.Default.PullResponse))!;
        Assert.True(foreign.Full);
    }

    private static async Task<PullResponse> PullAsync(HttpClient client, string? cursor, int limit) =>
        (await client.GetFromJsonAsync($"{SyncProtocol.PullPath}?limit={limit}{(cursor is null ? string.Empty : "&cursor=" + cursor)}", ContractsJsonContext.Default.PullResponse))!;

    /// <summary>
    /// Pulls from <paramref name="cursor"/> page by page until the server says there is no more, checking that every
    /// page holds at most <paramref name="limit"/> rows, each in the page's window (after the cursor it was asked with,
    /// at or below the cursor it gives), in the order of their versions.
    /// </summary>
    /// <returns>Every row seen ("account HS…", "bill …", as often as seen) and the last cursor.</returns>
    private static async Task<(List<string> Rows, string Cursor)> PullAllAsync(HttpClient client, string? cursor, int limit, bool full)
    {
        var rows = new List<string>();
        PullResponse page;
        var first = true;
        do
        {
            page = await PullAsync(client, cursor, limit);
            Assert.Equal(full && first, page.Full);
            Assert.InRange(page.Accounts.Count + page.Bills.Count, 1, limit);
            var after = cursor is null ? 0 : long.Parse(cursor[(cursor.LastIndexOf('.') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            var upTo = long.Parse(page.Cursor[(page.Cursor.LastIndexOf('.') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.All(page.Accounts.Select(a => a.Version).Concat(page.Bills.Select(b => b.Version)), v => Assert.InRange(v, after + 1, upTo));
            Assert.Equal(page.Accounts.Select(a => a.Version).Order(), page.Accounts.Select(a => a.Version));
            Assert.Equal(page.Bills.Select(b => b.Version).Order(), page.Bills.Select(b => b.Version));
            rows.AddRange(page.Accounts.Select(a => "account " + a.Code));
            rows.AddRange(page.Bills.Select(b => "bill " + b.Id));
            cursor = page.Cursor;
            first = false;
        }
        while (page.HasMore);

        return (rows, cursor);
    }

    [Fact]
    public async Task Pages_smaller_than_the_changes_give_every_changed_account_and_bill_once_and_end_at_the_counter()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        const string Institution = "TG-THCS-NGUYENDU";
        var epoch = (string)(await province.ScalarAsync("SELECT value FROM meta WHERE key = 'epoch'"))!;
        async Task<string> CounterAsync() =>
            $"{epoch}.{Convert.ToInt64(await province.ScalarAsync(ChangeVersions.CurrentSql, ("$i", Institution)), System.Globalization.CultureInfo.InvariantCulture)}";

        // The full resync: 30 accounts and 70 bills in pages of 7, the last one short.
        var (everything, cursor) = await PullAllAsync(client, null, 7, full: true);
        Assert.Equal(everything.Count, everything.Distinct().Count());
        Assert.Equal(
            Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM accounts WHERE institution_id = $i", ("$i", Institution)), System.Globalization.CultureInfo.InvariantCulture)
            + Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills WHERE institution_id = $i", ("$i", Institution)), System.Globalization.CultureInfo.InvariantCulture),
            everything.Count);
        Assert.Equal(await CounterAsync(), cursor);

        // Nothing changed: empty lists and the same cursor, as often as asked.
        for (var i = 0; i < 2; i++)
        {
            var nothing = await PullAsync(client, cursor, 7);
            Assert.Equal((cursor, false, false), (nothing.Cursor, nothing.Full, nothing.HasMore));
            Assert.Empty(nothing.Accounts);
            Assert.Empty(nothing.Bills);
        }

        // Five payments change five accounts and five bills: ten rows in pages of 3, each once.
        string[] codes = ["HS240001", "HS240003", "HS240005", "HS240007", "HS240009"];
        (await PushAsync(client, codes.Select((code, i) => Payment(i + 1, code, $"HP-2611-{code}", 100_000)).ToArray())).EnsureSuccessStatusCode();
        var (changed, after) = await PullAllAsync(client, cursor, 3, full: false);
        Assert.Equal(codes.Select(c => "account " + c).Concat(codes.Select(c => $"bill HP-2611-{c}")).Order(), changed.Order());
        Assert.Equal(await CounterAsync(), after);
        Assert.Empty((await PullAsync(client, after, 3)).Accounts);

        // A cursor of another epoch, or one past the counter, starts again from the beginning, as no cursor does.
        var fromNothing = await PullAsync(client, null, 7);
        foreach (var foreign in new[] { $"deadbeef.{after[(after.LastIndexOf('.') + 1)..]}", $"{after}1", $"{epoch}.x" })
        {
            var again = await PullAsync(client, foreign, 7);
            Assert.True(again.Full, foreign);
            Assert.Equal((fromNothing.Cursor, fromNothing.HasMore), (again.Cursor, again.HasMore));
            Assert.Equal(fromNothing.Accounts.Select(a => a.Code), again.Accounts.Select(a => a.Code));
            Assert.Equal(fromNothing.Bills.Select(b => b.Id), again.Bills.Select(b => b.Id));
        }
    }

    [Fact]
    public async Task Pushing_the_same_batch_twice_changes_nothing_and_returns_the_original_result()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        var batch = new[] { Payment(1, "HS240001", "HP-2611-HS240001", 150_000), Payment(2, "HS240001", "BT-2611-HS240001", 600_000) };

        var first = (await (await PushAsync(client, batch)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!;
        Assert.Equal(2, first.HighestContiguous);
        Assert.All(first.Results, r => Assert.Equal("accepted", r.Status));
        Assert.Equal(1_250_000, first.Results[1].BalanceAfter);

        var again = await PushAsync(client, batch);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var second = (await again.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!;
        Assert.All(second.Results, r => Assert.Equal("duplicate", r.Status));
        Assert.Equal(first.Results.Select(r => r.BalanceAfter), second.Results.Select(r => r.BalanceAfter));

        Assert.Equal(1_250_000, await province.BalanceAsync("HS240001"));
        Assert.Equal(2, (await province.PaymentsAsync("HS240001")).Length);
    }

    [Fact]
    public async Task The_same_sequence_with_other_content_is_refused_with_409_and_an_alert()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        (await PushAsync(client, Payment(1, "HS240001", "HP-2611-HS240001", 150_000))).EnsureSuccessStatusCode();

        var response = await PushAsync(client, Payment(1, "HS240001", "HP-2611-HS240001", 100_000));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
        Assert.Equal("sequence_conflict", problem.Code);
        Assert.Equal(1, problem.Sequence);
        Assert.Equal(1_850_000, await province.BalanceAsync("HS240001"));

        Assert.Equal(1L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM alerts WHERE kind = 'sequence_conflict' AND terminal_id = 'KP-THCS-ND-01'")));
    }

    [Theory]
    [InlineData("{\"terminalId\":\"KP-THCS-ND-01\",\"entries\":[{\"sequence\":1,", "malformed_json")]
    [InlineData("not json at all", "malformed_json")]
    [InlineData("", "malformed_json")]
    [InlineData("null", "malformed_json")]
    [InlineData("{\"terminalId\":\"KP-THCS-ND-01\",\"entries\":[{\"sequence\":\"one\",\"kind\":\"payment.created\",\"createdAt\":\"2026-11-23T02:00:00Z\"}]}", "malformed_json")]
    [InlineData("{\"terminalId\":\"KP-THCS-ND-01\"}", "malformed_json")]
    [InlineData("{\"terminalId\":\"KP-THCS-ND-01\",\"entries\":[]}", "batch_size")]
    [InlineData("{\"terminalId\":\"KP-THCS-ND-01\",\"entries\":[{\"sequence\":1,\"kind\":\"nonsense\",\"createdAt\":\"2026-11-23T02:00:00Z\",\"payment\":null,\"receipt\":null}]}", "invalid_entry")]
    public async Task Malformed_pushes_get_400_with_a_message_and_store_nothing(string body, string code)
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        var response = await client.PostAsync(SyncProtocol.PushPath, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
        Assert.Equal(code, problem.Code);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        Assert.Empty(await province.PaymentsAsync());
    }

    [Fact]
    public async Task An_entry_whose_allocations_do_not_add_up_is_refused_naming_its_sequence()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        var bad = Payment(1, "HS240001", "HP-2611-HS240001", 150_000) is var e ? e with { Payment = e.Payment! with { Amount = 1 } } : null!;
        var response = await PushAsync(client, bad);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
        Assert.Equal(1, problem.Sequence);
        Assert.Contains("sum", problem.Detail);
    }

    [Fact]
    public async Task A_payment_naming_one_bill_twice_is_refused_and_nothing_is_stored()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        var twice = Payment(1, "HS240001", "HP-2611-HS240001", 150_000) is var e
            ? e with { Payment = e.Payment! with { Allocations = [new AllocationDto("HP-2611-HS240001", 100_000), new AllocationDto("HP-2611-HS240001", 50_000)] } }
            : null!;
        var response = await PushAsync(client, twice);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
        Assert.Equal(("invalid_entry", 1L), (problem.Code, problem.Sequence));
        Assert.Contains("once", problem.Detail);
        Assert.Empty(await province.PaymentsAsync());
        Assert.Equal(2_000_000, await province.BalanceAsync("HS240001"));
    }

    [Fact]
    public async Task An_entry_that_does_not_continue_the_terminals_chain_is_refused_as_diverged()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        var history = Chain(EntryCanonicalForm.GenesisHash, Payment(1, "HS240001", "HP-2611-HS240001", 150_000), Payment(2, "HS240001", "BT-2611-HS240001", 100_000));
        (await PushChainedAsync(client, history)).EnsureSuccessStatusCode();

        // Entry 3 from a terminal whose journal was replaced (restored from an old backup, or forged): it chains
        // from something other than entry 2.
        var forged = Chain(EntryCanonicalForm.GenesisHash, Payment(3, "HS240001", "BT-2611-HS240001", 100_000));
        var response = await PushChainedAsync(client, forged);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
        Assert.Equal("chain_diverged", problem.Code);
        Assert.Equal(3, problem.Sequence);
        Assert.Equal(1_750_000, await province.BalanceAsync("HS240001"));

        // The genuine entry 3 continues the chain.
        var genuine = Chain(history[1].Hash!, Payment(3, "HS240001", "BT-2611-HS240001", 100_000));
        (await PushChainedAsync(client, genuine)).EnsureSuccessStatusCode();
        Assert.Equal(1_650_000, await province.BalanceAsync("HS240001"));
    }

    [Fact]
    public async Task An_entry_changed_after_it_was_hashed_is_refused()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        var entry = Chain(EntryCanonicalForm.GenesisHash, Payment(1, "HS240001", "HP-2611-HS240001", 150_000))[0];
        var changed = entry with { Payment = entry.Payment! with { AccountCode = "HS240004" } };
        var response = await PushChainedAsync(client, changed);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("hash does not match", (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!.Detail);
        Assert.Empty(await province.PaymentsAsync());
    }

    [Fact]
    public async Task A_batch_for_another_terminal_is_refused()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        var response = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-TTYT-CT-01", [Payment(1, "HS240001", "HP-2611-HS240001", 150_000)]), ContractsJsonContext.Default.PushRequest);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("terminal_mismatch", (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!.Code);
        Assert.Empty(await province.PaymentsAsync());
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM journal_entries"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2_000_000, await province.BalanceAsync("HS240001"));
    }

    [Fact]
    public async Task An_offline_overdraft_is_accepted_as_a_fact_and_flagged()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();

        // HS240002 holds 150.000; a terminal that was offline took 600.000 for boarding.
        var response = (await (await PushAsync(client, Payment(1, "HS240002", "BT-2611-HS240002", 600_000))).Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!;
        var result = Assert.Single(response.Results);
        Assert.Equal("accepted", result.Status);
        Assert.Contains("overdraft", result.Flags);
        Assert.Equal(-450_000, await province.BalanceAsync("HS240002"));
    }

    [Fact]
    public async Task Canonical_digest_ignores_json_formatting_but_not_content()
    {
        var entry = Payment(3, "HS240001", "HP-2611-HS240001", 150_000);
        var json = JsonSerializer.Serialize(entry, ContractsJsonContext.Default.JournalEntryDto);
        var reparsed = JsonSerializer.Deserialize(json.Replace(",", " ,\n "), ContractsJsonContext.Default.JournalEntryDto)!;
        Assert.Equal(EntryCanonicalForm.Digest(entry), EntryCanonicalForm.Digest(reparsed));
        Assert.NotEqual(EntryCanonicalForm.Digest(entry), EntryCanonicalForm.Digest(entry with { Payment = entry.Payment! with { Amount = 150_001 } }));
        Assert.NotEqual(EntryCanonicalForm.Digest(entry), EntryCanonicalForm.Digest(entry with { Payment = entry.Payment! with { Operator = "x\nseq=3" } }));
        await Task.CompletedTask;
    }
}

/// <summary>ProvinceSyncApi on the embedded SQLite file.</summary>
public sealed class ProvinceSyncApiSqliteTests() : ProvinceSyncApiTests(ProvinceEngine.Sqlite);

/// <summary>ProvinceSyncApi on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class ProvinceSyncApiPostgresTests() : ProvinceSyncApiTests(ProvinceEngine.Postgres);
