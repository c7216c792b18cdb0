using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.EInvoices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// The e-documents when things go wrong (the review of issue 22): a provider's answer of no documented shape, an
/// answer too long, an attempt that throws, adjustments whose original is not issued, SePay's job still running when
/// the next attempt comes, a company given after an attempt, and credentials kept across a change of provider.
/// </summary>
public sealed class EInvoiceFailureTests
{
    [Theory]
    [InlineData("viettel-sinvoice")]
    [InlineData("sepay")]
    public async Task A_provider_answering_an_empty_array_leaves_the_document_waiting_and_the_province_server_running(string provider)
    {
        await using var garbled = await AnswerEverything.StartAsync("[]");
        await using var f = await EInvoiceFixture.StartAsync(extra: ["--EDocuments:Worker=true", "--EDocuments:Poll=00:00:01"]);
        var lifetime = f.Province.App.Services.GetRequiredService<IHostApplicationLifetime>();
        await f.ConfigureAsync(provider == "sepay" ? EInvoiceFixture.SePaySettings(garbled.BaseUrl) : EInvoiceFixture.ViettelSettings(garbled.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);

        // The background worker (real clock, a round a second) tries it once, then waits its backoff of a minute.
        JsonElement? row = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline && !lifetime.ApplicationStopping.IsCancellationRequested; await Task.Delay(200))
        {
            row = (await f.WorklistAsync()).Single(r => r.GetProperty("id").GetString() == id);
            if (row.Value.TryGetProperty("reason", out _))
            {
                break;
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // a few more rounds
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the province server stopped");
        row = Assert.Single(await f.WorklistAsync("waiting"));
        Assert.Equal(1, row.Value.GetProperty("attempts").GetInt64());
        Assert.False(string.IsNullOrEmpty(row.Value.GetProperty("reason").GetString()));
        Assert.True(DateTimeOffset.Parse(row.Value.GetProperty("nextAttemptAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddSeconds(30));
    }

    [Fact]
    public async Task A_document_whose_attempt_throws_waits_with_a_backoff_and_a_short_reason_and_the_round_goes_on_with_the_others()
    {
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(new Uri("http://127.0.0.1:9/")));
        var throws = await f.PayAsync("HP-2611-HS240001", 150_000);
        var other = await f.PayAsync("HP-2611-HS240002", 150_000, "HS240002", "04D4E5F6");
        var provider = new ScriptedProvider(d => d.PaymentId == throws ? throw new InvalidOperationException("an answer no one expected") : new IssueOutcome.Issued("0000001", "RSV-1", "2026-11-23"));
        var issuer = ActivatorUtilities.CreateInstance<EDocumentIssuer>(f.Province.App.Services, f.Clock, (IEnumerable<IEDocumentProvider>)[provider]);

        Assert.Equal(1, await issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal(other, Assert.Single(await f.WorklistAsync("issued")).GetProperty("paymentId").GetString());
        var row = Assert.Single(await f.WorklistAsync("waiting"));
        Assert.Equal((throws, 1L), (row.GetProperty("paymentId").GetString(), row.GetProperty("attempts").GetInt64()));
        Assert.Equal(Messages.Vi("einvoice.reason.error", nameof(InvalidOperationException)), row.GetProperty("reason").GetString());
        Assert.Equal(EDocumentStore.Stamp(f.Clock.GetUtcNow().AddMinutes(1)), row.GetProperty("nextAttemptAt").GetString());

        // Not again before its backoff; after it, tried again (and waits twice as long).
        Assert.Equal(0, await issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal(2, provider.Calls);
        f.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal(3, provider.Calls);
        Assert.Equal(2, Assert.Single(await f.WorklistAsync("waiting")).GetProperty("attempts").GetInt64());
    }

    [Theory]
    [InlineData("token", "[]")]
    [InlineData("token", """{"success":true,"data":[]}""")]
    [InlineData("token", """{"success":true,"data":{"access_token":5}}""")]
    [InlineData("create", "[]")]
    [InlineData("create", "\"ok\"")]
    [InlineData("create", "1")]
    [InlineData("create", "not json")]
    [InlineData("create", """{"success":"yes"}""")]
    [InlineData("create", """{"success":true,"data":[]}""")]
    [InlineData("create", """{"success":true,"data":{"tracking_code":5}}""")]
    [InlineData("check", "[]")]
    [InlineData("check", """{"success":true,"data":{"status":1}}""")]
    [InlineData("check", """{"success":true,"data":{"status":"Success","invoice":"x"}}""")]
    [InlineData("check", """{"success":true,"data":{"status":"Success","invoice":{"invoice_number":[1]}}}""")]
    [InlineData("get", "[]")]
    [InlineData("get", """{"success":true,"data":{"invoice_number":{}}}""")]
    public async Task A_SePay_answer_not_of_the_documented_shape_leaves_the_document_waiting_with_a_reason(string operation, string answer)
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        await f.PayAsync("HP-2611-HS240001", 150_000);
        if (operation == "get")
        {
            sepay.LoseNextAnswer = true; // the look-up comes on the retry after a lost answer
            await f.Issuer.RunOnceAsync(CancellationToken.None);
            f.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        else if (operation == "check")
        {
            sepay.JobTime = TimeSpan.FromDays(1); // the check answers Pending, so the create is not made again
        }

        sepay.Override = op => op == operation ? Raw.Of(200, "application/json", answer) : null;
        await f.Issuer.RunOnceAsync(CancellationToken.None);

        var row = Assert.Single(await f.WorklistAsync("waiting"));
        Assert.False(string.IsNullOrEmpty(row.GetProperty("reason").GetString()));
        Assert.Empty(await f.WorklistAsync("refused"));
    }

    [Fact]
    public async Task A_SePay_token_said_to_last_longer_than_a_clock_can_count_is_kept_a_day_and_the_document_issued()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        await f.PayAsync("HP-2611-HS240001", 150_000);
        sepay.Override = op => op == "token"
            ? Results.Json(new JsonObject { ["success"] = true, ["data"] = new JsonObject { ["access_token"] = sepay.IssueToken(), ["expires_in"] = long.MaxValue } })
            : null;

        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None)); // before: ArgumentOutOfRangeException out of the issuer
    }

    [Fact]
    public async Task A_SePay_answer_naming_a_charset_no_one_knows_is_read_as_the_UTF8_JSON_it_is()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        await f.PayAsync("HP-2611-HS240001", 150_000);
        sepay.Override = op => op == "token"
            ? Raw.Of(200, "application/json; charset=x-unknown", new JsonObject { ["success"] = true, ["data"] = new JsonObject { ["access_token"] = sepay.IssueToken(), ["expires_in"] = 86400 } }.ToJsonString())
            : null;

        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Adjustments_of_refused_originals_do_not_fill_the_batch_and_a_later_payment_is_issued_in_the_next_round()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        var issuer = ActivatorUtilities.CreateInstance<EDocumentIssuer>(f.Province.App.Services, f.Clock, Options.Create(new EDocumentOptions { Batch = 2 }));

        // A wrong series (the new year's not set yet): two payments refused, then voided at the terminal.
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl, series: "C26TXX"));
        var a = await f.PayAsync("HP-2611-HS240001", 150_000);
        var b = await f.PayAsync("HP-2611-HS240002", 150_000, "HS240002", "04D4E5F6");
        await issuer.RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, (await f.WorklistAsync("refused")).Length);
        await f.VoidAsync(a, "HP-2611-HS240001", 150_000);
        await f.VoidAsync(b, "HP-2611-HS240002", 150_000);

        // The settings put right, a new payment: the two adjustments waiting for their originals take no place in the round.
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        var c = await f.PayAsync("BT-2611-HS240001", 300_000);
        Assert.Equal(1, await issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal(c, Assert.Single(await f.WorklistAsync("issued")).GetProperty("paymentId").GetString());
        var blocked = await f.WorklistAsync("waiting");
        Assert.Equal(2, blocked.Length);
        Assert.All(blocked, r => Assert.Equal(("adjustment", 0L), (r.GetProperty("purpose").GetString(), r.GetProperty("attempts").GetInt64())));
    }

    [Fact]
    public async Task A_SePay_job_still_running_at_the_next_attempt_is_polled_by_its_tracking_code_and_never_created_twice()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        (sepay.Clock, sepay.JobTime) = (f.Clock, TimeSpan.FromMinutes(2)); // slower than the first backoff
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);

        // The next attempt comes after a minute: the job still runs, its invoice is not found under its reference_code.
        await f.RunForAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1));

        Assert.Equal(1, sepay.CreateCalls); // before: a second create, refused as a duplicate ("reference_code đã tồn tại")
        Assert.Empty(await f.WorklistAsync("refused"));
        var issued = Assert.Single(await f.WorklistAsync("issued"));
        Assert.Equal((id, Assert.Single(sepay.Invoices.Values).Number), (issued.GetProperty("paymentId").GetString(), issued.GetProperty("documentNumber").GetString()));
    }

    [Fact]
    public async Task A_SePay_create_whose_answer_was_lost_while_its_job_runs_is_never_refused_as_a_duplicate_and_is_found_issued_once()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        (sepay.Clock, sepay.JobTime) = (f.Clock, TimeSpan.FromMinutes(5)); // slower than the first backoff
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);

        // SePay takes the create and starts its job; the province server sees a 502 and has no tracking code.
        sepay.LoseNextAnswer = true;
        await f.Issuer.RunOnceAsync(CancellationToken.None);
        Assert.Single(await f.WorklistAsync("waiting"));

        // The retry: the look-up answers 404 while the job runs, and the create again is refused, its reference_code taken.
        f.Clock.Advance(TimeSpan.FromMinutes(1));
        await f.Issuer.RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, sepay.CreateCalls);
        Assert.Empty(await f.WorklistAsync("refused")); // before: refused, though SePay issues it
        Assert.Single(await f.WorklistAsync("waiting"));

        // Once the job is done, the next look-up finds the invoice: recorded issued, the one SePay made.
        await f.RunForAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1));
        var issued = Assert.Single(await f.WorklistAsync("issued"));
        var (number, _) = Assert.Single(sepay.Invoices.Values);
        Assert.Equal(1, sepay.Accepted);
        Assert.Equal((id, number), (issued.GetProperty("paymentId").GetString(), issued.GetProperty("documentNumber").GetString()));
        Assert.Empty(await f.WorklistAsync("refused"));
    }

    [Theory]
    [InlineData("cancelled", "4", "cancelled at SePay")]
    [InlineData("issued", "2", "provider_status 2")]
    [InlineData("issued", "6", "provider_status 6")]
    public async Task A_SePay_invoice_cancelled_or_failed_at_signing_or_at_the_tax_authority_is_refused_with_the_reason_never_issued_nor_waited_for(
        string status, string providerStatus, string reason)
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        (sepay.InvoiceStatus, sepay.ProviderStatus) = (status, providerStatus);
        await f.PayAsync("HP-2611-HS240001", 150_000);

        await f.RunForAsync(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1));

        // Before: a cancelled invoice waited for ever; one that failed signing or was not granted its code was recorded issued.
        var refused = Assert.Single(await f.WorklistAsync("refused"));
        Assert.Contains(reason, refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(await f.WorklistAsync("issued"));
        Assert.Equal(1, sepay.CreateCalls);
    }

    [Fact]
    public async Task A_SePay_token_refused_while_its_job_runs_is_dropped_and_the_next_attempt_takes_a_new_one()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        (sepay.Clock, sepay.JobTime) = (f.Clock, TimeSpan.FromSeconds(30));
        await f.PayAsync("HP-2611-HS240001", 150_000);
        await f.Issuer.RunOnceAsync(CancellationToken.None);
        Assert.Single(await f.WorklistAsync("waiting"));

        sepay.RevokeTokens(); // the cached token (a day long) is refused from now on
        await f.RunForAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1));

        Assert.Single(await f.WorklistAsync("issued")); // before: waiting on the refused token for up to a day
        Assert.Equal(1, sepay.CreateCalls);
    }

    [Fact]
    public async Task A_company_is_refused_with_409_once_an_attempt_was_made_even_when_that_attempt_was_refused()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl, series: "C26TXX"));
        var tried = await f.PayAsync("HP-2611-HS240001", 150_000);
        await f.Issuer.RunOnceAsync(CancellationToken.None);
        Assert.Single(await f.WorklistAsync("refused"));
        var untried = await f.PayAsync("HP-2611-HS240002", 150_000, "HS240002", "04D4E5F6");
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };

        // The refused one may exist at the provider already (an earlier answer lost): no company can be put on it here.
        using var late = await anonymous.PostAsJsonAsync($"/api/v1/receipts/{tried}/buyer?h={f.Hashes[tried][..12]}", new { taxCode = "0312345678", name = "Công ty TNHH Minh Anh" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode); // before: 204, and the row back in the queue with the company
        var problem = await late.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("edocument_in_progress", problem.GetProperty("code").GetString());
        Assert.Equal(Messages.Vi("province.problem.edocument_in_progress"), problem.GetProperty("title").GetString());
        Assert.False(Assert.Single(await f.WorklistAsync("refused")).TryGetProperty("buyerTaxCode", out _));

        // The receipt's page offers the company form only for a document not tried yet.
        async Task<bool> AcceptsBuyerAsync(string id) =>
            Assert.Single((await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/receipts/{id}?h={f.Hashes[id][..12]}")).GetProperty("documents").EnumerateArray()).GetProperty("acceptsBuyer").GetBoolean();
        Assert.Equal((false, true), (await AcceptsBuyerAsync(tried), await AcceptsBuyerAsync(untried)));
    }

    [Fact]
    public async Task An_answer_longer_than_64_KB_is_not_read_and_the_document_waits()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        await f.PayAsync("HP-2611-HS240001", 150_000);
        var huge = new JsonObject { ["success"] = false, ["error"] = new JsonObject { ["code"] = "BAD_REQUEST", ["message"] = new string('x', 1024 * 1024) } }.ToJsonString();
        sepay.Override = op => op == "create" ? Raw.Of(400, "application/json", huge) : null;

        await f.Issuer.RunOnceAsync(CancellationToken.None);

        var row = Assert.Single(await f.WorklistAsync("waiting")); // before: read whole, and refused with a reason of a megabyte
        Assert.StartsWith("no answer read: ", row.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_reason_is_kept_and_shown_cut_to_500_characters_without_control_characters()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        await f.PayAsync("HP-2611-HS240001", 150_000);
        var words = string.Concat(Enumerable.Repeat("Ký hiệu không hợp lệ.\r\n\u0007\u001b[31m ", 200));
        sepay.Override = op => op == "create" ? Raw.Of(400, "application/json", new JsonObject { ["success"] = false, ["error"] = new JsonObject { ["code"] = "BAD_REQUEST", ["message"] = words } }.ToJsonString()) : null;

        await f.Issuer.RunOnceAsync(CancellationToken.None);

        var reason = Assert.Single(await f.WorklistAsync("refused")).GetProperty("reason").GetString()!;
        Assert.StartsWith("BAD_REQUEST: Ký hiệu không hợp lệ.", reason, StringComparison.Ordinal);
        Assert.InRange(reason.Length, 400, 500);
        Assert.DoesNotContain(reason, char.IsControl);
        Assert.EndsWith("…", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changing_the_provider_or_the_origin_of_its_address_requires_the_credentials_again()
    {
        await using var f = await EInvoiceFixture.StartAsync();
        var viettel = new Uri("http://127.0.0.1:9/");
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel));
        async Task<(HttpStatusCode Status, string? Detail)> PutAsync(object settings, params string[] omitted)
        {
            var body = JsonSerializer.SerializeToNode(settings)!.AsObject();
            foreach (var field in omitted)
            {
                body.Remove(field);
            }

            using var response = await f.Province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{EInvoiceFixture.School}/e-documents", body);
            return (response.StatusCode, response.StatusCode == HttpStatusCode.NoContent ? null : (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        // Viettel's API password is never sent to SePay, nor to another host, because the fields were left empty.
        var toSePay = await PutAsync(EInvoiceFixture.SePaySettings(new Uri("http://127.0.0.1:9/")), "username", "secret");
        Assert.Equal(HttpStatusCode.BadRequest, toSePay.Status); // before: 204, Viettel's user and password kept for SePay
        Assert.StartsWith("username is required again", toSePay.Detail, StringComparison.Ordinal);
        var withoutSecret = await PutAsync(EInvoiceFixture.SePaySettings(new Uri("http://127.0.0.1:9/")), "secret");
        Assert.Equal((HttpStatusCode.BadRequest, true), (withoutSecret.Status, withoutSecret.Detail!.StartsWith("secret is required again", StringComparison.Ordinal)));
        var otherHost = await PutAsync(EInvoiceFixture.ViettelSettings(new Uri("http://127.0.0.1:10/")), "secret");
        Assert.Equal((HttpStatusCode.BadRequest, true), (otherHost.Status, otherHost.Detail!.StartsWith("secret is required again", StringComparison.Ordinal)));

        // The same provider at the same origin (another path) keeps them, as before.
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(EInvoiceFixture.ViettelSettings(new Uri(viettel, "sinvoice/")), "username", "secret")).Status);
    }

    [Fact]
    public async Task An_issue_date_that_is_not_a_day_is_not_recorded_and_the_adjustment_waits_for_it_instead_of_throwing()
    {
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(new Uri("http://127.0.0.1:9/")));
        var provider = new ScriptedProvider(d => d.Purpose == EDocumentPurpose.Original
            ? new IssueOutcome.Issued("0000001", "RSV-1", "23/11/2026")
            : new IssueOutcome.Issued(ViettelSInvoiceProvider.Body(d).ToJsonString().Length > 0 ? "0000002" : "?", "RSV-2", "2026-11-23"));
        var issuer = ActivatorUtilities.CreateInstance<EDocumentIssuer>(f.Province.App.Services, f.Clock, (IEnumerable<IEDocumentProvider>)[provider]);
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        Assert.Equal(1, await issuer.RunOnceAsync(CancellationToken.None));
        Assert.False(Assert.Single(await f.WorklistAsync("issued")).TryGetProperty("issuedOn", out _)); // before: "23/11/2026"

        await f.RefundAsync(id, "HP-2611-HS240001", 50_000);
        Assert.Equal(0, await issuer.RunOnceAsync(CancellationToken.None)); // before: FormatException out of the issuer
        var adjustment = Assert.Single(await f.WorklistAsync("waiting"));
        Assert.Equal(Messages.Vi("einvoice.reason.originalDateUnknown"), adjustment.GetProperty("reason").GetString());
        Assert.Equal(1, provider.Calls); // never sent without the date
    }

    [Theory]
    [InlineData("2026-11-23", "2026-11-23")]
    [InlineData("2026-11-23 09:15:00", "2026-11-23")]
    [InlineData("2026-11-23T09:15:00+07:00", "2026-11-23")]
    [InlineData("23/11/2026", null)]
    [InlineData("2026-13-01", null)]
    [InlineData("", null)]
    public void The_day_recorded_of_an_issued_document_is_its_yyyy_MM_dd_or_none(string said, string? day) =>
        Assert.Equal(day, EDocumentIssuer.IssuedDay(said));

    /// <summary>A provider whose every answer is decided by the test, counting its calls.</summary>
    private sealed class ScriptedProvider(Func<EDocument, IssueOutcome> answer) : IEDocumentProvider
    {
        public int Calls;

        public string Name => ViettelSInvoiceProvider.ProviderName;

        public Task<IssueOutcome> IssueAsync(EDocument document, ProviderAccount account, IssueAttempt attempt, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(answer(document));
        }
    }

    /// <summary>An answer written byte for byte: a content type that names any charset, any status.</summary>
    private sealed class Raw(int status, string contentType, byte[] body) : IResult
    {
        public static Raw Of(int status, string contentType, string body) => new(status, contentType, Encoding.UTF8.GetBytes(body));

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.Headers.ContentType = contentType;
            await httpContext.Response.Body.WriteAsync(body);
        }
    }

    /// <summary>A server that answers every request with the same body and 200: a provider gone wrong at any address.</summary>
    private sealed class AnswerEverything : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private AnswerEverything(WebApplication app) => _app = app;

        public Uri BaseUrl => new(_app.Urls.First());

        public static async Task<AnswerEverything> StartAsync(string body)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.Run(http => Raw.Of(200, "application/json", body).ExecuteAsync(http));
            await app.StartAsync();
            return new AnswerEverything(app);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
