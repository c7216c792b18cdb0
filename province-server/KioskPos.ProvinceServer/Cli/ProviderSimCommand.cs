using System.CommandLine;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Banking;

namespace KioskPos.ProvinceServer.Cli;

/// <summary>
/// <c>kioskpos-province provider-sim --port N [--payos-client-id …]</c>: SePay's and Casso's transaction list APIs and
/// payOS's payment requests as a local simulator (<see cref="ProviderApiSimulator"/>) in its own process, on 127.0.0.1
/// only, for <c>make run</c> and the tests; never a real provider's host, and the province server never starts it. It
/// prints its address (give a connection <c>{address}/sepay</c>, <c>/casso</c> or <c>/payos</c> as
/// <c>apiBaseUrl</c>) and runs until it is stopped. The API key (<c>KIOSKPOS_PROVIDER_API_KEY</c>) and payOS's
/// checksum key (<c>KIOSKPOS_PAYOS_CHECKSUM_KEY</c>) come from the environment, kept out of the command line
/// (visible to everyone in <c>ps</c>); payOS is simulated when the client id and the checksum key are both given.
/// </summary>
internal static class ProviderSimCommand
{
    public const string ApiKeyVariable = "KIOSKPOS_PROVIDER_API_KEY";
    public const string ChecksumVariable = "KIOSKPOS_PAYOS_CHECKSUM_KEY";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The loopback port (127.0.0.1); 0 takes a free one", DefaultValueFactory = _ => 0 };
        var clientId = new Option<string?>("--payos-client-id") { Description = "payOS's client id (x-client-id); payOS is simulated with it and KIOSKPOS_PAYOS_CHECKSUM_KEY" };
        var bin = new Option<string>("--payos-bin") { Description = "The BIN of the bank payOS's QRs pay into", DefaultValueFactory = _ => "970436" };
        var account = new Option<string?>("--payos-account") { Description = "The account payOS's QRs pay into" };
        var accountName = new Option<string>("--payos-account-name") { Description = "That account's name", DefaultValueFactory = _ => "DON VI THU" };
        var command = new Command("provider-sim",
            "Run SePay's and Casso's transaction lists and payOS's payment requests as a local simulator on 127.0.0.1 (demo, tests); the API key comes from KIOSKPOS_PROVIDER_API_KEY")
        {
            port, clientId, bin, account, accountName,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(port), parse.GetValue(clientId), parse.GetValue(bin)!, parse.GetValue(account), parse.GetValue(accountName)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(int port, string? clientId, string bin, string? account, string accountName, CancellationToken cancellationToken)
    {
        var apiKey = Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrEmpty(apiKey))
        {
            Console.Error.WriteLine(Messages.Both("cli.province.provider_sim.api_key_missing"));
            return 2;
        }

        if (port is < 0 or > 65535)
        {
            Console.Error.WriteLine(Messages.Both("cli.province.provider_sim.bad_port", port));
            return 2;
        }

        PayosAccount? payos = null;
        if (!string.IsNullOrEmpty(clientId))
        {
            var checksum = Environment.GetEnvironmentVariable(ChecksumVariable);
            if (string.IsNullOrEmpty(checksum) || string.IsNullOrEmpty(account) || bin.Length != 6 || !bin.All(char.IsAsciiDigit))
            {
                Console.Error.WriteLine(Messages.Both("cli.province.provider_sim.payos_incomplete"));
                return 2;
            }

            payos = new PayosAccount(clientId, checksum, bin, account, accountName);
        }

        ProviderApiSimulator simulator;
        try
        {
            simulator = await ProviderApiSimulator.StartAsync(apiKey, payos, port).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine(Messages.Both("cli.province.provider_sim.cannot_listen", port, e.Message));
            return 1;
        }

        await using (simulator.ConfigureAwait(false))
        {
            Console.WriteLine(Messages.Both("cli.province.provider_sim.listening", simulator.BaseUrl.ToString().TrimEnd('/'), payos is null ? "SePay, Casso" : "SePay, Casso, payOS"));
            try
            {
                await simulator.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        return 0;
    }
}
