using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using Microsoft.Data.Sqlite;

namespace KioskPos.Terminal.Tests;

/// <summary>The terminal's data folder on a small tmpfs that the test fills up.</summary>
public class DiskFullTests
{
    [Fact]
    [Trait("Category", "DiskFull")]
    public async Task A_full_disk_refuses_new_payments_clearly_corrupts_nothing_and_work_resumes_when_space_returns()
    {
        var mountPoint = Directory.CreateTempSubdirectory("kioskpos-diskfull-").FullName;
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint);
        try
        {
            await using var province = await ProvinceHost.StartAsync();
            var acknowledged = 0;
            var filler = Path.Combine(mountPoint, "filler");
            await using (var terminal = await TerminalHost.StartAsync(province, folder: Path.Combine(mountPoint, "terminal")))
            {
                // The technician signs in first: a sign-in writes its session, which a full disk would refuse.
                var technician = await terminal.StaffAsync(StaffRole.Technician);

                // Leave some room (the write-ahead log of the first pull may still grow into it: CI once had no payment
                // fit in 160 KB), then pay until the disk is full.
                await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(30));
                var free = new DriveInfo(mountPoint).AvailableFreeSpace;
                await WriteZerosAsync(filler, Math.Max(0, free - (640 * 1024)));
                ProblemDto? full = null;
                for (var i = 0; i < 5000 && full is null; i++)
                {
                    await terminal.TapAsync("04A1B2C3");
                    using var response = await Pay(terminal);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged++;
                        continue;
                    }

                    Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
                    full = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto);
                }

                Assert.NotNull(full);
                Assert.Equal("disk_full", full.Code);
                Assert.Contains("chưa được ghi", full.Title);
                Assert.True(acknowledged > 0, $"no payment fitted in the room left ({new DriveInfo(mountPoint).AvailableFreeSpace} bytes free now)");

                // Still full: still refused the same way; reading still works and the journal is whole. Whatever the
                // refused write gave back (its rolled-back pages, a receipt image that did not fit) is taken again
                // first. A write that needs no new block can still succeed on a full disk (after a checkpoint SQLite
                // rewrites its write-ahead log from the start, in blocks the file already holds): such a payment is
                // acknowledged and must be counted like any other, and the next one that needs space is refused.
                var topUp = filler + ".2";
                await FillAsync(topUp);
                ProblemDto? again = null;
                for (var i = 0; i < 200 && again is null; i++)
                {
                    await terminal.TapAsync("04A1B2C3");
                    using var response = await Pay(terminal);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged++;
                        continue;
                    }

                    Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
                    again = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto);
                }

                Assert.NotNull(again);
                Assert.Equal("disk_full", again.Code);

                var verification = await technician.GetFromJsonAsync<JsonElement>("/api/v1/journal/verify");
                Assert.True(verification.GetProperty("ok").GetBoolean(), verification.GetRawText());

                // Space returns: work resumes, and everything acknowledged reaches the server once.
                File.Delete(filler);
                File.Delete(topUp);
                await terminal.TapAsync("04A1B2C3");
                using (var resumed = await Pay(terminal))
                {
                    Assert.Equal(HttpStatusCode.Created, resumed.StatusCode);
                    acknowledged++;
                }

                await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(30));
                var payments = await technician.GetFromJsonAsync<JsonElement>("/api/v1/journal/verify");
                Assert.True(payments.GetProperty("ok").GetBoolean());
            }

            SqliteConnection.ClearAllPools();
            Assert.Equal(2_000_000 - (acknowledged * 100L), await province.BalanceAsync("HS240001"));
            Assert.Equal(acknowledged, (await province.PaymentsAsync("HS240001")).Length);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await RunAsync("umount", mountPoint);
            Directory.Delete(mountPoint, recursive: true);
        }
    }

    private static Task<HttpResponseMessage> Pay(TerminalHost terminal) =>
        terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", bills = new[] { new { billId = "BT-2611-HS240001", amount = 100 } } });

    /// <summary>Takes <paramref name="length"/> bytes of the disk (tmpfs allocates on write, so the bytes are written).</summary>
    // Writes zeros until the file system refuses the next byte.
    private static async Task FillAsync(string path)
    {
        // Unbuffered, so that nothing is left to flush (and fail again) when the file is closed.
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                await file.WriteAsync(block);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }

    private static async Task WriteZerosAsync(string path, long length)
    {
        await using var file = File.Create(path);
        var block = new byte[64 * 1024];
        for (long written = 0; written < length; written += block.Length)
        {
            await file.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, length - written)));
        }
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"'{command} {string.Join(' ', args)}' failed ({process.ExitCode}): {error}. This test mounts a small tmpfs and needs root, as CI has.");
    }
}
