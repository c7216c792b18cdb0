using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A test of one terminal and its province, both started for each test and stopped after it: a province server and a
/// terminal on 127.0.0.1, as the test class starts them (by default an empty SQLite province with the demo
/// institutions, and the terminal enrolled with it on simulated hardware).
/// </summary>
public abstract class TerminalTest : IAsyncLifetime
{
    /// <summary>The province server.</summary>
    protected ProvinceHost Province { get; private set; } = null!;

    /// <summary>The terminal, enrolled with <see cref="Province"/>.</summary>
    protected TerminalHost Terminal { get; private set; } = null!;

    /// <summary>Whether the test starts once the terminal's confirmations long poll is connected (the province online).</summary>
    protected virtual bool StartsOnline => false;

    /// <inheritdoc/>
    public virtual async Task InitializeAsync()
    {
        Province = await StartProvinceAsync();
        Terminal = await StartTerminalAsync(Province);
        if (StartsOnline)
        {
            await Wait.UntilAsync(async () => (await Terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(),
                TimeSpan.FromSeconds(20), "the confirmations long poll to connect");
        }
    }

    /// <inheritdoc/>
    public virtual async Task DisposeAsync()
    {
        await Terminal.DisposeAsync();
        await Province.DisposeAsync();
    }

    /// <summary>Starts the province server; by default an empty SQLite one with the demo institutions.</summary>
    protected virtual Task<ProvinceHost> StartProvinceAsync() => ProvinceHost.StartAsync();

    /// <summary>Starts the terminal against <paramref name="province"/>; by default on its demo settings.</summary>
    protected virtual Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province);
}
