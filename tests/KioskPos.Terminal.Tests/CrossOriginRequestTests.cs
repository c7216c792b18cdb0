using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.Text;
using KioskPos.Storage;
using KioskPos.Web;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Cross-site request forgery against the counter: a signed-in cashier's browser sent by a page of another origin
/// (another terminal's address on the LAN, or another port of the same host, is the same site and carries the
/// SameSite=Strict cookie) to close the shift or sign out, and a page signing the counter in with someone else's PIN;
/// the counter's own requests and programs without browser headers go through.
/// </summary>
public sealed class CrossOriginRequestTests : TerminalTest
{
    private const string Cashier = "tn01";
    private const string CashierPin = "246813";

    private static readonly (string Header, string Value)[] Forged =
    [
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Site", "same-site"),
        ("Origin", "http://evil.example"),
        ("Origin", "http://192.168.1.23:8080"),
    ];

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("as a signed-in cashier's browser, close the shift and sign out from a page of another site, of the same site or naming another Origin",
        "403 cross_origin_request naming the header: the shift stays open (the genuine close is still shift 1), the session stays signed in")]
    public async Task A_signed_in_request_from_a_page_of_another_origin_is_refused_and_changes_nothing()
    {
        await AddCashierAsync();
        using var cashier = await SignedInAsync();
        foreach (var (header, value) in Forged)
        {
            using (var close = await SendAsync(cashier, HttpMethod.Post, "/api/v1/shifts/current/close", (header, value)))
            {
                var problem = await close.ProblemAsync(HttpStatusCode.Forbidden, $"close with {header}: {value}");
                Assert.Equal(CrossOriginRequests.Code, problem.Code);
                Assert.Equal(Messages.Vi("terminal.problem.cross_origin_request"), problem.Title);
                Assert.Contains($"{header} is '{value}'", problem.Detail, StringComparison.Ordinal);
            }

            using (var signOut = await SendAsync(cashier, HttpMethod.Delete, "/api/v1/sessions/current", (header, value)))
            {
                Assert.Equal(CrossOriginRequests.Code, (await signOut.ProblemAsync(HttpStatusCode.Forbidden, $"sign-out with {header}: {value}")).Code);
            }
        }

        Assert.Equal(Cashier, (await cashier.GetFromJsonAsync<JsonElement>("/api/v1/sessions/current")).GetProperty("id").GetString());

        // The counter page's own request, as the kiosk's Chromium sends it to http://127.0.0.1:8080.
        var own = Terminal.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);
        using (var close = await SendAsync(cashier, HttpMethod.Post, "/api/v1/shifts/current/close", ("Sec-Fetch-Site", "same-origin"), ("Origin", own)))
        {
            var z = await close.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(close.StatusCode == HttpStatusCode.OK, z.ToString());
            Assert.Equal(1L, z.GetProperty("number").GetInt64());
        }

        // An older browser sends only Origin; a program sends neither.
        using (var signOut = await SendAsync(cashier, HttpMethod.Delete, "/api/v1/sessions/current", ("Origin", own)))
        {
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        }

        using var again = await SignedInAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await again.DeleteAsync("/api/v1/sessions/current")).StatusCode);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("from a page of another site, post a cashier's id and PIN to /api/v1/sessions (the counter signed in as someone else)",
        "403 cross_origin_request, no session cookie set; from the counter's own page the same sign-in goes through")]
    public async Task A_sign_in_posted_by_a_page_of_another_origin_sets_no_cookie()
    {
        await AddCashierAsync();
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = Terminal.Http.BaseAddress };
        foreach (var forged in Forged)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sessions") { Content = JsonContent.Create(new { staffId = Cashier, pin = CashierPin }) };
            request.Headers.TryAddWithoutValidation(forged.Header, forged.Value);
            using var signIn = await browser.SendAsync(request);
            Assert.Equal(CrossOriginRequests.Code, (await signIn.ProblemAsync(HttpStatusCode.Forbidden, $"sign-in with {forged.Header}: {forged.Value}")).Code);
            Assert.False(signIn.Headers.Contains("Set-Cookie"));
        }

        using var own = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sessions") { Content = JsonContent.Create(new { staffId = Cashier, pin = CashierPin }) };
        own.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        using var signedIn = await browser.SendAsync(own);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Contains(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(Apis.CounterApi.SessionCookie + "=", StringComparison.Ordinal));
    }

    private Task AddCashierAsync() =>
        Terminal.App.Services.GetRequiredService<StaffStore>().AddOrUpdateAsync(Cashier, "Lê Thu Ngân", StaffRole.Cashier, CashierPin);

    // A client with a cookie jar, signed in as a program signs in (no browser headers).
    private async Task<HttpClient> SignedInAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Terminal.Http.BaseAddress };
        using var response = await client.PostAsJsonAsync("/api/v1/sessions", new { staffId = Cashier, pin = CashierPin });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return client;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, params (string Header, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (header, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        return await client.SendAsync(request);
    }
}
