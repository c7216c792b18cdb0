using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using KioskPos.Sync;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>Enrolment and signed requests, and every way they are refused.</summary>
public abstract class DeviceAuthTests(ProvinceEngine engine)
{
    private static async Task<ProblemDto> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;

    private static EnrolRequest NewKeyRequest(string code, out ECDsa key)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new EnrolRequest(code, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>Sends a request signed by hand, so that each part can be wrong on purpose.</summary>
    private static async Task<HttpResponseMessage> SendSignedAsync(ProvinceHost province, ECDsa key, string keyId, string body, DateTimeOffset created, string nonce, string? digestOverride = null, string? sentBody = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var digest = RequestSignature.ContentDigest(bytes);
        var parameters = RequestSignature.Parameters(created, nonce, keyId);
        var signature = RequestSignature.Sign(key, RequestSignature.SignatureBase("POST", SyncProtocol.PushPath, string.Empty, digest, parameters));
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(province.BaseUrl, SyncProtocol.PushPath)) { Content = new ByteArrayContent(sentBody is null ? bytes : Encoding.UTF8.GetBytes(sentBody)) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Content-Digest", digestOverride ?? digest);
        request.Headers.TryAddWithoutValidation("Signature-Input", $"sig1={parameters}");
        request.Headers.TryAddWithoutValidation("Signature", $"sig1=:{signature}:");
        using var http = new HttpClient();
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task A_code_enrols_once_and_unknown_used_or_expired_codes_are_refused()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var http = new HttpClient { BaseAddress = province.BaseUrl };
        var code = await Enrolment.IssueCodeAsync(province.Admin, province.BaseUrl, "KP-THCS-ND-02", "TG-THCS-NGUYENDU");
        // The ticket: the one-time code, then the fingerprint of the province's signing key (four more groups).
        Assert.Matches("^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){4}$", code);

        using var first = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, NewKeyRequest(code.ToLowerInvariant(), out var key1), ContractsJsonContext.Default.EnrolRequest);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var enrolled = (await first.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EnrolResponse))!;
        Assert.Equal("KP-THCS-ND-02", enrolled.TerminalId);
        Assert.Equal("Trường THCS Nguyễn Du", enrolled.InstitutionName);

        using var reused = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, NewKeyRequest(code, out _), ContractsJsonContext.Default.EnrolRequest);
        Assert.Equal(HttpStatusCode.Gone, reused.StatusCode);
        Assert.Equal("code_used", (await ProblemAsync(reused)).Code);

        using var unknown = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, NewKeyRequest("ABCD-EFGH", out _), ContractsJsonContext.Default.EnrolRequest);
        Assert.Equal("unknown_code", (await ProblemAsync(unknown)).Code);

        using var badKey = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, new EnrolRequest(code, "bm90IGEga2V5"), ContractsJsonContext.Default.EnrolRequest);
        Assert.Equal("bad_public_key", (await ProblemAsync(badKey)).Code);

        // A code valid for one minute, used after it ran out (the server's clock is real: wait it out in SQL).
        var expiring = await Enrolment.IssueCodeAsync(province.Admin, province.BaseUrl, "KP-THCS-ND-03", "TG-THCS-NGUYENDU");
        Assert.Equal(1, await province.ExecuteAsync("UPDATE enrolment_codes SET expires_at = '2020-01-01T00:00:00.0000000+00:00' WHERE terminal_id = 'KP-THCS-ND-03'"));

        using var expired = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, NewKeyRequest(expiring, out _), ContractsJsonContext.Default.EnrolRequest);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Equal("code_expired", (await ProblemAsync(expired)).Code);

        // A code revoked before use (handed to the wrong person) no longer enrols.
        var revokedCode = await Enrolment.IssueCodeAsync(province.Admin, province.BaseUrl, "KP-THCS-ND-04", "TG-THCS-NGUYENDU");
        using (var revoke = await province.Admin.PostAsync("/api/v1/admin/terminals/KP-THCS-ND-04/enrolment-codes/revoke", null))
        {
            Assert.Equal(1, (await revoke.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("revoked").GetInt32());
        }

        using var revokedUse = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, NewKeyRequest(revokedCode, out _), ContractsJsonContext.Default.EnrolRequest);
        Assert.Equal("code_expired", (await ProblemAsync(revokedUse)).Code);

        // The enrolled key works.
        using var ok = await SendSignedAsync(province, key1, "KP-THCS-ND-02", "{}", DateTimeOffset.UtcNow, RequestSignature.NewNonce());
        Assert.Equal(HttpStatusCode.BadRequest, ok.StatusCode); // authenticated; the empty batch itself is refused
        Assert.Equal("malformed_json", (await ProblemAsync(ok)).Code);
    }

    [Fact]
    public async Task Signatures_are_refused_for_another_key_a_changed_body_a_replayed_nonce_a_stale_time_and_a_revoked_terminal()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var http = new HttpClient { BaseAddress = province.BaseUrl };
        var code = await Enrolment.IssueCodeAsync(province.Admin, province.BaseUrl, "KP-THCS-ND-01", "TG-THCS-NGUYENDU");
        (await http.PostAsJsonAsync(SyncProtocol.EnrolPath, NewKeyRequest(code, out var key), ContractsJsonContext.Default.EnrolRequest)).EnsureSuccessStatusCode();
        var now = DateTimeOffset.UtcNow;

        using var otherKey = await SendSignedAsync(province, ECDsa.Create(ECCurve.NamedCurves.nistP256), "KP-THCS-ND-01", "{}", now, RequestSignature.NewNonce());
        Assert.Equal((HttpStatusCode.Unauthorized, "bad_signature"), (otherKey.StatusCode, (await ProblemAsync(otherKey)).Code));

        using var unknown = await SendSignedAsync(province, key, "KP-NOBODY", "{}", now, RequestSignature.NewNonce());
        Assert.Equal("unknown_terminal", (await ProblemAsync(unknown)).Code);

        // The headers are verified before the body is read: a Content-Digest other than the one signed fails the
        // signature; a body other than the one the signed digest names is refused once read.
        using var changedDigest = await SendSignedAsync(province, key, "KP-THCS-ND-01", "{}", now, RequestSignature.NewNonce(), RequestSignature.ContentDigest("{\"x\":1}"u8));
        Assert.Equal("bad_signature", (await ProblemAsync(changedDigest)).Code);
        using var changed = await SendSignedAsync(province, key, "KP-THCS-ND-01", "{}", now, RequestSignature.NewNonce(), sentBody: "{\"x\":1}");
        Assert.Equal((HttpStatusCode.Unauthorized, "body_changed"), (changed.StatusCode, (await ProblemAsync(changed)).Code));

        using var stale = await SendSignedAsync(province, key, "KP-THCS-ND-01", "{}", now.AddMinutes(-6), RequestSignature.NewNonce());
        Assert.Equal("clock_skew", (await ProblemAsync(stale)).Code);
        using var future = await SendSignedAsync(province, key, "KP-THCS-ND-01", "{}", now.AddMinutes(6), RequestSignature.NewNonce());
        Assert.Equal("clock_skew", (await ProblemAsync(future)).Code);

        var nonce = RequestSignature.NewNonce();
        using var original = await SendSignedAsync(province, key, "KP-THCS-ND-01", "{}", now, nonce);
        Assert.Equal(HttpStatusCode.BadRequest, original.StatusCode); // authenticated
        using var replay = await SendSignedAsync(province, key, "KP-THCS-ND-01", "{}", now, nonce);
        Assert.Equal((HttpStatusCode.Unauthorized, "replayed"), (replay.StatusCode, (await ProblemAsync(replay)).Code));

        (await province.Admin.PostAsync("/api/v1/admin/terminals/KP-THCS-ND-01/revoke", null)).EnsureSuccessStatusCode();
        using var revoked = await SendSignedAsync(province, key, "KP-THCS-ND-01", "{}", now, RequestSignature.NewNonce());
        Assert.Equal((HttpStatusCode.Forbidden, "terminal_revoked"), (revoked.StatusCode, (await ProblemAsync(revoked)).Code));
    }

    [Fact]
    public async Task A_terminal_enrolled_again_is_verified_with_its_new_key_only_though_the_old_one_was_kept_imported()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var http = new HttpClient { BaseAddress = province.BaseUrl };
        var registry = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<TerminalRegistry>(province.App.Services);
        var first = await Enrolment.IssueCodeAsync(province.Admin, province.BaseUrl, "KP-THCS-ND-01", "TG-THCS-NGUYENDU");
        (await http.PostAsJsonAsync(SyncProtocol.EnrolPath, NewKeyRequest(first, out var oldKey), ContractsJsonContext.Default.EnrolRequest)).EnsureSuccessStatusCode();
        var now = DateTimeOffset.UtcNow;

        // Two requests with the first key: both authenticated (400: "{}" is no push), its import kept and used again.
        for (var i = 0; i < 2; i++)
        {
            using var signed = await SendSignedAsync(province, oldKey, "KP-THCS-ND-01", "{}", now, RequestSignature.NewNonce());
            Assert.Equal(HttpStatusCode.BadRequest, signed.StatusCode);
        }

        var before = registry.CachedKeys;

        // The terminal's disk was replaced: it enrols again with a new key.
        var second = await Enrolment.IssueCodeAsync(province.Admin, province.BaseUrl, "KP-THCS-ND-01", "TG-THCS-NGUYENDU");
        (await http.PostAsJsonAsync(SyncProtocol.EnrolPath, NewKeyRequest(second, out var newKey), ContractsJsonContext.Default.EnrolRequest)).EnsureSuccessStatusCode();

        using var old = await SendSignedAsync(province, oldKey, "KP-THCS-ND-01", "{}", now, RequestSignature.NewNonce());
        Assert.Equal((HttpStatusCode.Unauthorized, "bad_signature"), (old.StatusCode, (await ProblemAsync(old)).Code));
        using var renewed = await SendSignedAsync(province, newKey, "KP-THCS-ND-01", "{}", now, RequestSignature.NewNonce());
        Assert.Equal(HttpStatusCode.BadRequest, renewed.StatusCode);
        Assert.Equal(before + 1, registry.CachedKeys);

        // Revoked: refused at once, though its key is held imported.
        (await province.Admin.PostAsync("/api/v1/admin/terminals/KP-THCS-ND-01/revoke", null)).EnsureSuccessStatusCode();
        using var revoked = await SendSignedAsync(province, newKey, "KP-THCS-ND-01", "{}", now, RequestSignature.NewNonce());
        Assert.Equal((HttpStatusCode.Forbidden, "terminal_revoked"), (revoked.StatusCode, (await ProblemAsync(revoked)).Code));
    }

    [Fact]
    public async Task A_new_terminal_that_is_not_enrolled_starts_on_a_missing_data_folder_and_says_so_instead_of_syncing()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        var folder = Directory.CreateTempSubdirectory("kioskpos-unenrolled-").FullName;
        try
        {
            // A new machine: the data folder does not exist yet.
            var app = KioskPos.Terminal.TerminalApp.Build(["--urls=http://127.0.0.1:0", $"--Terminal:DataDirectory={Path.Combine(folder, "new", "terminal")}", $"--ProvinceServer:BaseUrl={province.BaseUrl}", "--Hardware:AllowSimulated=true", "--Logging:LogLevel:Default=Warning"]);
            await app.StartAsync();
            try
            {
                var round = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<SyncWorker>(app.Services).RunRoundAsync(CancellationToken.None);
                Assert.NotNull(round.Error);
                Assert.Contains("not enrolled", round.Error);
                using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
                Assert.Equal("Healthy", await http.GetStringAsync("/health"));

                // Like an installer's box, it prints a status ticket: its id, its addresses, how to enrol it.
                var receipts = Path.Combine(folder, "new", "terminal", "receipts");
                string? ticket = null;
                await Wait.UntilAsync(() => Task.FromResult((ticket = Directory.Exists(receipts) ? Directory.GetFiles(receipts, "*.txt").Select(File.ReadAllText).FirstOrDefault() : null) is not null),
                    TimeSpan.FromSeconds(20), "the status ticket");
                Assert.Contains("CHƯA ĐĂNG KÝ", ticket, StringComparison.Ordinal);
                Assert.Contains("kioskpos-terminal enroll", ticket, StringComparison.Ordinal);
                Assert.Contains("--code", ticket, StringComparison.Ordinal);
                Assert.Contains("IP:", ticket, StringComparison.Ordinal);
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>DeviceAuth on the embedded SQLite file.</summary>
public sealed class DeviceAuthSqliteTests() : DeviceAuthTests(ProvinceEngine.Sqlite);

/// <summary>DeviceAuth on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class DeviceAuthPostgresTests() : DeviceAuthTests(ProvinceEngine.Postgres);
