using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

public class TerminalEndToEndTests
{
    [Fact]
    public async Task A_tapped_card_pays_one_bill_the_receipt_prints_and_the_server_holds_it_once()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        Assert.Equal(2_000_000, await province.BalanceAsync("HS240001"));

        var tap = await terminal.TapAsync("04:a1:b2:c3");
        Assert.True(tap.GetProperty("recognised").GetBoolean());
        Assert.Equal("HS240001", tap.GetProperty("payerCode").GetString());

        var payer = await (await terminal.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04A1B2C3");
        Assert.Equal("N. M. Anh", payer.GetProperty("maskedName").GetString());
        Assert.Equal("2.000.000 ₫", payer.GetProperty("availableBalanceText").GetString());
        Assert.Contains(payer.GetProperty("openBills").EnumerateArray(), b => b.GetProperty("id").GetString() == "HP-2611-HS240001");

        using var response = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var payment = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = payment.GetProperty("id").GetString()!;
        Assert.Equal("KP-THCS-ND-01-00000001", id);
        Assert.Equal("150.000 ₫", payment.GetProperty("amountText").GetString());
        // The answer goes once the payment is recorded, before the paper (issue #26); the receipt then prints. The
        // answer says where the terminal's time went (make bench reads it; no timing is asserted here).
        Assert.Equal("pending", payment.GetProperty("receipt").GetProperty("state").GetString());
        Assert.Matches(@"^check;dur=[0-9.]+, lock;dur=[0-9.]+, authorise;dur=[0-9.]+, commit;dur=[0-9.]+$", Assert.Single(response.Headers.GetValues("Server-Timing")));
        Assert.DoesNotContain("04A1B2C3", payment.GetRawText());
        Assert.Equal("printed", (await terminal.ReceiptSettledAsync(id)).GetProperty("receipt").GetProperty("state").GetString());

        var receipt = await File.ReadAllTextAsync(Path.Combine(terminal.ReceiptsFolder, id + ".txt"));
        Assert.Contains("BIÊN LAI THU HỌC PHÍ", receipt);
        Assert.Contains("Nguyễn Minh Anh", receipt);
        Assert.Contains("150.000 ₫", receipt);
        Assert.Contains("1.850.000 ₫", receipt);

        // The worker was woken by the payment: no manual sync here.
        await Wait.UntilAsync(async () => (await province.PaymentsAsync("HS240001")).Length == 1, TimeSpan.FromSeconds(15), "the payment at the province server");
        await Wait.UntilAsync(
            async () => (await terminal.PaymentAsync(id)).GetProperty("sync").GetString() == "synced",
            TimeSpan.FromSeconds(15), "the terminal to see the acknowledgement");
        var held = Assert.Single(await province.PaymentsAsync("HS240001"));
        Assert.Equal(id, held.GetProperty("id").GetString());
        Assert.Equal(150_000, held.GetProperty("amount").GetInt64());
        Assert.Equal(1_850_000, await province.BalanceAsync("HS240001"));

        // Another round pulls the server's truth back; nothing is counted twice.
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        payer = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240001");
        Assert.Equal(1_850_000, payer.GetProperty("availableBalance").GetInt64());
        Assert.DoesNotContain(payer.GetProperty("openBills").EnumerateArray(), b => b.GetProperty("id").GetString() == "HP-2611-HS240001");
        Assert.Equal(1_850_000, await province.BalanceAsync("HS240001"));
    }

    [Fact]
    public async Task A_lost_acknowledgement_makes_the_terminal_push_again_and_the_server_counts_it_once()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04A1B2C3");
        (await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001", "BT-2611-HS240001")).EnsureSuccessStatusCode();
        await Wait.UntilAsync(async () => (await province.PaymentsAsync("HS240001")).Length == 1, TimeSpan.FromSeconds(15), "the first push");

        // The receipt's entry follows the answer once the paper is out (on a loaded machine, after the first push).
        await Wait.UntilAsync(async () => await terminal.JournalCountAsync() >= 2, TimeSpan.FromSeconds(15), "the receipt printed");
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);

        // As if the server's answer had been lost after it committed: the whole journal is queued again.
        var database = terminal.App.Services.GetRequiredService<SqliteDatabase>();
        await using (var connection = await database.OpenAsync())
        {
            Assert.True(await connection.ExecuteAsync("UPDATE outbox SET state = 'pending', sent_at = NULL", null, default) >= 2);
        }

        // Pushed again (by this round or by the terminal's own sync loop beside it), and counted once.
        var round = await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Null(round.Error);
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        Assert.Single(await province.PaymentsAsync("HS240001"));
        Assert.Equal(2_000_000 - 750_000, await province.BalanceAsync("HS240001"));
        var status = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.Equal(0, status.GetProperty("sync").GetProperty("queued").GetInt32());
    }

    [Fact]
    public async Task A_payment_above_the_balance_is_refused_with_a_clear_error_and_nothing_queued()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04D4E5F6");
        using var response = await terminal.PayAsync("04D4E5F6", "BT-2611-HS240002");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("insufficient_balance", problem.Code);
        Assert.Equal("Số dư thẻ không đủ: còn 150.000 ₫, cần 600.000 ₫.", problem.Title);
        Assert.Contains("not enough", problem.Detail);
        Assert.Empty((await (await terminal.StaffAsync(StaffRole.Cashier)).GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
        Assert.Equal(150_000, await province.BalanceAsync("HS240002"));
    }

    [Fact]
    public async Task An_unknown_card_is_not_recognised_anywhere()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var tap = await terminal.TapAsync("0000AAAA");
        Assert.False(tap.GetProperty("recognised").GetBoolean());

        using var lookup = await (await terminal.CashierAsync()).GetAsync("/api/v1/payers/by-card/0000AAAA");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
        var problem = await lookup.ProblemAsync();
        Assert.Equal("card_not_recognised", problem.Code);
        Assert.StartsWith("Không nhận ra thẻ", problem.Title);

        using var pay = await terminal.PayAsync("0000AAAA", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.NotFound, pay.StatusCode);
        Assert.Equal("card_not_recognised", (await pay.ProblemAsync()).Code);

        var home = await terminal.Http.GetStringAsync("/");
        Assert.Contains("Không nhận ra thẻ", home);
    }

    [Fact]
    public async Task A_blocked_card_and_a_card_not_on_the_reader_are_refused()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);

        using var notTapped = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notTapped.StatusCode);
        Assert.Equal("card_not_presented", (await notTapped.ProblemAsync()).Code);

        await terminal.TapAsync("04112233");
        using var blocked = await terminal.PayAsync("04112233", "HP-2611-HS240003");
        Assert.Equal("card_blocked", (await blocked.ProblemAsync()).Code);

        // One tap pays once: a second payment needs a second tap.
        await terminal.TapAsync("04A1B2C3");
        (await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001")).EnsureSuccessStatusCode();
        using var again = await terminal.PayAsync("04A1B2C3", "BT-2611-HS240001");
        Assert.Equal("card_not_presented", (await again.ProblemAsync()).Code);
    }

    [Theory]
    [InlineData("{\"cardUid\":\"04A1B2C3\",\"bills\":[{\"billId\":", "malformed_json")]
    [InlineData("[1,2,3]", "malformed_json")]
    [InlineData("", "malformed_json")]
    [InlineData("{\"cardUid\":\"04A1B2C3\",\"bills\":[{\"billId\":\"HP-2611-HS240001\",\"amount\":\"lots\"}]}", "malformed_json")]
    [InlineData("{\"cardUid\":\"04A1B2C3\",\"bills\":[{\"billId\":\"HP-2611-HS240001\",\"amount\":1.5}]}", "malformed_json")]
    [InlineData("{\"cardUid\":\"04A1B2C3\",\"bills\":[{\"billId\":\"HP-2611-HS240001\",\"amount\":-5}]}", "invalid_request")]
    [InlineData("{\"cardUid\":\"04A1B2C3\",\"bills\":[]}", "invalid_request")]
    [InlineData("{\"cardUid\":\"not-a-uid\",\"bills\":[{\"billId\":\"HP-2611-HS240001\"}]}", "invalid_request")]
    [InlineData("{\"cardUid\":\"04A1B2C3\",\"method\":\"cash\",\"bills\":[{\"billId\":\"HP-2611-HS240001\"}]}", "invalid_request")]
    [InlineData("{\"bills\":[{\"billId\":\"HP-2611-HS240001\"}]}", "invalid_request")]
    public async Task Malformed_payment_requests_get_400_with_a_message_never_500(string body, string code)
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04A1B2C3");
        using var response = await terminal.Http.PostAsync("/api/v1/payments", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ProblemAsync();
        Assert.Equal(code, problem.Code);
        Assert.False(string.IsNullOrWhiteSpace(problem.Title));
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        Assert.Empty((await (await terminal.StaffAsync(StaffRole.Cashier)).GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }

    [Fact]
    public async Task A_retried_request_with_the_same_idempotency_key_pays_once()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04A1B2C3");
        HttpResponseMessage Send()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments")
            {
                Content = JsonContent.Create(new { cardUid = "04A1B2C3", bills = new[] { new { billId = "HP-2611-HS240001" } } }),
            };
            request.Headers.Add("Idempotency-Key", "screen-7f3a");
            return terminal.Http.Send(request);
        }

        using var first = Send();
        using var second = Send();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var replay = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString(), replay.GetProperty("id").GetString());
        Assert.Single((await (await terminal.StaffAsync(StaffRole.Cashier)).GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }

    [Fact]
    public async Task A_card_payment_answers_before_its_receipt_prints_and_says_at_once_when_the_printer_is_known_out_of_paper()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = true })).EnsureSuccessStatusCode();
        await terminal.TapAsync("04A1B2C3");
        string first;
        using (var response = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            first = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        Assert.Equal("failed", (await terminal.ReceiptSettledAsync(first)).GetProperty("receipt").GetProperty("state").GetString());
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("state").GetString() == "paper_out",
            TimeSpan.FromSeconds(10), "the printer shown out of paper");

        // The terminal knows the paper is out: the next payment's own answer says so, in Vietnamese first, so the
        // payer is told at once; the payment is taken all the same and its receipt held.
        await terminal.TapAsync("04A1B2C3");
        using var second = await terminal.PayAsync("04A1B2C3", "BT-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var answer = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("failed", answer.GetProperty("receipt").GetProperty("state").GetString());
        Assert.Contains("hết giấy", answer.GetProperty("receipt").GetProperty("detail").GetString(), StringComparison.Ordinal);
        var secondId = answer.GetProperty("id").GetString()!;
        Assert.Equal("completed", (await terminal.PaymentAsync(secondId)).GetProperty("state").GetString());

        // Paper back: both held receipts print by themselves, each once.
        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = false })).EnsureSuccessStatusCode();
        foreach (var id in new[] { first, secondId })
        {
            await Wait.UntilAsync(async () => (await terminal.PaymentAsync(id)).GetProperty("receipt").GetProperty("state").GetString() == "printed",
                TimeSpan.FromSeconds(15), $"the held receipt of {id} printed after the paper came back");
        }

        Assert.Equal(2, (await terminal.Http.GetFromJsonAsync<JsonElement>("/dev/printer")).GetProperty("completePages").GetInt32());
    }

    [Fact]
    public async Task Out_of_paper_keeps_the_payment_holds_the_receipt_and_prints_it_once_by_itself_when_paper_is_back()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = true })).EnsureSuccessStatusCode();
        await terminal.TapAsync("04A1B2C3");
        using var response = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var payment = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = payment.GetProperty("id").GetString()!;
        // The answer does not wait for the paper: it says failed when the queue already knew, otherwise pending;
        // the payment as the kiosk then reads it says the paper is out.
        Assert.Contains(payment.GetProperty("receipt").GetProperty("state").GetString(), new[] { "pending", "failed" });
        var settled = (await terminal.ReceiptSettledAsync(id)).GetProperty("receipt");
        Assert.Equal("failed", settled.GetProperty("state").GetString());
        Assert.Contains("hết giấy", settled.GetProperty("detail").GetString());
        Assert.False(File.Exists(Path.Combine(terminal.ReceiptsFolder, id + ".png")));

        // The screens and the API see the printer's state and the held job.
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("state").GetString() == "paper_out",
            TimeSpan.FromSeconds(10), "the printer shown out of paper");
        var printer = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer");
        Assert.Equal(1, printer.GetProperty("waiting").GetInt32());
        Assert.Equal("held", printer.GetProperty("recent")[0].GetProperty("state").GetString());
        Assert.Equal("paper_out", (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("printerState").GetProperty("state").GetString());

        // Paper back: nobody asks for a reprint; the queue prints the held receipt, once, as the original.
        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = false })).EnsureSuccessStatusCode();
        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(id)).GetProperty("receipt").GetProperty("state").GetString() == "printed",
            TimeSpan.FromSeconds(15), "the held receipt printed after the paper came back");
        Assert.True(File.Exists(Path.Combine(terminal.ReceiptsFolder, id + ".png")));
        var original = await File.ReadAllTextAsync(Path.Combine(terminal.ReceiptsFolder, id + ".txt"));
        Assert.DoesNotContain("IN LẠI", original, StringComparison.Ordinal);
        var paper = await terminal.Http.GetFromJsonAsync<JsonElement>("/dev/printer");
        Assert.Equal(1, paper.GetProperty("completePages").GetInt32());
        Assert.Equal("ready", (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("state").GetString());

        // Asked again, the receipt comes out marked as a copy, and is kept beside the original.
        using var reprint = await (await terminal.StaffAsync(StaffRole.Cashier)).PostAsync($"/api/v1/payments/{id}/reprint", null);
        reprint.EnsureSuccessStatusCode();
        var copy = await File.ReadAllTextAsync(Path.Combine(terminal.ReceiptsFolder, id + "-in-lai-2.txt"));
        Assert.Contains("BẢN SAO - IN LẠI", copy, StringComparison.Ordinal);
        Assert.Equal(2, (await terminal.Http.GetFromJsonAsync<JsonElement>("/dev/printer")).GetProperty("completePages").GetInt32());
        Assert.Empty((await terminal.Http.GetFromJsonAsync<JsonElement>("/dev/printer")).GetProperty("notUnderstood").EnumerateArray());
    }

    [Fact]
    public async Task The_QR_printed_on_a_receipt_opens_its_lookup_page_on_the_province_server_and_nothing_else_does()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04A1B2C3");
        using var response = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        Assert.Equal("printed", (await terminal.ReceiptSettledAsync(id)).GetProperty("receipt").GetProperty("state").GetString());

        // The QR as printed: decoded from the emulator's paper.
        var url = new Uri(KioskPos.Tests.Shared.ZbarImg.Decode(Path.Combine(terminal.ReceiptsFolder, id + ".png")));
        Assert.StartsWith($"{province.BaseUrl.ToString().TrimEnd('/')}/r/{id}?h=", url.ToString(), StringComparison.Ordinal);
        // The page is a file that reads /api/v1/receipts/{receipt}?h=… (the amount formatted 150.000 ₫ in the browser).
        using var http = new HttpClient();
        using (var opened = await http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        }

        var page = await http.GetStringAsync(new Uri(province.BaseUrl, "/api/v1/receipts/" + url.AbsolutePath.Split('/')[^1] + url.Query));
        var receipt = JsonDocument.Parse(page).RootElement;
        Assert.Equal(("Trường THCS Nguyễn Du", id, 150_000L), (receipt.GetProperty("institutionName").GetString(), receipt.GetProperty("paymentId").GetString(), receipt.GetProperty("amount").GetInt64()));
        Assert.Equal("Một trăm năm mươi nghìn đồng", receipt.GetProperty("amountInWords").GetString());
        Assert.Equal("N. M. Anh", receipt.GetProperty("payerName").GetString());
        Assert.DoesNotContain("Minh Anh", page, StringComparison.Ordinal);

        // The receipt number alone, a wrong token or a malformed one open nothing, with a clear page.
        var token = url.Query[3..];
        var wrong = (token[0] == 'a' ? "b" : "a") + token[1..];
        using (var tampered = await http.GetAsync(new Uri(province.BaseUrl, $"/r/{id}?h={wrong}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
        }

        using (var tampered = await http.GetAsync(new Uri(province.BaseUrl, $"/api/v1/receipts/{id}?h={wrong}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
            Assert.Equal("Không tìm thấy biên lai", (await tampered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }

        using (var unknown = await http.GetAsync(new Uri(province.BaseUrl, $"/r/KP-THCS-ND-01-99999999?h={token}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        foreach (var bad in new[] { $"/r/{id}", $"/r/{id}?h=xyz", $"/r/{id}?h={token.ToUpperInvariant()}Z" })
        {
            using var malformed = await http.GetAsync(new Uri(province.BaseUrl, bad));
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            using var refused = await http.GetAsync(new Uri(province.BaseUrl, "/api/v1/receipts/" + bad[3..]));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("Mã tra cứu không hợp lệ", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
    }

    [Theory]
    [InlineData("coverOpen", "cover_open", "Nắp máy in")]
    [InlineData("offline", "error", "báo lỗi")] // the emulator goes offline by an error (DLE EOT 2 bit 6)
    public async Task A_printer_with_its_cover_open_or_offline_holds_the_receipt_and_prints_it_once_when_it_recovers(string problem, string state, string said)
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        (await terminal.Http.PostAsJsonAsync("/dev/printer", new Dictionary<string, bool> { [problem] = true })).EnsureSuccessStatusCode();
        await terminal.TapAsync("04A1B2C3");
        using var response = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var payment = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = payment.GetProperty("id").GetString()!;
        Assert.Contains(payment.GetProperty("receipt").GetProperty("state").GetString(), new[] { "pending", "failed" });
        var settled = (await terminal.ReceiptSettledAsync(id)).GetProperty("receipt");
        Assert.Equal("failed", settled.GetProperty("state").GetString());
        Assert.Contains(said, settled.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("state").GetString() == state,
            TimeSpan.FromSeconds(10), $"the printer shown {state}");
        var printer = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer");
        Assert.Equal(1, printer.GetProperty("waiting").GetInt32());

        (await terminal.Http.PostAsJsonAsync("/dev/printer", new Dictionary<string, bool> { [problem] = false })).EnsureSuccessStatusCode();
        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(id)).GetProperty("receipt").GetProperty("state").GetString() == "printed",
            TimeSpan.FromSeconds(15), $"the receipt held by {state} printed after the printer recovered");
        Assert.DoesNotContain("IN LẠI", await File.ReadAllTextAsync(Path.Combine(terminal.ReceiptsFolder, id + ".txt")), StringComparison.Ordinal);
        Assert.Equal(1, (await terminal.Http.GetFromJsonAsync<JsonElement>("/dev/printer")).GetProperty("completePages").GetInt32());
    }

    [Fact]
    public async Task A_held_receipt_survives_a_restart_of_the_terminal_and_prints_once_after_it()
    {
        await using var province = await ProvinceHost.StartAsync();
        var first = await TerminalHost.StartAsync(province);
        var folder = first.Folder;
        string id;
        try
        {
            (await first.Http.PostAsJsonAsync("/dev/printer", new { paperOut = true })).EnsureSuccessStatusCode();
            await first.TapAsync("04A1B2C3");
            using var response = await first.PayAsync("04A1B2C3", "HP-2611-HS240001");
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }
        finally
        {
            await first.StopKeepingDataAsync();
        }

        Assert.False(File.Exists(Path.Combine(folder, "receipts", id + ".png")));

        // Restarted (its printer has paper again): the job kept in the database prints by itself, once, unmarked.
        await using var second = await TerminalHost.StartAsync(province, folder: folder);
        await Wait.UntilAsync(async () => (await second.PaymentAsync(id)).GetProperty("receipt").GetProperty("state").GetString() == "printed",
            TimeSpan.FromSeconds(15), "the receipt held before the restart printed after it");
        Assert.DoesNotContain("IN LẠI", await File.ReadAllTextAsync(Path.Combine(folder, "receipts", id + ".txt")), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "receipts", id + "-in-lai-2.png")));
        Assert.Equal(1, (await second.Http.GetFromJsonAsync<JsonElement>("/dev/printer")).GetProperty("completePages").GetInt32());
    }

    [Fact]
    public async Task Paper_running_out_in_the_middle_of_a_receipt_holds_it_and_it_prints_whole_once_when_paper_is_back()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { runOutAfterRows = 200 })).EnsureSuccessStatusCode();
        await terminal.TapAsync("04A1B2C3");
        using var response = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal("failed", (await terminal.ReceiptSettledAsync(id)).GetProperty("receipt").GetProperty("state").GetString());
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("state").GetString() == "paper_out",
            TimeSpan.FromSeconds(10), "the printer shown out of paper");
        Assert.Equal(0, (await terminal.Http.GetFromJsonAsync<JsonElement>("/dev/printer")).GetProperty("completePages").GetInt32());

        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = false })).EnsureSuccessStatusCode();
        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(id)).GetProperty("receipt").GetProperty("state").GetString() == "printed",
            TimeSpan.FromSeconds(15), "the receipt printed after the paper came back");

        // The printer's buffer was cleared when it stopped: the half-sent job's rest never comes out; the whole receipt once.
        await Task.Delay(500);
        var paper = await terminal.Http.GetFromJsonAsync<JsonElement>("/dev/printer");
        Assert.Equal(1, paper.GetProperty("completePages").GetInt32());
        Assert.False(paper.GetProperty("backlog").GetBoolean());
        Assert.True(File.Exists(Path.Combine(terminal.ReceiptsFolder, id + ".png")));
    }

    [Fact]
    public async Task With_the_server_down_payments_are_kept_and_reach_it_when_it_returns()
    {
        using var kept = new KeptProvince();
        var province = await kept.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await province.StopAsync();

        await terminal.TapAsync("04A1B2C3");
        using var response = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await terminal.ReceiptSettledAsync((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!); // printed after the answer
        var round = await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.NotNull(round.Error);
        var status = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.Equal(2, status.GetProperty("sync").GetProperty("queued").GetInt32()); // the payment and its receipt
        Assert.False(string.IsNullOrEmpty(status.GetProperty("sync").GetProperty("lastError").GetString()));

        await using var back = await kept.StartAsync();
        await Wait.UntilAsync(async () => (await back.PaymentsAsync("HS240001")).Length == 1, TimeSpan.FromSeconds(20), "the backlog to drain");
        Assert.Equal(1_850_000, await back.BalanceAsync("HS240001"));
    }

    [Fact]
    public async Task Health_is_ready_with_a_migrated_database_and_the_home_page_shows_the_state()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        Assert.Equal("Healthy", await terminal.Http.GetStringAsync("/health"));
        await terminal.TapAsync("04A1B2C3");

        // Anyone sees the state; the payer and the payments only a signed-in cashier, and then masked.
        var anonymous = await terminal.Http.GetStringAsync("/");
        Assert.Contains("Trường THCS Nguyễn Du", anonymous);
        Assert.DoesNotContain("N. M. Anh", anonymous);
        Assert.DoesNotContain("150.000 ₫", anonymous);
        var home = await (await terminal.StaffAsync(StaffRole.Cashier)).GetStringAsync("/");
        Assert.Contains("N. M. Anh", home);
        Assert.DoesNotContain("Nguyễn Minh Anh", home);
        Assert.Contains("150.000 ₫", home);
    }
}
