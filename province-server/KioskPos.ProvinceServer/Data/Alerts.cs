using System.Globalization;

namespace KioskPos.ProvinceServer.Data;

/// <summary>An alert as the administrator reads it.</summary>
/// <param name="Id">Its number, in the order raised.</param>
/// <param name="At">When.</param>
/// <param name="TerminalId">The terminal it concerns, if one does.</param>
/// <param name="Kind">What happened: e.g. <c>sign_in.account</c> (an account name passed the wrong-password threshold), <c>sign_in.source</c> (an address did), <c>transfer_flagged</c>, or a push's conflict.</param>
/// <param name="Detail">Who or what, and what the server did about it.</param>
public sealed record AlertRow(long Id, string At, string? TerminalId, string Kind, string Detail);

/// <summary>What an administrator should look at (the <c>alerts</c> table, which the ledger writes too); each also logged as a warning.</summary>
internal sealed class Alerts(ProvinceDatabase database, TimeProvider time, ILogger<Alerts> logger)
{
    /// <summary>Records and logs an alert that concerns no one terminal.</summary>
    public async Task RaiseAsync(string kind, string detail, CancellationToken cancellationToken)
    {
        logger.LogWarning("Alert {Kind}: {Detail}", kind, detail);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("INSERT INTO alerts (at, terminal_id, kind, detail) VALUES ($t, NULL, $k, $d)", null, cancellationToken,
            ("$t", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)), ("$k", kind), ("$d", detail)).ConfigureAwait(false);
    }

    /// <summary>The latest <paramref name="limit"/> alerts, newest first.</summary>
    public async Task<IReadOnlyList<AlertRow>> LatestAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<Row>("SELECT id, at, terminal_id, kind, detail FROM alerts ORDER BY id DESC LIMIT $n", null, cancellationToken, ("$n", limit)).ConfigureAwait(false);
        return rows.ConvertAll(r => new AlertRow(r.Id, r.At, r.TerminalId, r.Kind, r.Detail));
    }

    private sealed record Row
    {
        public long Id { get; init; }

        public required string At { get; init; }

        public string? TerminalId { get; init; }

        public required string Kind { get; init; }

        public required string Detail { get; init; }
    }
}
