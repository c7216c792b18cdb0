using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// People at the province server: the administrator sees and resolves everything; an institution's accountant sees
/// their own institution, read-only; wrong passwords make the next try wait. And the reconciliation those people read: a day's
/// card payment and bank credit side by side, the unmatched transfer in the worklist until someone resolves it.
/// </summary>
public abstract class ProvinceRoleTests(ProvinceEngine engine)
{
    [Fact]
    public async Task An_accountant_sees_only_their_institution_and_changes_nothing()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var accountant = await province.SignInAsync("ketoan.nguyendu", "KeToan@2026");

        // The page is a file that reads its figures from /api/v1/report/plan, scoped the same way.
        Assert.Equal(HttpStatusCode.OK, (await accountant.GetAsync("/report")).StatusCode);
        var report = await accountant.GetFromJsonAsync<JsonElement>("/api/v1/report/plan");
        var names = string.Join('|', report.GetProperty("institutions").EnumerateArray().Select(i => i.GetProperty("name").GetString()).Concat(report.GetProperty("byDistrict").EnumerateArray().Select(g => g.GetProperty("district").GetString())));
        Assert.Contains("Trường THCS Nguyễn Du", names, StringComparison.Ordinal);
        Assert.DoesNotContain("Châu Thành", names, StringComparison.Ordinal);
        var csv = (await accountant.GetStringAsync("/report?format=csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, csv.Length); // the header and their institution
        Assert.StartsWith("TG-THCS-NGUYENDU,", csv[1], StringComparison.Ordinal);

        using (var home = await accountant.GetAsync("/"))
        {
            Assert.Equal((HttpStatusCode.Redirect, "/report"), (home.StatusCode, home.Headers.Location!.OriginalString));
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await accountant.GetAsync("/api/v1/admin/payments")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await accountant.GetAsync("/api/v1/admin/report/plan")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await accountant.GetAsync("/api/v1/reconciliation?institution=TG-TTYT-CHAUTHANH")).StatusCode);
        var own = await accountant.GetFromJsonAsync<JsonElement>("/api/v1/reconciliation");
        Assert.Equal("TG-THCS-NGUYENDU", own.GetProperty("institutionId").GetString());
        using (var resolve = await accountant.PostAsJsonAsync("/api/v1/reconciliation/items/transfer:1/resolve", new { note = "checked" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, resolve.StatusCode);
        }

        using (var users = await accountant.PutAsJsonAsync("/api/v1/admin/users/ketoan.nguyendu", new { fullName = "x", role = "province_admin", password = "0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        }

        // Signed out, the session cookie is gone and the pages ask to sign in again.
        using (await accountant.PostAsync("/logout", null))
        {
        }

        using var after = await accountant.GetAsync("/report");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/login", after.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("as an institution's accountant, ask for another institution's e-documents of a day (?institution=)",
        "403 forbidden as for the reconciliation, not their own institution's documents in its place")]
    public async Task An_accountant_naming_another_institution_s_e_documents_is_refused_as_for_the_reconciliation()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var accountant = await province.SignInAsync("ketoan.nguyendu", "KeToan@2026");
        using (var other = await accountant.GetAsync("/api/v1/e-documents/day?institution=TG-TTYT-CHAUTHANH&date=2026-11-23"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
            Assert.Equal("forbidden", (await other.ProblemAsync()).Code);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await accountant.GetAsync("/api/v1/reconciliation?institution=TG-TTYT-CHAUTHANH")).StatusCode);
        foreach (var own in (string[])["/api/v1/e-documents/day?institution=TG-THCS-NGUYENDU&date=2026-11-23", "/api/v1/e-documents/day?date=2026-11-23"])
        {
            var day = await accountant.GetFromJsonAsync<JsonElement>(own);
            Assert.Equal("TG-THCS-NGUYENDU", day.GetProperty("institutionId").GetString());
        }

        var named = await province.Admin.GetFromJsonAsync<JsonElement>("/api/v1/e-documents/day?institution=TG-TTYT-CHAUTHANH&date=2026-11-23");
        Assert.Equal("TG-TTYT-CHAUTHANH", named.GetProperty("institutionId").GetString());
    }

    [Fact]
    public async Task The_administrator_creates_people_and_wrong_passwords_make_the_next_try_wait()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using (var bad = await province.Admin.PutAsJsonAsync("/api/v1/admin/users/kt.benhvien", new { fullName = "Kế toán", role = "accountant", institutionId = "TG-NOWHERE", password = "mat-khau-dai-du" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("TG-NOWHERE", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var weak = await province.Admin.PutAsJsonAsync("/api/v1/admin/users/kt.benhvien", new { fullName = "Kế toán", role = "accountant", institutionId = "TG-TTYT-CHAUTHANH", password = "ngan" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        }

        using (var created = await province.Admin.PutAsJsonAsync("/api/v1/admin/users/kt.benhvien", new { fullName = "Kế toán bệnh viện", role = "accountant", institutionId = "TG-TTYT-CHAUTHANH", password = "mat-khau-dai-du" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);
        }

        using (var hospital = await province.SignInAsync("kt.benhvien", "mat-khau-dai-du"))
        {
            Assert.Contains("Châu Thành", (await hospital.GetFromJsonAsync<JsonElement>("/api/v1/report/plan")).GetProperty("institutions")[0].GetProperty("name").GetString(), StringComparison.Ordinal);
        }

        // Five wrong passwords make the next try wait (the right one too, until the wait is over, or until the
        // administrator sets a new password); nothing locks the login for good (AccountAttackTests: the wait ends).
        using var guesser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = province.BaseUrl };
        for (var i = 0; i < ProvinceUsers.MaxFailures; i++)
        {
            using var wrong = await guesser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "kt.benhvien", ["password"] = $"doan-sai-{i}" }));
            Assert.Contains(i < ProvinceUsers.MaxFailures - 1 ? "error=wrong" : "error=wait", wrong.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using (var right = await guesser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "kt.benhvien", ["password"] = "mat-khau-dai-du" })))
        {
            Assert.Contains("error=wait", right.Headers.Location!.OriginalString, StringComparison.Ordinal);
            Assert.False(right.Headers.Contains("Set-Cookie"));
        }

        var listed = await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/users");
        var listedUser = listed!.Single(u => u.GetProperty("username").GetString() == "kt.benhvien");
        Assert.Equal(ProvinceUsers.MaxFailures, listedUser.GetProperty("failedSignIns").GetInt64());
        Assert.Equal(JsonValueKind.String, listedUser.GetProperty("waitUntil").ValueKind);
        Assert.DoesNotContain("pbkdf2", JsonSerializer.Serialize(listed), StringComparison.Ordinal);
        using (await province.Admin.PutAsJsonAsync("/api/v1/admin/users/kt.benhvien", new { fullName = "Kế toán bệnh viện", role = "accountant", institutionId = "TG-TTYT-CHAUTHANH", password = "mat-khau-moi-123" }))
        {
        }

        using var reopened = await province.SignInAsync("kt.benhvien", "mat-khau-moi-123");
        Assert.Equal(HttpStatusCode.OK, (await reopened.GetAsync("/reconciliation")).StatusCode);
    }

    [Fact]
    public async Task Reconciliation_shows_the_day_per_method_and_bank_and_the_unmatched_transfer_until_resolved()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04A1B2C3");
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));

        // A transfer to the school's account whose text names no payment: the bank has the money, no payment matches.
        using (var notified = await province.NotifyAsync(230_000, "CHUYEN TIEN HOC PHI CHAU AN"))
        {
            Assert.Equal(HttpStatusCode.OK, notified.StatusCode);
        }

        var today = DateTime.UtcNow.AddHours(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture); // the province's day
        var view = await province.Admin.GetFromJsonAsync<JsonElement>("/api/v1/reconciliation");
        var day = view.GetProperty("days").EnumerateArray().Single(d => d.GetProperty("institutionId").GetString() == "TG-THCS-NGUYENDU" && d.GetProperty("day").GetString() == today);
        Assert.Equal((150_000L, 0L, 230_000L, 1), (day.GetProperty("cardBalance").GetInt64(), day.GetProperty("vietQr").GetInt64(), day.GetProperty("receivedByBank").GetInt64(), day.GetProperty("openMismatches").GetInt32()));
        var item = view.GetProperty("worklist").EnumerateArray().Single();
        Assert.Equal(("unmatched_transfer", "TG-THCS-NGUYENDU", 230_000L), (item.GetProperty("kind").GetString(), item.GetProperty("institutionId").GetString(), item.GetProperty("amount").GetInt64()));
        var key = item.GetProperty("item").GetString()!;

        // The hospital's accountant does not see the school's worklist.
        using (var hospital = await province.SignInAsync("ketoan.ttytchauthanh", "KeToan@2026"))
        {
            Assert.Empty((await hospital.GetFromJsonAsync<JsonElement>("/api/v1/reconciliation")).GetProperty("worklist").EnumerateArray());
        }

        using (var empty = await province.Admin.PostAsJsonAsync($"/api/v1/reconciliation/items/{key}/resolve", new { note = "  " }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        using (var unknown = await province.Admin.PostAsJsonAsync("/api/v1/reconciliation/items/transfer:999999/resolve", new { note = "?" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var resolved = await province.Admin.PostAsJsonAsync($"/api/v1/reconciliation/items/{key}/resolve", new { note = "Phụ huynh chuyển nhầm nội dung; đã đối chiếu HS240003" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, resolved.StatusCode);
        }

        using (var again = await province.Admin.PostAsJsonAsync($"/api/v1/reconciliation/items/{key}/resolve", new { note = "again" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        view = await province.Admin.GetFromJsonAsync<JsonElement>("/api/v1/reconciliation");
        day = view.GetProperty("days").EnumerateArray().Single(d => d.GetProperty("institutionId").GetString() == "TG-THCS-NGUYENDU" && d.GetProperty("day").GetString() == today);
        Assert.Equal(0, day.GetProperty("openMismatches").GetInt32());
        item = view.GetProperty("worklist").EnumerateArray().Single();
        Assert.Equal(("admin-token", "Phụ huynh chuyển nhầm nội dung; đã đối chiếu HS240003"), (item.GetProperty("resolvedBy").GetString(), item.GetProperty("note").GetString()));

        // The school's accountant reads the same through what the page reads, without the right to change it (the page
        // draws a resolve form only when the session says canResolve).
        using var accountant = await province.SignInAsync("ketoan.nguyendu", "KeToan@2026");
        Assert.Equal(HttpStatusCode.OK, (await accountant.GetAsync("/reconciliation")).StatusCode);
        var own = await accountant.GetFromJsonAsync<JsonElement>("/api/v1/reconciliation");
        day = own.GetProperty("days").EnumerateArray().Single(d => d.GetProperty("day").GetString() == today);
        Assert.Equal((150_000L, 230_000L), (day.GetProperty("cardBalance").GetInt64(), day.GetProperty("receivedByBank").GetInt64()));
        Assert.Equal("Phụ huynh chuyển nhầm nội dung; đã đối chiếu HS240003", own.GetProperty("worklist").EnumerateArray().Single().GetProperty("note").GetString());
        var session = await accountant.GetFromJsonAsync<JsonElement>("/api/v1/province/session");
        Assert.False(session.GetProperty("canResolve").GetBoolean());
    }
}

/// <summary>ProvinceRole on the embedded SQLite file.</summary>
public sealed class ProvinceRoleSqliteTests() : ProvinceRoleTests(ProvinceEngine.Sqlite);

/// <summary>ProvinceRole on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class ProvinceRolePostgresTests() : ProvinceRoleTests(ProvinceEngine.Postgres);
