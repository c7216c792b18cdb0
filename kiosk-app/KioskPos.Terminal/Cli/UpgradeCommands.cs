using System.CommandLine;
using KioskPos.Core.Text;
using KioskPos.Storage;

namespace KioskPos.Terminal.Cli;

/// <summary>
/// What the upgrade helper (firmware/os/kioskpos-upgrade, root, apart from the terminal service) asks the terminal,
/// run as the kioskpos user against the data folder. Machine-facing: one line on stdout or stderr, English.
/// <c>begin</c> exits 0 with the version when the upgrade lock was taken, 3 when nothing is due, 4 when one is due
/// but not now (the reason on stderr); <c>verify</c> exits 0 when the running terminal answers /health within the
/// wait, passed the self-test it ran at its start after <c>--since</c> (the failed checks on stderr) and its journal
/// verifies; <c>alert</c> keeps the lock for good with the result <c>stopped</c>; <c>restore</c> exits 0 when the backup was restored, 5 when the database was
/// written after it (nothing restored); 2 everywhere when the command could not run.
/// </summary>
internal static class UpgradeCommands
{
    public static Command Create(Option<string> data)
    {
        var installed = new Option<string>("--installed") { Description = "The installed package version", Required = true };
        var begin = new Command("begin", "Take the upgrade lock when a version is due, it is the maintenance window, nothing is left to sync or print and no payment is open") { data, installed };
        begin.SetAction(async (parse, ct) =>
        {
            if (Open(parse.GetValue(data)!) is not { } database)
            {
                return 2;
            }

            var gate = await new UpgradeStore(database, TimeProvider.System).BeginAsync(parse.GetValue(installed)!, ct).ConfigureAwait(false);
            if (gate.Go)
            {
                Directory.CreateDirectory(Path.Combine(parse.GetValue(data)!, "upgrade"));
                Console.WriteLine(gate.Version);
                return 0;
            }

            Console.Error.WriteLine(gate.Due ? $"{gate.Version} due, not now: {gate.Reason}" : $"nothing due: {gate.Reason}");
            return gate.Due ? 4 : 3;
        });

        var result = new Option<string>("--result") { Description = "upgraded, rolled_back or refused", Required = true };
        var version = new Option<string>("--version") { Description = "The version tried", Required = true };
        var detail = new Option<string>("--detail") { Description = "What happened", DefaultValueFactory = _ => string.Empty };
        var end = new Command("end", "Release the upgrade lock and keep the result for the next report to the province") { data, result, version, detail };
        end.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(result) is not ("upgraded" or "rolled_back" or "refused"))
            {
                Console.Error.WriteLine("--result must be upgraded, rolled_back or refused");
                return 2;
            }

            if (Open(parse.GetValue(data)!) is not { } database)
            {
                return 2;
            }

            var text = parse.GetValue(detail)!;
            await new UpgradeStore(database, TimeProvider.System).EndAsync(parse.GetValue(result)!, parse.GetValue(version)!, text.Length > 200 ? text[..200] : text, ct).ConfigureAwait(false);
            return 0;
        });

        var url = new Option<string>("--url") { Description = "The terminal's health endpoint", DefaultValueFactory = _ => TerminalApp.DefaultUrl + "/health" };
        var wait = new Option<int>("--wait") { Description = "Seconds the terminal has to answer", DefaultValueFactory = _ => 120 };
        var since = new Option<long?>("--since") { Description = "Unix time (seconds) of the restart: the self-test must have run after it; without it, no self-test is asked for" };
        var verify = new Command("verify", "Wait for the running terminal's /health and for the self-test it runs at its start under the upgrade lock, then verify its journal on the (migrated) database") { data, url, wait, since };
        verify.SetAction(async (parse, ct) =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(wait))));
            if (!await AnswersAsync(new Uri(parse.GetValue(url)!), deadline.Token).ConfigureAwait(false))
            {
                Console.Error.WriteLine($"no healthy answer from {parse.GetValue(url)} within {parse.GetValue(wait)} s");
                return 1;
            }

            if (Open(parse.GetValue(data)!) is not { } database)
            {
                return 2;
            }

            if (parse.GetValue(since) is { } restarted)
            {
                var test = await SelfTestAfterAsync(new UpgradeStore(database, TimeProvider.System), DateTimeOffset.FromUnixTimeSeconds(restarted), deadline.Token).ConfigureAwait(false);
                if (test is null)
                {
                    Console.Error.WriteLine($"no self-test outcome within {parse.GetValue(wait)} s");
                    return 1;
                }

                if (!test.Ok)
                {
                    Console.Error.WriteLine($"self-test failed: {test.Failed}");
                    return 1;
                }
            }

            var journal = await new JournalVerifier(database).VerifyAsync(ct).ConfigureAwait(false);
            if (!journal.Ok)
            {
                Console.Error.WriteLine($"the journal does not verify: {journal.Problems.Count} problems");
                return 1;
            }

            return 0;
        });

        var alert = new Command("alert", "Not rolled back (the database was written after the backup): keep the upgrade lock for good and the result 'stopped' for the report to the province") { data, version, detail };
        alert.SetAction(async (parse, ct) =>
        {
            if (Open(parse.GetValue(data)!) is not { } database)
            {
                return 2;
            }

            var text = parse.GetValue(detail)!;
            await new UpgradeStore(database, TimeProvider.System).AlertAsync(parse.GetValue(version)!, text.Length > 200 ? text[..200] : text, ct).ConfigureAwait(false);
            return 0;
        });

        var backup = new Option<string>("--backup") { Description = "The pre-upgrade backup", Required = true };
        var restore = new Command("restore", "With the terminal stopped: make the pre-upgrade backup the database again, only when nothing was journalled after it") { data, backup };
        restore.SetAction(async (parse, ct) =>
        {
            try
            {
                var outcome = await UpgradeStore.RestoreAsync(Path.Combine(parse.GetValue(data)!, "terminal.db"), parse.GetValue(backup)!, ct).ConfigureAwait(false);
                if (outcome == RestoreOutcome.WrittenSince)
                {
                    Console.Error.WriteLine("the journal has entries after the backup: not restored");
                    return 5;
                }

                return 0;
            }
            catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"not restored: {e.Message}");
                return 2;
            }
        });

        return new Command("upgrade", "Fleet updates: what the upgrade helper asks the terminal") { begin, end, verify, restore, alert };
    }

    // The self-test the new version runs once started under the lock (UpgradeSelfTestRunner); null when none came
    // before the deadline. Read from the database: no sign-in and no endpoint are needed for it.
    private static async Task<UpgradeSelfTest?> SelfTestAfterAsync(UpgradeStore upgrades, DateTimeOffset restarted, CancellationToken deadline)
    {
        while (true)
        {
            if (await upgrades.GetSelfTestAsync(CancellationToken.None).ConfigureAwait(false) is { } test && test.At >= restarted)
            {
                return test;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    // Polls until the endpoint answers 2xx: the new version may take a while to start (migrations, devices).
    private static async Task<bool> AnswersAsync(Uri url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // this try timed out; the deadline has not passed
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    private static KioskPos.Shared.Sqlite.SqliteDatabase? Open(string folder)
    {
        var path = Path.Combine(folder, "terminal.db");
        if (File.Exists(path))
        {
            return TerminalSchema.Open(path);
        }

        Console.Error.WriteLine(Messages.Both("cli.no_database", path));
        return null;
    }
}
