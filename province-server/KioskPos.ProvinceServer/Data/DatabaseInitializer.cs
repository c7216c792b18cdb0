using KioskPos.ProvinceServer.Apis;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// Brings the database up to date before the server listens; loads the demo province into an empty one only when
/// asked (<c>Province:SeedDemoData</c>); says how to create the first administrator while no one can sign in.
/// </summary>
internal sealed class DatabaseInitializer(ProvinceDatabase database, ProvinceUsers users, IOptions<ProvinceOptions> options, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var version = await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Province database {Path} at schema version {Version}", database.Description, version);
        if (options.Value.SeedDemoData)
        {
            await SeedDemoAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!await users.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            logger.LogWarning("No one can sign in yet. Create the first administrator on this machine: {Command} (the password is read from standard input)",
                SignInApi.FirstAdminCommand);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedDemoAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Province:SeedDemoData is on: the demo province and its sign-ins (passwords printed by make run) are loaded into an empty database; never on a real server");
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (await DemoData.IsEmptyAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await DemoData.SeedAsync(database, connection, cancellationToken, options.Value.DemoInstitutions).ConfigureAwait(false);
            logger.LogInformation("Loaded the demo province: {School}, {Hospital} and {Generated} generated institutions in {Seconds:0.0} s",
                DemoData.SchoolId, DemoData.HospitalId, options.Value.DemoInstitutions, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        if (await connection.ScalarAsync("SELECT 1 FROM users LIMIT 1", null, cancellationToken).ConfigureAwait(false) is null
            && await connection.ScalarAsync("SELECT 1 FROM institutions WHERE id = $i", null, cancellationToken, ("$i", DemoData.SchoolId)).ConfigureAwait(false) is not null)
        {
            foreach (var (username, name, role, institution, password) in DemoData.Users)
            {
                await users.SaveHashedAsync(username, name, role, institution, DemoData.PasswordHashOf(password), cancellationToken).ConfigureAwait(false);
            }

            logger.LogInformation("Demo sign-ins created: {Users}", string.Join(", ", DemoData.Users.Select(u => u.Username)));
        }
    }
}
