using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using KioskPos.Terminal.Apis;
using KioskPos.Terminal.Services;
using Microsoft.Data.Sqlite;
using KioskPos.Core.Text;

namespace KioskPos.Terminal.Cli;

/// <summary>
/// A technician's commands at the terminal's shell: <c>status</c>, <c>backup</c> and <c>journal export</c> read the
/// data folder (safe while the terminal runs); <c>selftest</c> asks the running terminal, signed in as a technician.
/// Exit codes: 0 fine, 1 a check failed, 2 the command could not run (no database, no terminal, refused).
/// </summary>
internal static class MaintenanceCommands
{
    public static (Command Status, Command Backup, Command SelfTest, Command JournalExport, Command Receipt) Create(Option<string> data, Option<bool> json, Option<string> url)
    {
        var status = new Command("status", "The sync queue, the last sync and its error, waiting print jobs, the schema: read from the data folder") { data, json };
        status.SetAction(async (parse, ct) =>
        {
            if (Open(parse.GetValue(data)!) is not { } database)
            {
                return 2;
            }

            var sync = await new OutboxStore(database, TimeProvider.System).GetStatusAsync(ct).ConfigureAwait(false);
            var waiting = await new PrintQueueStore(database, TimeProvider.System).CountWaitingAsync(ct).ConfigureAwait(false);
            var schema = await database.GetSchemaVersionAsync(ct).ConfigureAwait(false);
            var version = TerminalVersion.Current;
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new CliStatus(version, schema, sync.Queued, sync.Rejected, sync.OldestQueuedAt, sync.LastSuccessAt, sync.LastError, waiting), CliJsonContext.Default.CliStatus));
            }
            else
            {
                Console.WriteLine(string.Join("\n",
                    StatusLine("cli.status.version", $"{version} (schema {schema})"),
                    StatusLine("cli.status.queued", string.Create(CultureInfo.InvariantCulture, $"{sync.Queued}{(sync.OldestQueuedAt is { } oldest ? $" (oldest {oldest:u})" : string.Empty)}")),
                    StatusLine("cli.status.rejected", sync.Rejected.ToString(CultureInfo.InvariantCulture)),
                    StatusLine("cli.status.synced", sync.LastSuccessAt?.ToString("u", CultureInfo.InvariantCulture) ?? Messages.Both("cli.status.never")),
                    StatusLine("cli.status.last_error", sync.LastError ?? "-"),
                    StatusLine("cli.status.print_waiting", waiting.ToString(CultureInfo.InvariantCulture))));
            }

            return sync.Rejected > 0 ? 1 : 0;
        });

        var target = new Option<string>("--to") { Description = "The backup file to write (a complete SQLite database)", Required = true };
        var backup = new Command("backup", "Copy the terminal's database with SQLite's backup API: consistent while the terminal runs") { data, target };
        backup.SetAction(async (parse, ct) =>
        {
            if (Open(parse.GetValue(data)!) is not { } database)
            {
                return 2;
            }

            var to = Path.GetFullPath(parse.GetValue(target)!);
            if (File.Exists(to))
            {
                Console.Error.WriteLine(Messages.Both("cli.backup.exists", to));
                return 2;
            }

            var check = await DatabaseBackup.CopyAsync(database, to, ct).ConfigureAwait(false);
            Console.WriteLine(check.Ok
                ? Messages.Both("cli.backup.done", to, check.Entries)
                : Messages.Both("cli.backup.done_broken", to, check.Problems.Count));
            return check.Ok ? 0 : 1;
        });

        var from = new Option<long>("--from") { Description = "First sequence to export", DefaultValueFactory = _ => 1 };
        var export = new Command("export", "Write the journal as JSON lines (sequence, kind, created_at, body, prev_hash, hash) to standard output") { data, from };
        export.SetAction(async (parse, ct) =>
        {
            if (Open(parse.GetValue(data)!) is not { } database)
            {
                return 2;
            }

            await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
            var output = Console.Out;
            // Streamed row by row: the journal can be long.
            await foreach (var row in JournalFrom(connection, parse.GetValue(from)).WithCancellation(ct).ConfigureAwait(false))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(
                    new CliJournalLine(row.Sequence, row.Kind, row.CreatedAt, JsonDocument.Parse(row.Body).RootElement, row.PrevHash, row.Hash),
                    CliJsonContext.Default.CliJournalLine)).ConfigureAwait(false);
            }

            return 0;
        });

        var staff = new Option<string>("--staff") { Description = "A technician's id; the PIN is read from standard input", Required = true };
        var tapWait = new Option<int>("--tap-wait") { Description = "Seconds to wait for a card on the reader (0: do not ask for one)", DefaultValueFactory = _ => 0 };
        var selftest = new Command("selftest", "Run the running terminal's self-test: printer, reader, light and buzzer, disk, server, clock, journal") { url, staff, tapWait, json };
        selftest.SetAction(async (parse, ct) =>
        {
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = new Uri(parse.GetValue(url)!), Timeout = TimeSpan.FromSeconds(90) };
            try
            {
                if (!await SignInAsync(http, parse.GetValue(staff)!, ct).ConfigureAwait(false))
                {
                    return 2;
                }

                using var response = await http.PostAsync($"/api/v1/tech/selftest?tapSeconds={parse.GetValue(tapWait)}", null, ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine(Messages.Both("cli.selftest.refused", (int)response.StatusCode));
                    return 2;
                }

                var result = (await response.Content.ReadFromJsonAsync(TerminalJsonContext.Default.SelfTestResult, ct).ConfigureAwait(false))!;
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(result, TerminalJsonContext.Readable.SelfTestResult));
                }
                else
                {
                    foreach (var check in result.Checks)
                    {
                        Console.WriteLine($"{(check.Ok ? "OK  " : "FAIL")} {check.Name,-16} {check.Detail}");
                    }
                }

                return result.Ok ? 0 : 1;
            }
            catch (HttpRequestException e)
            {
                Console.Error.WriteLine(Messages.Both("cli.terminal_unreachable", http.BaseAddress, e.Message));
                return 2;
            }
        });

        var payment = new Argument<string>("payment") { Description = "The payment's id, or its number on this terminal (e.g. 42)" };
        var reprint = new Command("reprint", "Reprint a receipt on the running terminal (marked as a copy), signed in as a cashier or supervisor (PIN on stdin)") { payment, url, staff };
        reprint.SetAction(async (parse, ct) =>
        {
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = new Uri(parse.GetValue(url)!), Timeout = TimeSpan.FromSeconds(30) };
            try
            {
                if (!await SignInAsync(http, parse.GetValue(staff)!, ct).ConfigureAwait(false))
                {
                    return 2;
                }

                var id = parse.GetValue(payment)!;
                if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    var terminal = (await http.GetFromJsonAsync("/api/v1/status", TerminalJsonContext.Default.StatusView, ct).ConfigureAwait(false))!.TerminalId;
                    id = KioskPos.Core.Domain.Payment.MakeId(terminal, number);
                }

                using var response = await http.PostAsync($"/api/v1/payments/{Uri.EscapeDataString(id)}/reprint", null, ct).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine(Messages.Both("cli.reprint.failed", (int)response.StatusCode, body));
                    return response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable ? 1 : 2;
                }

                Console.WriteLine(Messages.Both("cli.reprint.sent", id, body));
                return 0;
            }
            catch (HttpRequestException e)
            {
                Console.Error.WriteLine(Messages.Both("cli.terminal_unreachable", http.BaseAddress, e.Message));
                return 2;
            }
        });

        return (status, backup, selftest, export, new Command("receipt", "Receipts") { reprint });
    }

    // Dapper.AOT maps the rows by column name at build time. A method of its own: written inside the command's lambda,
    // the call was not intercepted and fell back to Dapper's reflection (which cannot map created_at to CreatedAt).
    private static IAsyncEnumerable<JournalExportRow> JournalFrom(SqliteConnection connection, long first) =>
        connection.QueryUnbufferedAsync<JournalExportRow>(
            "SELECT sequence, kind, created_at, body, prev_hash, hash FROM journal WHERE sequence >= $first ORDER BY sequence", new { first });

    // Signs in with the PIN read from standard input (kept out of the shell's history and the process list).
    private static async Task<bool> SignInAsync(HttpClient http, string staffId, CancellationToken ct)
    {
        var pin = (await Console.In.ReadLineAsync(ct).ConfigureAwait(false))?.Trim();
        using var signIn = await http.PostAsJsonAsync("/api/v1/sessions", new SignInRequest(staffId, pin ?? string.Empty), TerminalJsonContext.Default.SignInRequest, ct).ConfigureAwait(false);
        if (signIn.IsSuccessStatusCode)
        {
            return true;
        }

        Console.Error.WriteLine(Messages.Both("cli.sign_in_refused", (int)signIn.StatusCode, await signIn.Content.ReadAsStringAsync(ct).ConfigureAwait(false)));
        return false;
    }

    private static SqliteDatabase? Open(string folder)
    {
        var path = Path.Combine(folder, "terminal.db");
        if (File.Exists(path))
        {
            return TerminalSchema.Open(path);
        }

        Console.Error.WriteLine(Messages.Both("cli.no_database", path));
        return null;
    }

    // "Vietnamese / English:" then the value, the values lined up in one column.
    private static string StatusLine(string key, string value) => $"{(Messages.Both(key) + ":").PadRight(27)} {value}";
}

/// <summary><c>status --json</c>.</summary>
internal sealed record CliStatus(string Version, int SchemaVersion, int Queued, int Rejected, DateTimeOffset? OldestQueuedAt, DateTimeOffset? LastSuccessAt, string? LastError, int PrintJobsWaiting);

/// <summary>One line of <c>journal export</c>.</summary>
/// <summary>A journal row as stored, read by column name.</summary>
internal sealed record JournalExportRow(long Sequence, string Kind, string CreatedAt, string Body, string PrevHash, string Hash);

internal sealed record CliJournalLine(long Sequence, string Kind, string CreatedAt, JsonElement Body, string PrevHash, string Hash);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(CliStatus))]
[System.Text.Json.Serialization.JsonSerializable(typeof(CliJournalLine))]
internal sealed partial class CliJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
