using KioskPos.ProvinceServer.Data;
using Xunit;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>The province's schema steps as embedded SQL files: every step found, on both engines, in step.</summary>
public sealed class ProvinceSchemaTests
{
    [Fact]
    public void Sqlite_steps_run_from_1_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, ProvinceSchema.Migrations.Count), ProvinceSchema.Migrations.Select(m => m.Version));
        Assert.True(ProvinceSchema.Migrations.Count >= 14);
    }

    [Fact]
    public void Postgres_starts_at_the_baseline_and_then_keeps_sqlites_numbers_and_names()
    {
        var postgres = ProvinceSchema.PostgresMigrations;
        Assert.Equal(10, postgres[0].Version);
        Assert.Equal(ProvinceSchema.Migrations.Where(m => m.Version > 10).Select(m => (m.Version, m.Name)), postgres.Skip(1).Select(m => (m.Version, m.Name)));
        Assert.All(postgres.Concat(ProvinceSchema.Migrations), m => Assert.False(string.IsNullOrWhiteSpace(m.Sql)));
    }
}
