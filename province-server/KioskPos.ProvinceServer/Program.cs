using System.CommandLine;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer;
using KioskPos.ProvinceServer.Apis;
using KioskPos.Core.Text;

// kioskpos-province                  run the province server (configuration as --Province:Key=value)
// kioskpos-province bank-sim ...     post one signed bank notification, as the bank's service would (demo, tests)
// kioskpos-province provider-sim --port N [--payos-client-id … --payos-account …]
//                                    SePay's, Casso's and payOS's APIs as a local simulator on 127.0.0.1 (demo, tests)
// kioskpos-province users add-admin <username> --full-name "…" [--another] [--Province:Key=value …]
//                                    create an administrator (the first one of a new server); password from stdin
var root = new RootCommand("KioskPos province server") { TreatUnmatchedTokensAsErrors = false };
root.SetAction(async (parse, ct) =>
{
    await ProvinceApp.Build([.. parse.UnmatchedTokens]).RunAsync(ct).ConfigureAwait(false);
    return 0;
});

var server = new Option<string>("--server") { Description = "The province server", DefaultValueFactory = _ => ProvinceApp.DefaultUrl };
var connection = new Option<string>("--connection") { Description = "The bank connection id", DefaultValueFactory = _ => "demo-bank" };
var account = new Option<string>("--account") { Description = "The receiving account number", Required = true };
var amount = new Option<long>("--amount") { Description = "Whole đồng", Required = true };
var text = new Option<string>("--text") { Description = "The transfer text as the bank reports it", Required = true };
var txn = new Option<string?>("--txn") { Description = "The bank transaction id (repeat one to test de-duplication); new when left out" };
var bin = new Option<string?>("--bin") { Description = "The receiving bank's BIN" };
var bankSim = new Command("bank-sim", "Post one signed bank notification to the webhook; the secret comes from KIOSKPOS_BANK_SECRET") { server, connection, account, amount, text, txn, bin };
bankSim.SetAction(async (parse, ct) =>
{
    var secret = Environment.GetEnvironmentVariable("KIOSKPOS_BANK_SECRET");
    if (string.IsNullOrEmpty(secret))
    {
        Console.Error.WriteLine(Messages.Both("cli.province.bank_secret_missing"));
        return 2;
    }

    if (!KioskPos.Core.Text.WebAddress.TryParse(parse.GetValue(server), out var url))
    {
        Console.Error.WriteLine(Messages.Both("cli.province.bad_address", parse.GetValue(server)));
        return 2;
    }

    var notification = new BankNotification(parse.GetValue(txn) ?? BankSimulator.NewTransactionId(), parse.GetValue(account)!,
        parse.GetValue(amount), parse.GetValue(text)!, DateTimeOffset.UtcNow, parse.GetValue(bin));
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
    try
    {
        var (status, body) = await BankSimulator.PostAsync(http, url, parse.GetValue(connection)!, secret, notification, DateTimeOffset.UtcNow, ct).ConfigureAwait(false);
        Console.WriteLine($"{notification.TransactionId}: HTTP {status} {body}");
        return status is >= 200 and < 300 ? 0 : 1;
    }
    catch (HttpRequestException e)
    {
        Console.Error.WriteLine(Messages.Both("cli.province.unreachable", url, e.Message));
        return 2;
    }
});
root.Subcommands.Add(bankSim);
root.Subcommands.Add(KioskPos.ProvinceServer.Cli.ProviderSimCommand.Create());
root.Subcommands.Add(KioskPos.ProvinceServer.Cli.UsersCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
