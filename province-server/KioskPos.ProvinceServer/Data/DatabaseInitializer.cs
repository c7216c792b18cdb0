using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Data;

/// <summary>Brings the database up to date before the server listens, and loads the demo province into an empty one.</summary>
internal sealed class DatabaseInitializer(ProvinceDatabase database, IOptions<ProvinceOptions> options, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var version = await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Province database {Path} at schema version {Version}", database.Description, version);
        if (!options.Value.SeedDemoData)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!await DemoData.IsEmptyAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await DemoData.SeedAsync(database, connection, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Loaded the demo province: {School} and {Hospital}", DemoData.SchoolId, DemoData.HospitalId);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
