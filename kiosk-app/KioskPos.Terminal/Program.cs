using System.CommandLine;
using System.Net.Http.Json;
using KioskPos.Terminal;
using KioskPos.Terminal.Apis;

// kioskpos-terminal                      run the terminal (configuration as --Section:Key=value)
// kioskpos-terminal tap UID [--url URL]  simulate a card tap on a running terminal
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
    using var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(urlOption)!), Timeout = TimeSpan.FromSeconds(10) };
    try
    {
        using var response = await http.PostAsJsonAsync("/dev/card-taps", new SimulatedTapRequest(parse.GetValue(uidArgument)), TerminalJsonContext.Default.SimulatedTapRequest, ct).ConfigureAwait(false);
        Console.WriteLine(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        return response.IsSuccessStatusCode ? 0 : 1;
    }
    catch (HttpRequestException e)
    {
        Console.Error.WriteLine($"Không kết nối được máy thu / cannot reach the terminal at {http.BaseAddress}: {e.Message}");
        return 2;
    }
});
root.Subcommands.Add(tap);
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
