using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// HTTPS end to end, with the real executables: a province server behind a certificate of the province's own
/// authority (Kestrel's certificate settings), a terminal that trusts that authority through OpenSSL's
/// <c>SSL_CERT_FILE</c> (how a Debian terminal takes an added CA), enrolled over https:// and syncing over it; a
/// terminal that does not trust the authority cannot even enrol.
/// </summary>
[Trait("Category", "Process")]
public sealed class HttpsTests
{
    [Fact]
    [Trait("Category", "Attack")]
    [Attack("serve the province's address with a certificate the terminal's trust store does not vouch for", "enrolment fails on the TLS handshake, nothing kept; with the province's authority trusted, enrolment and sync run over https://")]
    public async Task A_terminal_enrols_and_syncs_over_https_only_with_a_certificate_it_trusts()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-https-").FullName;
        var (authority, server) = Certificates();
        var pfx = Path.Combine(folder, "province.pfx");
        await File.WriteAllBytesAsync(pfx, server.Export(X509ContentType.Pfx, "test-pfx"));
        var caFile = Path.Combine(folder, "province-ca.pem");
        await File.WriteAllTextAsync(caFile, authority.ExportCertificatePem());
        var trusted = new Dictionary<string, string> { ["SSL_CERT_FILE"] = caFile, ["SSL_CERT_DIR"] = Path.Combine(folder, "no-other-certificates") };

        var provincePort = LoopbackPort.Next();
        var terminalPort = LoopbackPort.Next();
        var provinceUrl = new Uri($"https://127.0.0.1:{provincePort}");
        var province = Processes.Start("province-server/KioskPos.ProvinceServer", "kioskpos-province.dll",
            $"--urls={provinceUrl}", $"--Kestrel:Certificates:Default:Path={pfx}", "--Kestrel:Certificates:Default:Password=test-pfx",
            $"--Province:DataDirectory={folder}/province", "--Province:AdminToken=adm", "--Province:SeedDemoData=true");
        Process? terminal = null;
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && IssuedBy(certificate, authority) };
        using var admin = new HttpClient(handler) { BaseAddress = provinceUrl, Timeout = TimeSpan.FromSeconds(10) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "adm");
        try
        {
            await Processes.WaitHealthyAsync(admin, new Uri(provinceUrl, "/health").ToString(), province);

            // Not trusting the province's authority, the terminal refuses the handshake: nothing enrolled, nothing kept.
            var refusedTicket = await Enrolment.IssueCodeAsync(admin, provinceUrl, "KP-THCS-ND-01", "TG-THCS-NGUYENDU");
            var untrusting = new Dictionary<string, string> { ["SSL_CERT_FILE"] = Path.Combine(folder, "no-such-bundle.pem"), ["SSL_CERT_DIR"] = Path.Combine(folder, "no-other-certificates") };
            var (refusedExit, refusedOutput, refusedError) = await Processes.RunTerminalCliWithAsync(untrusting,
                "enroll", "--server", provinceUrl.ToString(), "--code", refusedTicket, "--data", Path.Combine(folder, "untrusting"));
            Assert.True(refusedExit != 0, refusedOutput + refusedError);
            Assert.Matches("(?i)ssl|certificate|tls", refusedOutput + refusedError); // refused on the handshake, not for another reason
            Assert.False(File.Exists(Path.Combine(folder, "untrusting", "enrolment.json")));

            var ticket = await Enrolment.IssueCodeAsync(admin, provinceUrl, "KP-THCS-ND-01", "TG-THCS-NGUYENDU");
            var (enrolExit, enrolOutput, enrolError) = await Processes.RunTerminalCliWithAsync(trusted,
                "enroll", "--server", provinceUrl.ToString(), "--code", ticket, "--data", Path.Combine(folder, "terminal"));
            Assert.True(enrolExit == 0, enrolOutput + enrolError);

            terminal = Processes.StartWith(trusted, "kiosk-app/KioskPos.Terminal", "kioskpos-terminal.dll",
                $"--urls=http://127.0.0.1:{terminalPort}", $"--Terminal:DataDirectory={folder}/terminal", "--ProvinceServer:Interval=00:00:01",
                "--Hardware:AllowSimulated=true", "--Logging:LogLevel:Default=Warning");
            var terminalUrl = $"http://127.0.0.1:{terminalPort}";
            using var local = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Processes.WaitHealthyAsync(local, $"{terminalUrl}/health", terminal);
            await Wait.UntilAsync(
                async () => (await local.GetFromJsonAsync<JsonElement>($"{terminalUrl}/api/v1/status")).GetProperty("cachedAccounts").GetInt32() == 30,
                TimeSpan.FromSeconds(20), "the terminal's first pull over https");

            using var pay = await local.PostAsJsonAsync($"{terminalUrl}/api/v1/payments", new { payerCode = "HS240004", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240004" } } });
            Assert.Equal(HttpStatusCode.Created, pay.StatusCode);
            await Wait.UntilAsync(
                async () => (await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/payments"))!.Length == 1,
                TimeSpan.FromSeconds(15), "the payment pushed to the province over https");
            var status = await local.GetFromJsonAsync<JsonElement>($"{terminalUrl}/api/v1/status");
            Assert.False(status.GetProperty("sync").TryGetProperty("provinceAlert", out var alert) && alert.ValueKind == JsonValueKind.String, status.ToString());
        }
        finally
        {
            foreach (var process in new[] { terminal, province })
            {
                if (process is { HasExited: false })
                {
                    process.Kill(entireProcessTree: true);
                }

                process?.Dispose();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    // A province's own authority and the server certificate it issues for 127.0.0.1.
    private static (X509Certificate2 Authority, X509Certificate2 Server) Certificates()
    {
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=KioskPos test province CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var authority = authorityRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        using var issued = serverRequest.Create(authority, now.AddDays(-1), now.AddDays(29), RandomNumberGenerator.GetBytes(12));
        return (authority, issued.CopyWithPrivateKey(serverKey));
    }

    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
