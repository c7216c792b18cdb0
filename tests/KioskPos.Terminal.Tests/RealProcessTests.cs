using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>The two real executables, as <c>make run</c> starts them, talking over loopback.</summary>
[Trait("Category", "Process")]
public class RealProcessTests
{
    [Fact]
    public async Task Terminal_and_province_server_processes_take_a_payment_from_tap_to_ledger()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-processes-").FullName;
        var provincePort = LoopbackPort.Next();
        var terminalPort = LoopbackPort.Next();
        var province = Processes.Start("province-server/KioskPos.ProvinceServer", "kioskpos-province.dll",
            $"--urls=http://127.0.0.1:{provincePort}", $"--Province:DataDirectory={folder}/province", "--Province:AdminToken=adm", "--Province:SeedDemoData=true");
        Process? terminal = null;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Processes.WaitHealthyAsync(http, $"http://127.0.0.1:{provincePort}/health", province);

            // The technician's enrolment: a code from the administrator, typed into the terminal's `enroll`.
            using var adminClient = new HttpClient();
            adminClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "adm");
            var code = await Enrolment.IssueCodeAsync(adminClient, new Uri($"http://127.0.0.1:{provincePort}"), "KP-THCS-ND-01", "TG-THCS-NGUYENDU");
            var (enrolExit, enrolOutput, enrolError) = await Processes.RunTerminalCliAsync("enroll", "--server", $"http://127.0.0.1:{provincePort}", "--code", code, "--data", Path.Combine(folder, "terminal"));
            Assert.True(enrolExit == 0, enrolOutput + enrolError);
            Assert.Contains("KP-THCS-ND-01", enrolOutput);
            if (!OperatingSystem.IsWindows())
            {
                // The private key is readable by the service user only.
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "terminal", "device-key.pem")));
            }

            terminal = Processes.Start("kiosk-app/KioskPos.Terminal", "kioskpos-terminal.dll",
                $"--urls=http://127.0.0.1:{terminalPort}", $"--Terminal:DataDirectory={folder}/terminal", "--ProvinceServer:Interval=00:00:01", "--ProvinceServer:AuthoriseTimeout=00:00:10",
                "--Terminal:DevEndpoints=true", "--Hardware:AllowSimulated=true"); // `tap` goes through /dev, mapped only when asked, as make run does
            var terminalUrl = $"http://127.0.0.1:{terminalPort}";
            await Processes.WaitHealthyAsync(http, $"{terminalUrl}/health", terminal);
            await Wait.UntilAsync(
                async () => (await http.GetFromJsonAsync<JsonElement>($"{terminalUrl}/api/v1/status")).GetProperty("cachedAccounts").GetInt32() == 30,
                TimeSpan.FromSeconds(20), "the terminal's first pull");

            // The terminal's own process runs the workstation GC (its project says so, issue #26), not the web SDK's
            // server GC with a heap per core.
            Assert.Contains("\nkioskpos_gc_server 0\n", await http.GetStringAsync($"{terminalUrl}/metrics"), StringComparison.Ordinal);

            // The tap goes through the terminal's own CLI, as `make tap` does.
            var (tapExit, tapOutput, _) = await Processes.RunTerminalCliAsync("tap", "04A1B2C3", "--url", terminalUrl);
            Assert.Equal(0, tapExit);
            Assert.Contains("HS240001", tapOutput);

            using var pay = await http.PostAsJsonAsync($"{terminalUrl}/api/v1/payments", new { cardUid = "04A1B2C3", method = "card_balance", bills = new[] { new { billId = "HP-2611-HS240001" } } });
            Assert.Equal(System.Net.HttpStatusCode.Created, pay.StatusCode);
            var id = (await pay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            // The answer goes before the paper (issue #26): the receipt prints a moment later.
            await Wait.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(folder, "terminal", "receipts", id + ".txt"))), TimeSpan.FromSeconds(15), "the receipt printed");
            // The terminal runs without ICU (invariant globalisation, issue #26: its libraries were 4.7 MB resident) and
            // still prints Vietnamese, composed, with money as people read it.
            Assert.DoesNotContain("libicu", await File.ReadAllTextAsync($"/proc/{terminal.Id}/maps"), StringComparison.Ordinal);
            var receipt = await File.ReadAllTextAsync(Path.Combine(folder, "terminal", "receipts", id + ".txt"));
            Assert.Contains("BIÊN LAI THU HỌC PHÍ", receipt, StringComparison.Ordinal);
            Assert.Contains("Nguyễn Minh Anh", receipt, StringComparison.Ordinal);
            Assert.Contains("150.000 ₫", receipt, StringComparison.Ordinal);
            Assert.Contains("1.850.000 ₫", receipt, StringComparison.Ordinal);

            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{provincePort}") };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "adm");
            await Wait.UntilAsync(
                async () => (await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/payments"))!.Length == 1,
                TimeSpan.FromSeconds(15), "the payment at the province server");
            Assert.Equal(1_850_000, (await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/accounts/HS240001")).GetProperty("balance").GetInt64());

            // A terminal stopped the way systemd and make run stop it exits cleanly.
            Assert.Equal(0, await Processes.StopAsync(terminal));
            Assert.Equal(0, await Processes.StopAsync(province));

            // The technician's check of the journal, on the stopped terminal's data.
            var (verifyExit, verifyOutput, _) = await Processes.RunTerminalCliAsync("journal", "verify", "--data", Path.Combine(folder, "terminal"));
            Assert.Equal(0, verifyExit);
            Assert.Contains("journal intact: 2 entries", verifyOutput);
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
}
