using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KioskPos.Sync;

/// <summary>
/// The device key from <see cref="SyncOptions.KeyPath"/>, loaded when first needed (after enrolment) and again when
/// the file is replaced (enrolled again from /tech or the command line while running).
/// </summary>
internal sealed class DeviceKeyCache(Microsoft.Extensions.Options.IOptions<SyncOptions> options)
{
    private readonly Lock _gate = new();
    private System.Security.Cryptography.ECDsa? _key;
    private DateTime _written;

    public (System.Security.Cryptography.ECDsa Key, string KeyId) Get()
    {
        lock (_gate)
        {
            var written = File.GetLastWriteTimeUtc(options.Value.KeyPath);
            if (_key is null || written != _written)
            {
                var key = DeviceIdentity.LoadKey(options.Value.KeyPath);
                (_key, _written) = (key, written);
            }

            return (_key, options.Value.TerminalId);
        }
    }
}

/// <summary>Registration of the terminal's sync with the province server.</summary>
public static class SyncServiceCollectionExtensions
{
    /// <summary>The named HTTP client of card authorisations: a new connection per request.</summary>
    public const string AuthorisationClient = "KioskPos.Sync.Authorisation";

    /// <summary>Adds the client, the signal and the background worker; options from the <c>ProvinceServer</c> section.</summary>
    public static IServiceCollection AddTerminalSync(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.Section));
        services.TryAddKeyedSingleton(SyncedClock.HardwareClockKey, TimeProvider.System);
        services.AddSingleton(sp => new SyncedClock(sp.GetRequiredKeyedService<TimeProvider>(SyncedClock.HardwareClockKey)));
        services.AddSingleton<DeviceKeyCache>();
        services.AddSingleton<StatementLinkSigner>();
        services.AddSingleton(sp => new ProvinceTrust(sp.GetRequiredService<IOptions<SyncOptions>>(), sp.GetRequiredService<ILogger<ProvinceTrust>>(),
            sp.GetRequiredKeyedService<TimeProvider>(SyncedClock.HardwareClockKey)));
        services.AddHttpClient<ProvinceClient>().AddTypedClient((client, sp) => new ProvinceClient(
                client, sp.GetRequiredService<IOptions<SyncOptions>>(), sp.GetRequiredService<SyncedClock>(), sp.GetRequiredService<ILogger<ProvinceClient>>(),
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(AuthorisationClient), sp.GetRequiredService<ProvinceTrust>()))
            .AddHttpMessageHandler(sp => new RequestSigner(sp.GetRequiredService<DeviceKeyCache>().Get, sp.GetRequiredService<SyncedClock>()));

        // A kept-alive connection that a middlebox or the server closed while idle fails the next request sent on
        // it, and after a network cut every pooled connection may be such a one: a card authorisation, which a payer
        // waits on and whose PIN tries the server counts, opens a connection of its own instead, so it never rides
        // a dead one and its one retry is for a connection that failed on its own.
        services.AddHttpClient(AuthorisationClient)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
            .AddHttpMessageHandler(sp => new RequestSigner(sp.GetRequiredService<DeviceKeyCache>().Get, sp.GetRequiredService<SyncedClock>()));
        services.AddSingleton<SyncSignal>();
        services.AddSingleton<SyncWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SyncWorker>());
        return services;
    }
}
