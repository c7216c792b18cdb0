using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Sync;
using KioskPos.Terminal;
using KioskPos.Terminal.Apis;
using KioskPos.Terminal.Cli;
using KioskPos.Core.Text;

// kioskpos-terminal                      run the terminal (configuration as --Section:Key=value)
// kioskpos-terminal tap UID [--url URL]  simulate a card tap on a running terminal
// kioskpos-terminal journal verify       check the payment journal for edited, deleted or reordered entries
// kioskpos-terminal journal rebuild      derive the payment rows again from the journal
// kioskpos-terminal enroll --server URL --code CODE   enrol with the province server
// kioskpos-terminal qr parse PAYLOAD | qr build ...  check or make a VietQR payload
// kioskpos-terminal printer render FILE [-o OUT.png] [--width 58|80]  draw a captured ESC/POS stream
// kioskpos-terminal staff add --id ID --name NAME --role cashier|supervisor|technician  (PIN on stdin)
// kioskpos-terminal status [--json] | backup --to FILE | journal export [--from N]   read the data folder
// kioskpos-terminal receipt reprint N --staff ID  (PIN on stdin)                      a copy of receipt N
// kioskpos-terminal config show | config set KEY VALUE [--config FILE]              the installed settings file
// kioskpos-terminal upgrade begin|end|verify|restore|alert  what the upgrade helper asks (docs/fleet-updates.md)
// kioskpos-terminal selftest --staff ID [--tap-wait S] [--json]  (PIN on stdin)        ask the running terminal
// glibc's malloc at two arenas, before any thread takes one (NativeHeap; issue #26).
NativeHeap.LimitArenas();

var root = new RootCommand("KioskPos payment terminal") { TreatUnmatchedTokensAsErrors = false };
root.SetAction(async (parse, ct) =>
{
    await TerminalApp.Build([.. parse.UnmatchedTokens]).RunAsync(ct).ConfigureAwait(false);
    return 0;
});

var uidArgument = new Argument<string>("uid") { Description = "The card UID in hex, e.g. 04A1B2C3" };
var urlOption = new Option<string>("--url") { Description = "The running terminal", DefaultValueFactory = _ => TerminalApp.DefaultUrl };
var tap = new Command("tap", "Simulate a card tap on a running terminal (simulated reader only)") { uidArgument, urlOption };
tap.SetAction(async (parse, ct) =>
{
    using var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(urlOption)!), Timeout = TimeSpan.FromSeconds(20) };
    try
    {
        using var response = await http.PostAsJsonAsync("/dev/card-taps", new SimulatedTapRequest(parse.GetValue(uidArgument)), TerminalJsonContext.Default.SimulatedTapRequest, ct).ConfigureAwait(false);
        Console.WriteLine(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        return response.IsSuccessStatusCode ? 0 : 1;
    }
    catch (HttpRequestException e)
    {
        Console.Error.WriteLine(Messages.Both("cli.terminal_unreachable", http.BaseAddress, e.Message));
        return 2;
    }
});
root.Subcommands.Add(tap);
#if SIMULATORS
root.Subcommands.Add(KioskPos.Terminal.Simulation.PrinterCommands.Create());
#endif

var dataOption = new Option<string>("--data") { Description = "The terminal's data folder", DefaultValueFactory = _ => new TerminalOptions().DataDirectory };
var jsonOption = new Option<bool>("--json") { Description = "Print the result as JSON" };
var verify = new Command("verify", "Check the journal: exit 0 when whole, 3 when an entry was edited, deleted or reordered") { dataOption, jsonOption };
verify.SetAction(async (parse, ct) =>
{
    var path = Path.Combine(parse.GetValue(dataOption)!, "terminal.db");
    if (!File.Exists(path))
    {
        Console.Error.WriteLine(Messages.Both("cli.no_database", path));
        return 2;
    }

    var result = await new JournalVerifier(TerminalSchema.Open(path)).VerifyAsync(ct).ConfigureAwait(false);
    if (parse.GetValue(jsonOption))
    {
        Console.WriteLine(JsonSerializer.Serialize(result, TerminalJsonContext.Readable.JournalVerification));
    }
    else
    {
        Console.WriteLine(result.Ok
            ? Messages.Both("cli.journal.intact", result.Entries, result.LastSequence, result.LastHash)
            : Messages.Both("cli.journal.tampered", result.Problems.Count, result.Entries));
        foreach (var problem in result.Problems)
        {
            Console.WriteLine($"  #{problem.Sequence} {problem.Kind}: {problem.Message}");
        }
    }

    return result.Ok ? 0 : 3;
});
var rebuild = new Command("rebuild", "Derive the payment rows again from the journal alone (with the terminal stopped)") { dataOption };
rebuild.SetAction(async (parse, ct) =>
{
    var path = Path.Combine(parse.GetValue(dataOption)!, "terminal.db");
    if (!File.Exists(path))
    {
        Console.Error.WriteLine(Messages.Both("cli.no_database", path));
        return 2;
    }

    var database = TerminalSchema.Open(path);
    var check = await new JournalVerifier(database).VerifyAsync(ct).ConfigureAwait(false);
    if (check.Problems.Any(p => p.Kind != "projection_differs"))
    {
        Console.Error.WriteLine(Messages.Both("cli.journal.rebuild_refused"));
        return 3;
    }

    var payments = await JournalProjection.RebuildAsync(database, ct).ConfigureAwait(false);
    Console.WriteLine(Messages.Both("cli.journal.rebuilt", payments, check.Entries));
    return 0;
});
var maintenance = MaintenanceCommands.Create(dataOption, jsonOption, urlOption);
root.Subcommands.Add(new Command("journal", "The payment journal") { verify, rebuild, maintenance.JournalExport });
root.Subcommands.Add(maintenance.Status);
root.Subcommands.Add(maintenance.Backup);
root.Subcommands.Add(maintenance.SelfTest);
root.Subcommands.Add(ConfigCommands.Create());
root.Subcommands.Add(UpgradeCommands.Create(dataOption));
root.Subcommands.Add(maintenance.Receipt);

var serverOption = new Option<string>("--server") { Description = "The province server's address, http(s)://host[:port]", Required = true };
var codeOption = new Option<string>("--code") { Description = "The enrolment ticket from the province's administrator: one-time code and province key fingerprint (ABCD-EFGH-XXXX-XXXX-XXXX-XXXX)", Required = true };
var insecureOption = new Option<bool>("--insecure-http") { Description = Messages.En("terminal.enrol.insecure_http") };
var enrol = new Command("enroll", "Enrol this terminal with the province server: makes its key, binds it with the ticket's one-time code and pins the province's key the ticket names") { serverOption, codeOption, dataOption, insecureOption };
enrol.SetAction(async (parse, ct) =>
{
    if (!KioskPos.Core.Text.WebAddress.TryParse(parse.GetValue(serverOption), out var server))
    {
        Console.Error.WriteLine(Messages.Both("cli.enrol.bad_server", parse.GetValue(serverOption)));
        return 2;
    }

    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
    try
    {
        var enrolled = await DeviceIdentity.EnrolAsync(server, parse.GetValue(codeOption)!, parse.GetValue(dataOption)!, http, ct, parse.GetValue(insecureOption)).ConfigureAwait(false);
        Console.WriteLine(Messages.Both("cli.enrol.enrolled", enrolled.TerminalId, enrolled.TerminalName, enrolled.InstitutionName));
        return 0;
    }
    catch (SyncRefusedException e)
    {
        Console.Error.WriteLine(Messages.Both("cli.enrol.refused", e.Problem?.Title, e.Problem?.Detail));
        return 1;
    }
    catch (SyncTransientException e)
    {
        Console.Error.WriteLine(Messages.Both("cli.server_unreachable", e.Message));
        return 2;
    }
});
root.Subcommands.Add(enrol);
root.Subcommands.Add(QrCommands.Create());
root.Subcommands.Add(StaffCommands.Create(dataOption));
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
