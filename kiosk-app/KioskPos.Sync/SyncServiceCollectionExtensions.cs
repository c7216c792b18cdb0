using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KioskPos.Sync;

/// <summary>The device key, loaded once from <see cref="SyncOptions.KeyPath"/> when first needed (after enrolment).</summary>
internal sealed class DeviceKeyCache(Microsoft.Extensions.Options.IOptions<SyncOptions> options)
{
    private readonly Lock _gate = new();
    private System.Security.Cryptography.ECDsa? _key;

    public (System.Security.Cryptography.ECDsa Key, string KeyId) Get()
    {
        lock (_gate)
        {
            _key ??= DeviceIdentity.LoadKey(options.Value.KeyPath);
            return (_key, options.Value.TerminalId);
        }
    }
}

/// <summary>Registration of the terminal's sync with the province server.</summary>
public static class SyncServiceCollectionExtensions
{
    /// <summary>Adds the client, the signal and the background worker; options from the <c>ProvinceServer</c> section.</summary>
    public static IServiceCollection AddTerminalSync(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.Section));
        services.TryAddKeyedSingleton(SyncedClock.HardwareClockKey, TimeProvider.System);
        services.AddSingleton(sp => new SyncedClock(sp.GetRequiredKeyedService<TimeProvider>(SyncedClock.HardwareClockKey)));
        services.AddSingleton<DeviceKeyCache>();
        services.AddHttpClient<ProvinceClient>()
            .AddHttpMessageHandler(sp => new RequestSigner(sp.GetRequiredService<DeviceKeyCache>().Get, sp.GetRequiredService<SyncedClock>()));
        services.AddSingleton<SyncSignal>();
        services.AddSingleton<SyncWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SyncWorker>());
        return services;
    }
}
