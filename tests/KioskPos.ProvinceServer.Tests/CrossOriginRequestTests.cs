using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using KioskPos.Core.Text;
using KioskPos.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// Cross-site request forgery against the province's pages: a signed-in person's browser sent by a page of another
/// origin (another port or host of the same site carries the SameSite=Strict cookie too) to post a form, a page
/// signing the victim in with the attacker's own account, and what must keep working: the pages' own requests, and
/// programs that send no browser headers.
/// </summary>
public sealed class CrossOriginRequestTests
{
    private const string Administrator = "tinh.admin";
    private const string AdministratorPassword = "QuanTri@2026";

    private static readonly Dictionary<string, string> BankSimForm = new()
    {
        ["account"] = ProvinceHost.SchoolAccount, ["amount"] = "1000", ["text"] = "CT tu NGUYEN VAN A", ["bin"] = "970436",
    };

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("as a signed-in administrator's browser, post /bank-sim/send, an admin API call and /logout from a page of another site, of the same site (another port or host) or naming another Origin",
        "403 cross_origin_request naming the header, before the session or the form is read: no transfer, the session still signed in")]
    public async Task A_signed_in_post_from_a_page_of_another_origin_is_refused_and_changes_nothing()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var administrator = await province.SignInAsync(Administrator, AdministratorPassword);
        (string Header, string Value)[] forged =
        [
            ("Sec-Fetch-Site", "cross-site"),
            ("Sec-Fetch-Site", "same-site"),
            ("Origin", "http://evil.example"),
            ("Origin", "null"),
            ("Origin", $"http://127.0.0.1:{province.BaseUrl.Port + 1}"),
            ("Origin", $"https://127.0.0.1:{province.BaseUrl.Port}"),
        ];
        foreach (var (header, value) in forged)
        {
            using (var send = await SendAsync(administrator, HttpMethod.Post, "/bank-sim/send", new FormUrlEncodedContent(BankSimForm), (header, value)))
            {
                var problem = await send.ProblemAsync(HttpStatusCode.Forbidden, $"/bank-sim/send with {header}: {value}");
                Assert.Equal(CrossOriginRequests.Code, problem.Code);
                Assert.Equal(Messages.Vi("province.problem.cross_origin_request"), problem.Title);
                Assert.Contains($"{header} is '{value}'", problem.Detail, StringComparison.Ordinal);
            }

            using (var deny = await SendAsync(administrator, HttpMethod.Post, "/api/v1/admin/cards/04A1B2C3/deny", null, (header, value)))
            {
                Assert.Equal(CrossOriginRequests.Code, (await deny.ProblemAsync(HttpStatusCode.Forbidden, $"deny with {header}: {value}")).Code);
            }

            using (var signOut = await SendAsync(administrator, HttpMethod.Post, "/logout", null, (header, value)))
            {
                Assert.Equal(CrossOriginRequests.Code, (await signOut.ProblemAsync(HttpStatusCode.Forbidden, $"/logout with {header}: {value}")).Code);
            }
        }

        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers")));
        Assert.Equal(HttpStatusCode.OK, (await administrator.GetAsync("/api/v1/admin/alerts")).StatusCode); // still signed in
    }

    [Fact]
    public async Task The_pages_own_posts_a_typed_address_and_programs_without_browser_headers_go_through()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var administrator = await province.SignInAsync(Administrator, AdministratorPassword);
        var own = $"http://127.0.0.1:{province.BaseUrl.Port}";
        (string Header, string Value)[][] allowed =
        [
            [("Sec-Fetch-Site", "same-origin"), ("Origin", own)],
            [("Sec-Fetch-Site", "same-origin")],
            [("Sec-Fetch-Site", "none")],
            [("Origin", own)],
            [("Origin", own.ToUpperInvariant())], // scheme and host names are case-insensitive
            [],
        ];
        foreach (var headers in allowed)
        {
            using var send = await SendAsync(administrator, HttpMethod.Post, "/bank-sim/send", new FormUrlEncodedContent(BankSimForm), headers);
            Assert.True(send.StatusCode == HttpStatusCode.Redirect && send.Headers.Location!.OriginalString.StartsWith("/bank-sim", StringComparison.Ordinal),
                $"{string.Join(", ", headers.Select(h => $"{h.Header}: {h.Value}"))}: {(int)send.StatusCode} {send.Headers.Location} {await send.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(allowed.Length, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers")));

        // The administrator's bearer token carries no cookie: a program is not a browser to protect, whatever it sends.
        using (var deny = await SendAsync(province.Admin, HttpMethod.Post, "/api/v1/admin/cards/04A1B2C3/deny", null, ("Sec-Fetch-Site", "cross-site")))
        {
            Assert.Equal(HttpStatusCode.NoContent, deny.StatusCode);
        }

        // Reading is never refused: a link from elsewhere opens the page.
        using (var report = await SendAsync(administrator, HttpMethod.Get, "/api/v1/reconciliation", null, ("Sec-Fetch-Site", "cross-site")))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        using (var signOut = await SendAsync(administrator, HttpMethod.Post, "/logout", null, ("Sec-Fetch-Site", "same-origin")))
        {
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await administrator.GetAsync("/api/v1/admin/alerts")).StatusCode);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("from a page of another site, post /login with the attacker's own valid name and password (login CSRF: the victim's browser signed in as the attacker)",
        "403 cross_origin_request, no session cookie set, no session made; from the sign-in page itself the same post signs in")]
    public async Task A_sign_in_posted_by_a_page_of_another_origin_sets_no_cookie()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = province.BaseUrl };
        var sessions = Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM sessions"));
        foreach (var forged in new[] { ("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Site", "same-site"), ("Origin", "http://evil.example") })
        {
            using var signIn = await SendAsync(browser, HttpMethod.Post, "/login", SignInForm(), forged);
            Assert.Equal(CrossOriginRequests.Code, (await signIn.ProblemAsync(HttpStatusCode.Forbidden, $"/login with {forged.Item1}: {forged.Item2}")).Code);
            Assert.False(signIn.Headers.Contains("Set-Cookie"));
        }

        Assert.Equal(sessions, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM sessions")));
        using var own = await SendAsync(browser, HttpMethod.Post, "/login", SignInForm(), ("Sec-Fetch-Site", "same-origin"), ("Origin", $"http://127.0.0.1:{province.BaseUrl.Port}"));
        Assert.Equal(HttpStatusCode.Redirect, own.StatusCode);
        Assert.Contains(own.Headers.GetValues("Set-Cookie"), c => c.StartsWith("kp_province=", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("from a page of another site, make the victim's browser post /login again and again (limit set to 3 a minute)",
        "each refused 403 cross_origin_request and counted by the sign-in limit: the next post from the source, from the sign-in page itself, is 429 too_many_sign_ins")]
    public async Task Sign_ins_refused_as_cross_origin_count_against_the_sign_in_limit()
    {
        const int Limit = 3;
        await using var province = await ProvinceHost.StartAsync(settings: [$"--Province:SignIn:RequestsPerMinute={Limit}"]);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = province.BaseUrl };
        for (var i = 0; i < Limit; i++)
        {
            using var forged = await SendAsync(browser, HttpMethod.Post, "/login", SignInForm(), ("Sec-Fetch-Site", "cross-site"));
            Assert.Equal(CrossOriginRequests.Code, (await forged.ProblemAsync(HttpStatusCode.Forbidden, $"forged /login {i + 1}")).Code);
        }

        using var own = await SendAsync(browser, HttpMethod.Post, "/login", SignInForm(), ("Sec-Fetch-Site", "same-origin"));
        Assert.Equal("too_many_sign_ins", (await own.ProblemAsync(HttpStatusCode.TooManyRequests, "/login from the sign-in page after the forged ones")).Code);
        Assert.True(own.Headers.RetryAfter is not null, "Retry-After");
    }

    [Fact]
    [Trait("Category", "Browser")]
    [Trait("Category", "Attack")]
    [Attack("in Chromium, signed in as the administrator, open a page on another port of the same host (same site: the SameSite=Strict cookie goes along) that submits a form to /bank-sim/send; open a page of another site that submits the attacker's sign-in to /login",
        "both answered 403 cross_origin_request: no transfer, no session cookie; the same form submitted from the province's own page goes through")]
    public async Task In_a_browser_a_form_submitted_by_a_page_of_another_origin_is_refused()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var sameSite = await BlankSite.StartAsync("127.0.0.1");
        await using var otherSite = await BlankSite.StartAsync("127.0.0.2");
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(province.BaseUrl, "/login").ToString());
        await page.FillAsync("input[name=username]", Administrator);
        await page.FillAsync("input[name=password]", AdministratorPassword);
        await page.ClickAsync("button[type=submit]");
        await Browser.WaitForAddressAsync(page, new System.Text.RegularExpressions.Regex("/$"));

        var send = new Uri(province.BaseUrl, "/bank-sim/send").ToString();
        await page.GotoAsync(sameSite.Url);
        var refused = await SubmitAsync(page, send, BankSimForm);
        var headers = await refused.Request.AllHeadersAsync();
        Assert.Equal("same-site", headers["sec-fetch-site"]);
        Assert.Contains("kp_province=", headers.GetValueOrDefault("cookie") ?? string.Empty, StringComparison.Ordinal); // SameSite=Strict let it go
        Assert.Equal(403, refused.Status);
        Assert.Equal(CrossOriginRequests.Code, (await refused.JsonAsync())?.GetProperty("code").GetString());
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers")));

        // The same form from the province's own page goes through (and back to the simulator's page).
        await page.GotoAsync(new Uri(province.BaseUrl, "/bank-sim").ToString());
        var sent = await SubmitAsync(page, send, BankSimForm);
        Assert.Equal("same-origin", (await sent.Request.AllHeadersAsync())["sec-fetch-site"]);
        Assert.Equal(302, sent.Status);
        Assert.Equal(1L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers")));

        // Login CSRF, in a browser with no session.
        await using var victim = await browser.NewContextAsync();
        var victimPage = await victim.NewPageAsync();
        await victimPage.GotoAsync(otherSite.Url);
        var signIn = await SubmitAsync(victimPage, new Uri(province.BaseUrl, "/login").ToString(),
            new Dictionary<string, string> { ["username"] = Administrator, ["password"] = AdministratorPassword, ["return"] = "/" });
        Assert.Equal(403, signIn.Status);
        Assert.Equal("cross-site", (await signIn.Request.AllHeadersAsync())["sec-fetch-site"]);
        Assert.DoesNotContain(await victim.CookiesAsync([province.BaseUrl.ToString()]), c => c.Name == "kp_province");
    }

    private static FormUrlEncodedContent SignInForm() =>
        new(new Dictionary<string, string> { ["username"] = Administrator, ["password"] = AdministratorPassword, ["return"] = "/" });

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content, params (string Header, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        foreach (var (header, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        return await client.SendAsync(request);
    }

    // What a forging page does: builds a form of hidden fields posting to the action and submits it; the answer to that post.
    private static async Task<Microsoft.Playwright.IResponse> SubmitAsync(Microsoft.Playwright.IPage page, string action, Dictionary<string, string> fields)
    {
        var posted = page.WaitForResponseAsync(r => r.Url == action && r.Request.Method == "POST");
        await page.EvaluateAsync(
            """
            ([action, fields]) => {
              const form = document.createElement('form');
              form.method = 'post';
              form.action = action;
              for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement('input');
                input.type = 'hidden';
                input.name = name;
                input.value = value;
                form.append(input);
              }
              document.body.append(form);
              form.submit();
            }
            """, new object[] { action, fields });
        var answer = await posted;
        await page.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.Load);
        return answer;
    }

    /// <summary>A page of another origin: an empty document served by a Kestrel of its own on <c>address</c>.</summary>
    private sealed class BlankSite : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private BlankSite(WebApplication app)
        {
            _app = app;
            Url = app.Urls.First() + "/";
        }

        public string Url { get; }

        public static async Task<BlankSite> StartAsync(string address)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://{address}:0");
            var app = builder.Build();
            app.MapGet("/", () => Results.Text(string.Empty, "text/html"));
            await app.StartAsync();
            return new BlankSite(app);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
