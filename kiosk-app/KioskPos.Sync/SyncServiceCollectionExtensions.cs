using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KioskPos.Sync;

/// <summary>Registration of the terminal's sync with the province server.</summary>
public static class SyncServiceCollectionExtensions
{
    /// <summary>Adds the client, the signal and the background worker; options from the <c>ProvinceServer</c> section.</summary>
    public static IServiceCollection AddTerminalSync(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.Section));
        services.TryAddKeyedSingleton(SyncedClock.HardwareClockKey, TimeProvider.System);
        services.AddSingleton(sp => new SyncedClock(sp.GetRequiredKeyedService<TimeProvider>(SyncedClock.HardwareClockKey)));
        services.AddHttpClient<ProvinceClient>();
        services.AddSingleton<SyncSignal>();
        services.AddSingleton<SyncWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SyncWorker>());
        return services;
    }
}
