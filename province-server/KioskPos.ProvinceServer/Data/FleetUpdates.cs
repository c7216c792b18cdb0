using System.Globalization;
using System.Text.RegularExpressions;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>A channel of the fleet: the version its terminals should run and when they may upgrade.</summary>
/// <param name="Name">e.g. pilot, all.</param>
/// <param name="TargetVersion">The package version (x.y.z), or null: none assigned, terminals stay as they are.</param>
/// <param name="WindowStart">Start of the maintenance window, HH:mm in Vietnam's time.</param>
/// <param name="WindowEnd">End of the window, HH:mm; before the start it spans midnight; equal: any time.</param>
/// <param name="Terminals">How many terminals are on it.</param>
public sealed record UpdateChannel(string Name, string? TargetVersion, string WindowStart, string WindowEnd, int Terminals);

/// <summary>What the administrator sets on a channel.</summary>
public sealed record UpdateChannelRequest(string? TargetVersion, string? WindowStart, string? WindowEnd);

/// <summary>The channel a terminal is put on.</summary>
public sealed record TerminalChannelRequest(string? Channel);

/// <summary>
/// The province's side of fleet updates (migration 0026): channels with a target version and a maintenance window,
/// terminals assigned to channels, and what each terminal's upgrade helper last reported. The terminal learns its
/// channel's target at its pull (<see cref="Target"/>); a pilot channel upgrades first because the administrator
/// gives it the new version before <c>all</c>.
/// </summary>
internal sealed partial class FleetUpdates(ProvinceDatabase database, TimeProvider time)
{
    /// <summary>The channels, with how many terminals each holds.</summary>
    public async Task<IReadOnlyList<UpdateChannel>> ChannelsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<ChannelRow>(
            """
            SELECT c.name, c.target_version, c.window_start, c.window_end, (SELECT COUNT(*) FROM terminals t WHERE t.update_channel = c.name) AS terminals
            FROM update_channels c ORDER BY c.name
            """, null, cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(r => new UpdateChannel(r.Name, r.TargetVersion, r.WindowStart, r.WindowEnd, (int)r.Terminals));
    }

    /// <summary>The field at fault in a channel's name or request (for a 400 naming it), or null when it is valid.</summary>
    public static (string Field, string Message)? Problem(string name, UpdateChannelRequest request)
    {
        if (!ChannelName().IsMatch(name))
        {
            return ("name", "a channel's name is 1 to 32 lower-case letters, digits or hyphens");
        }

        if (request.TargetVersion is { } version && !Version().IsMatch(version))
        {
            return ("targetVersion", "a version is x.y.z (the package's), or null for none");
        }

        if (request.WindowStart is not { } start || !IsTime(start))
        {
            return ("windowStart", "the window's start is HH:mm (Vietnam's time)");
        }

        if (request.WindowEnd is not { } end || !IsTime(end))
        {
            return ("windowEnd", "the window's end is HH:mm (Vietnam's time)");
        }

        return null;
    }

    /// <summary>Creates or changes a channel (its request checked by <see cref="Problem"/>).</summary>
    public async Task PutChannelAsync(string name, UpdateChannelRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO update_channels (name, target_version, window_start, window_end, updated_at) VALUES ($n, $v, $s, $e, $at)
            ON CONFLICT (name) DO UPDATE SET target_version = excluded.target_version, window_start = excluded.window_start,
                window_end = excluded.window_end, updated_at = excluded.updated_at
            """,
            null, cancellationToken, ("$n", name), ("$v", request.TargetVersion), ("$s", request.WindowStart), ("$e", request.WindowEnd),
            ("$at", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
    }

    /// <summary>Puts a terminal on a channel: false when there is no such terminal; the channel must exist (checked here).</summary>
    public async Task<(bool TerminalFound, bool ChannelFound)> AssignAsync(string terminalId, string channel, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (await connection.ScalarAsync("SELECT name FROM update_channels WHERE name = $c", null, cancellationToken, ("$c", channel)).ConfigureAwait(false) is null)
        {
            return (await connection.ScalarAsync("SELECT id FROM terminals WHERE id = $t", null, cancellationToken, ("$t", terminalId)).ConfigureAwait(false) is not null, false);
        }

        var changed = await connection.ExecuteAsync("UPDATE terminals SET update_channel = $c WHERE id = $t", null, cancellationToken, ("$c", channel), ("$t", terminalId)).ConfigureAwait(false);
        return (changed == 1, true);
    }

    /// <summary>
    /// The target a terminal learns at its pull: its channel's version and window, or null when none is set (or the
    /// terminal's channel has no row). The pull reads the channel's row with the terminal's other settings, in the
    /// same statement (<see cref="TerminalSync.PullAsync"/>).
    /// </summary>
    public static UpgradeTargetDto? Target(string? channel, string? targetVersion, string? windowStart, string? windowEnd) =>
        channel is not null && targetVersion is not null ? new UpgradeTargetDto(targetVersion, channel, windowStart!, windowEnd!) : null;

    private static bool IsTime(string value) => TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    [GeneratedRegex("^[a-z0-9-]{1,32}$")]
    private static partial Regex ChannelName();

    [GeneratedRegex(@"^\d{1,4}\.\d{1,4}\.\d{1,4}$")]
    private static partial Regex Version();

    private sealed record ChannelRow
    {
        public required string Name { get; init; }

        public string? TargetVersion { get; init; }

        public required string WindowStart { get; init; }

        public required string WindowEnd { get; init; }

        public long Terminals { get; init; }
    }
}
