namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>One province for a class's tests, with a SePay, a payOS and a Casso connection on the demo school's account.</summary>
public sealed class ProviderWebhookFixture : IAsyncLifetime
{
    internal ProvinceHost Province { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Province = await ProvinceHost.StartAsync();
        await ProviderSenders.PutConnectionAsync(Province, "sepay-1", "sepay", ProviderSenders.SepayKey);
        await ProviderSenders.PutConnectionAsync(Province, "payos-1", "payos", ProviderSenders.PayosChecksum);
        await ProviderSenders.PutConnectionAsync(Province, "casso-1", "casso", ProviderSenders.CassoKey);
    }

    public async Task DisposeAsync() => await Province.DisposeAsync();
}

/// <summary>Posts one incoming transfer in a provider's own format, signed as its client library signs.</summary>
internal static class ProviderPost
{
    private static long s_id = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % 1_000_000_000;

    public static long NextId() => Interlocked.Increment(ref s_id);

    /// <summary>One transfer of <paramref name="amount"/> with <paramref name="text"/>, as <paramref name="provider"/> posts it.</summary>
    public static HttpRequestMessage Transfer(Uri server, string provider, long id, long amount, string text, string account = ProvinceHost.SchoolAccount) => provider switch
    {
        "sepay" => ProviderSenders.SepayRequest(server, "sepay-1", ProviderSenders.SepayBody(id, account, amount, text)),
        "payos" => Payos(server, ProviderSenders.PayosData(id, amount, account, text, "TF" + id)),
        "casso" => ProviderSenders.CassoRequest(server, "casso-1", new Dictionary<string, object?> { ["error"] = 0, ["data"] = ProviderSenders.CassoTransaction(id, account, amount, text) }),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    public static HttpRequestMessage Payos(Uri server, SortedDictionary<string, object?> data, string key = ProviderSenders.PayosChecksum) =>
        ProviderSenders.Post(server, "payos", "payos-1", ProviderSenders.PayosBody(data, ProviderSenders.PayosSignature(key, data)));

    public static string Connection(string provider) => provider + "-1";
}
