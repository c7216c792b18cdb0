using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.EInvoices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// The Viettel S-Invoice adapter against the local S-Invoice over loopback (review of the e-invoices, findings 1, 2, 5,
/// 8 and 9): it logs in at <c>/auth/login</c> and sends the token as the <c>access_token</c> cookie, keeps the token per
/// account until shortly before it expires and logs in again once when Viettel answers a kept token as expired; it
/// reads both of Viettel's error shapes; only the documented not-found lets it create after a look-up; no answer of
/// another shape throws, and no issue date it cannot read is recorded; a decreasing adjustment says so in every sign
/// flag; a company is the buyer's legal name.
/// </summary>
public sealed class ViettelSInvoiceProviderTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    private sealed class Clients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new() { Timeout = TimeSpan.FromSeconds(30) };
    }

    private static (ViettelSInvoiceProvider Provider, FakeTimeProvider Clock) Adapter()
    {
        var clock = new FakeTimeProvider(s_now);
        return (new ViettelSInvoiceProvider(new Clients(), clock), clock);
    }

    private static ProviderAccount Account(ViettelSInvoiceSimulator viettel, string secret = ViettelSInvoiceSimulator.Password) =>
        new(viettel.BaseUrl, ViettelSInvoiceSimulator.User, secret, null);

    private static EDocument Original(string id, EDocumentBuyer? buyer = null) =>
        new(id, EDocument.KeyOf(id), EDocumentKind.Invoice, EDocumentPurpose.Original, ViettelSInvoiceSimulator.Template, ViettelSInvoiceSimulator.Series,
            new EDocumentSeller(ViettelSInvoiceSimulator.User, "Trường THCS Nguyễn Du"), buyer ?? new EDocumentBuyer("Nguyễn Văn An", "HS240001"),
            [new EDocumentLine("Học phí tháng 11/2026", 150_000)], 150_000, VietnameseWords.Dong(150_000), "card_balance", id, s_now.AddMilliseconds(456));

    private static EDocument Refund(string paymentId, EDocumentReference original) =>
        new($"{paymentId}/KP-THCS-ND-01/2", EDocument.KeyOf($"{paymentId}/KP-THCS-ND-01/2"), EDocumentKind.Invoice, EDocumentPurpose.Adjustment,
            ViettelSInvoiceSimulator.Template, ViettelSInvoiceSimulator.Series, new EDocumentSeller(ViettelSInvoiceSimulator.User, "Trường THCS Nguyễn Du"),
            new EDocumentBuyer("Nguyễn Văn An", "HS240001"), [new EDocumentLine("Hoàn tiền thanh toán " + paymentId, 50_000)], 50_000, VietnameseWords.Dong(50_000),
            "card_balance", paymentId, s_now.AddHours(1).AddMilliseconds(789), original);

    private static IResult Raw(string body, string contentType = "application/json", int status = 200) =>
        Results.Content(body, contentType, Encoding.UTF8, status);

    [Fact]
    public async Task Issues_with_a_token_from_auth_login_sent_as_the_access_token_cookie_never_with_basic_authentication()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();

        var outcome = await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None);

        var issued = Assert.IsType<IssueOutcome.Issued>(outcome);
        Assert.Equal(Assert.Single(viettel.Invoices.Values).InvoiceNo, issued.Number);
        Assert.Equal((1, 0), (viettel.Logins, viettel.Unauthorised));
    }

    [Fact]
    public async Task Keeps_one_token_per_account_until_shortly_before_it_expires_then_logs_in_again()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var other = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, clock) = Adapter();

        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-2"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-3"), Account(other), new IssueAttempt(Retry: false), CancellationToken.None));
        Assert.Equal((1, 1), (viettel.Logins, other.Logins)); // one login per account, each token kept

        // 4 min 40 s into a 5-minute token: within the margin, so a new one rather than one that may expire on the way.
        clock.Advance(viettel.TokenLifetime - TimeSpan.FromSeconds(20));
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-4"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));
        Assert.Equal((2, 0), (viettel.Logins, viettel.Unauthorised));
    }

    [Theory]
    [InlineData(false)] // the guide's error list: an expired token is HTTP 500 "GENERAL"
    [InlineData(true)] // or 401 invalid_token
    public async Task A_kept_token_viettel_has_expired_is_renewed_once_and_the_call_repeated(bool as401)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));

        viettel.ExpiredAs401 = as401;
        viettel.ExpireTokens();
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-2"), Account(viettel), new IssueAttempt(Retry: true), CancellationToken.None));

        Assert.Equal((2, 1, 2), (viettel.Logins, viettel.Unauthorised, viettel.Invoices.Count));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_at_the_login_and_nothing_is_sent()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();

        var refused = Assert.IsType<IssueOutcome.Refused>(await provider.IssueAsync(Original("KP-1"), Account(viettel, "rotated-password"), new IssueAttempt(Retry: false), CancellationToken.None));

        Assert.Equal("HTTP 401 at login: invalid_grant: Bad credentials", refused.Reason);
        Assert.Equal((0, 0), (viettel.CreateCalls, viettel.Logins));
    }

    [Fact]
    public async Task A_provider_down_at_the_login_is_later()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();
        viettel.Down = true;

        var later = Assert.IsType<IssueOutcome.Later>(await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));

        Assert.Equal("HTTP 500 at login", later.Reason);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(400)]
    public async Task A_refusal_in_the_code_message_data_shape_is_a_refusal_with_viettels_words(int status)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        viettel.OnCreate = _ => Results.Json(new JsonObject { ["code"] = 400, ["message"] = "INVOICE_SERIAL_NOT_FOUND", ["data"] = "Ký hiệu hóa đơn không tồn tại" }, statusCode: status);
        var (provider, _) = Adapter();

        var refused = Assert.IsType<IssueOutcome.Refused>(await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));

        Assert.Equal("INVOICE_SERIAL_NOT_FOUND: Ký hiệu hóa đơn không tồn tại", refused.Reason);
    }

    [Fact]
    public async Task An_error_in_the_code_shape_that_is_the_providers_fault_is_later_not_a_refusal()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        viettel.OnCreate = _ => Results.Json(new JsonObject { ["code"] = 503, ["message"] = "SERVICE_BUSY", ["data"] = "Hệ thống bận" });
        var (provider, _) = Adapter();

        Assert.IsType<IssueOutcome.Later>(await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"errorCode":"GENERAL","description":"Lỗi hệ thống"}""")]
    [InlineData("""{"code":500,"message":"GENERAL","data":"Lỗi hệ thống"}""")]
    [InlineData("""{"code":400,"message":"BAD_REQUEST","data":"supplierTaxCode"}""")]
    [InlineData("""{"errorCode":null,"description":null,"result":[]}""")]
    [InlineData("""{"errorCode":null,"description":null,"result":"none"}""")]
    [InlineData("""{"errorCode":null,"description":null}""")]
    [InlineData("[]")]
    [InlineData("\"NOT_FOUND_DATA\"")]
    [InlineData("<html>Bad Gateway</html>")]
    [InlineData("")]
    public async Task A_look_up_answered_otherwise_than_the_documented_not_found_is_later_and_never_creates_a_second_invoice(string answer)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        viettel.OnSearch = _ => Raw(answer);
        var (provider, _) = Adapter();

        var outcome = await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: true), CancellationToken.None);

        Assert.IsType<IssueOutcome.Later>(outcome);
        Assert.Equal((1, 0), (viettel.SearchCalls, viettel.CreateCalls));
    }

    [Fact]
    public async Task The_documented_not_found_lets_a_retry_create_the_invoice()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();

        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: true), CancellationToken.None));
        Assert.Equal((1, 1), (viettel.SearchCalls, viettel.CreateCalls));
    }

    [Theory]
    [InlineData("[]", "application/json")]
    [InlineData("\"ok\"", "application/json")]
    [InlineData("1", "application/json")]
    [InlineData("null", "application/json")]
    [InlineData("""{"result":"C26TNC0000001"}""", "application/json")]
    [InlineData("""{"result":{"invoiceNo":5}}""", "application/json")]
    [InlineData("""{"errorCode":{"x":1}}""", "application/json")]
    [InlineData("""{"code":{"x":1}}""", "application/json")]
    [InlineData("{\"result\":", "application/json")]
    [InlineData("not json", "text/plain")]
    [InlineData("{}", "application/json; charset=klingon")]
    [InlineData("", "application/json")]
    public async Task A_create_answer_of_no_documented_shape_is_later_and_never_throws(string answer, string contentType)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        viettel.OnCreate = _ => Raw(answer, contentType);
        var (provider, _) = Adapter();

        var outcome = await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None);

        Assert.IsType<IssueOutcome.Later>(outcome);
    }

    [Theory]
    [InlineData("1795456800000", "2026-11-24")] // 2026-11-23T18:00Z, epoch milliseconds as documented: 01:00 on the 24th in Vietnam
    [InlineData("1795453199000", "2026-11-23")] // 16:59:59Z: 23:59:59 on the 23rd in Vietnam
    [InlineData("\"1795456800000\"", "2026-11-24")]
    [InlineData("\"2026-11-23T10:00:00\"", "2026-11-23")] // no offset: Viettel's GMT+7
    [InlineData("\"2026-11-23T20:00:00Z\"", "2026-11-24")]
    [InlineData("\"2026-11-23T20:00:00+07:00\"", "2026-11-23")]
    [InlineData("\"23/11/2026\"", null)]
    [InlineData("\"not a date\"", null)]
    [InlineData("100000000000000000000", null)]
    [InlineData("-5", null)]
    [InlineData("null", null)]
    [InlineData("{\"ms\":1}", null)]
    public async Task A_found_invoices_issue_date_is_recorded_only_when_it_reads_as_a_day(string issueDate, string? day)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        viettel.OnSearch = _ => Raw($$"""{"errorCode":null,"description":null,"result":[{"invoiceNo":"C26TNC0000001","reservationCode":"RSV1","issueDate":{{issueDate}},"status":"Hóa đơn gốc"}]}""");
        var (provider, _) = Adapter();

        var outcome = await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: true), CancellationToken.None);

        if (day is null)
        {
            Assert.IsType<IssueOutcome.Later>(outcome); // never "" or a guess: an adjustment would name that day
        }
        else
        {
            Assert.Equal(new IssueOutcome.Issued("C26TNC0000001", "RSV1", day), outcome);
        }

        Assert.Equal(0, viettel.CreateCalls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("23/11/2026")]
    [InlineData("2026-11-23T10:00:00")]
    public async Task An_adjustment_whose_original_has_no_readable_issue_date_is_refused_without_throwing_or_sending(string issuedOn)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();

        var outcome = await provider.IssueAsync(Refund("KP-1", new EDocumentReference("C26TNC0000001", ViettelSInvoiceSimulator.Template, ViettelSInvoiceSimulator.Series, issuedOn)),
            Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None);

        Assert.StartsWith("the adjusted document C26TNC0000001 has no readable issue date", Assert.IsType<IssueOutcome.Refused>(outcome).Reason, StringComparison.Ordinal);
        Assert.Equal((0, 0), (viettel.Logins, viettel.CreateCalls));
    }

    [Fact]
    public async Task A_decreasing_adjustment_says_so_in_every_sign_flag_and_dates_are_whole_seconds()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();
        var original = Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-1"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));

        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(
            Refund("KP-1", new EDocumentReference(original.Number, ViettelSInvoiceSimulator.Template, ViettelSInvoiceSimulator.Series, original.IssuedOn)),
            Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));

        var first = viettel.Invoices[EDocument.KeyOf("KP-1")].Body;
        Assert.Equal((true, true, true), ((bool)first["summarizeInfo"]!["isTotalAmountPos"]!, (bool)first["summarizeInfo"]!["isTotalAmtWithoutTaxPos"]!, (bool)first["summarizeInfo"]!["isTotalTaxAmountPos"]!));
        var adjustment = viettel.Invoices[EDocument.KeyOf("KP-1/KP-THCS-ND-01/2")].Body;
        var summary = adjustment["summarizeInfo"]!;
        Assert.Equal((false, false, false), ((bool)summary["isTotalAmountPos"]!, (bool)summary["isTotalAmtWithoutTaxPos"]!, (bool)summary["isTotalTaxAmountPos"]!));
        var breakdown = Assert.Single(adjustment["taxBreakdowns"]!.AsArray())!;
        Assert.Equal((false, false, 50_000L), ((bool)breakdown["taxableAmountPos"]!, (bool)breakdown["taxAmountPos"]!, (long)breakdown["taxableAmount"]!));
        Assert.False((bool)Assert.Single(adjustment["itemInfo"]!.AsArray())!["isIncreaseItem"]!);

        // Viettel records no milliseconds (guide 5.1): the dates sent are whole seconds.
        var general = adjustment["generalInvoiceInfo"]!;
        Assert.Equal((0L, 0L, 0L), ((long)first["generalInvoiceInfo"]!["invoiceIssuedDate"]! % 1000, (long)general["invoiceIssuedDate"]! % 1000, (long)general["additionalReferenceDate"]! % 1000));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), (long)general["originalInvoiceIssueDate"]!);
    }

    [Fact]
    public async Task A_company_is_the_buyers_legal_name_beside_its_tax_code_and_a_person_is_the_buyers_name()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();

        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-1", new EDocumentBuyer("Công ty TNHH Minh Anh", "HS240001", "0312345678-001")),
            Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-2"), Account(viettel), new IssueAttempt(Retry: false), CancellationToken.None));

        var company = viettel.Invoices[EDocument.KeyOf("KP-1")].Body["buyerInfo"]!.AsObject();
        Assert.Equal(("Công ty TNHH Minh Anh", "0312345678-001", "HS240001"), ((string?)company["buyerLegalName"], (string?)company["buyerTaxCode"], (string?)company["buyerCode"]));
        Assert.False(company.ContainsKey("buyerName")); // a person's name; the company is not one
        Assert.False(company.ContainsKey("buyerAddressLine")); // none given
        var person = viettel.Invoices[EDocument.KeyOf("KP-2")].Body["buyerInfo"]!.AsObject();
        Assert.Equal(("Nguyễn Văn An", "HS240001"), ((string?)person["buyerName"], (string?)person["buyerCode"]));
        Assert.False(person.ContainsKey("buyerLegalName"));
    }

    [Fact]
    public async Task Through_the_issuer_a_garbled_answer_leaves_the_document_waiting_and_the_round_ends_normally()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        viettel.OnCreate = _ => Raw("[]");
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        await f.PayAsync("HP-2611-HS240001", 150_000);

        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None));

        var row = Assert.Single(await f.WorklistAsync("waiting"));
        Assert.Equal("an answer not as documented: no result object", row.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Through_the_issuer_a_lost_answer_found_with_a_text_issue_date_records_its_day_and_a_later_refund_is_adjusted()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);

        // The invoice is made but its answer lost; the look-up then gives its issueDate as text, not as documented.
        viettel.LoseNextAnswer = true;
        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var number = Assert.Single(viettel.Invoices.Values).InvoiceNo;
        viettel.OnSearch = h => h.Request.Form["transactionUuid"] == EDocument.KeyOf(id)
            ? Raw($$"""{"errorCode":null,"description":null,"result":[{"invoiceNo":"{{number}}","reservationCode":"RSV00001","issueDate":"2026-11-23T10:00:00","status":"Hóa đơn gốc"}]}""")
            : null;
        await f.RunForAsync(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1));
        var issued = Assert.Single(await f.WorklistAsync("issued"));
        Assert.Equal("2026-11-23", issued.GetProperty("issuedOn").GetString());

        await f.RefundAsync(id, "HP-2611-HS240001", 50_000);
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var adjustment = Assert.Single(viettel.Invoices.Values, i => (string?)i.Body["generalInvoiceInfo"]!["adjustmentType"] == "5");
        Assert.Equal(number, (string?)adjustment.Body["generalInvoiceInfo"]!["originalInvoiceId"]);
        Assert.Equal(2, viettel.CreateCalls);
    }

    [Fact]
    public async Task Through_the_issuer_a_look_up_that_cannot_read_the_issue_date_leaves_the_document_waiting_not_issued_without_a_date()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        await f.PayAsync("HP-2611-HS240001", 150_000);

        viettel.LoseNextAnswer = true;
        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None));
        viettel.OnSearch = _ => Raw("""{"errorCode":null,"result":[{"invoiceNo":"C26TNC0000001","reservationCode":"RSV00001","issueDate":"hôm qua"}]}""");
        await f.RunForAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1));

        Assert.Empty(await f.WorklistAsync("issued"));
        var row = Assert.Single(await f.WorklistAsync("waiting"));
        Assert.StartsWith("look-up found C26TNC0000001 but not its issueDate", row.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, viettel.CreateCalls); // found: never created again
    }
}
