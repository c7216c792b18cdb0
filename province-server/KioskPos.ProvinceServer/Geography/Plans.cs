using System.Text.Json;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Geography;

/// <summary>The province's plans (<c>plans</c>), each a JSON document replaced whole by the administrator.</summary>
internal sealed class Plans(ProvinceDatabase database, TimeProvider time)
{
    /// <summary>Every plan, in id order.</summary>
    public async Task<IReadOnlyList<Plan>> AllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<PlanRow>("SELECT id, body FROM plans ORDER BY id", null, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => JsonSerializer.Deserialize(r.Body, ProvinceJsonContext.Default.Plan)!).ToList();
    }

    /// <summary>The plan <paramref name="id"/>; without one, the default plan (or the first); none when there is no such plan.</summary>
    public async Task<Plan?> FindAsync(string? id, CancellationToken cancellationToken)
    {
        var all = await AllAsync(cancellationToken).ConfigureAwait(false);
        return id is null ? all.FirstOrDefault(p => p.IsDefault) ?? all.FirstOrDefault() : all.FirstOrDefault(p => p.Id == id);
    }

    /// <summary>Replaces the plans with <paramref name="plans"/> (validated by the caller); a plan marked default is the only default.</summary>
    public async Task ReplaceAsync(IReadOnlyList<Plan> plans, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM plans", transaction, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var defaultId = plans.FirstOrDefault(p => p.IsDefault)?.Id;
        foreach (var plan in plans)
        {
            var body = JsonSerializer.Serialize(plan with { IsDefault = plan.Id == defaultId }, ProvinceJsonContext.Default.Plan);
            await connection.ExecuteAsync("INSERT INTO plans (id, body, updated_at) VALUES ($id, $b, $u)", transaction, cancellationToken, ("$id", plan.Id), ("$b", body), ("$u", now)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed record PlanRow
    {
        public required string Id { get; init; }

        public required string Body { get; init; }
    }
}
