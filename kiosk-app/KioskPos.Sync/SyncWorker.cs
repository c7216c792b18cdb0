using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace KioskPos.Sync;

/// <summary>Wakes the sync worker at once, e.g. right after a payment was committed.</summary>
public sealed class SyncSignal : WakeSignal;

/// <summary>A sync round that did not complete; the worker retries it with backoff.</summary>
public sealed class SyncRoundFailedException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The least wait before the next round: what the province asked with <c>Retry-After</c>, if it did.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>What one sync round did.</summary>
/// <param name="Pushed">Entries the server acknowledged.</param>
/// <param name="Rejected">Entries the server refused for good.</param>
/// <param name="Pulled">Accounts and bills changed in the cache.</param>
/// <param name="Error">Why the round stopped early, or null.</param>
/// <param name="RetryAfter">How long the province asked the terminal to wait before the next round, if it did.</param>
public sealed record SyncRound(int Pushed, int Rejected, int Pulled, string? Error, TimeSpan? RetryAfter = null);

/// <summary>
/// Pushes the outbox to the province server and pulls changes back: at every interval, at once after a payment,
/// and with exponential backoff and full jitter while the server cannot be reached. Entries leave the outbox
/// only when the server has acknowledged them, so a crash at any point sends them again and the server's
/// idempotent store answers "duplicate".
/// </summary>
public sealed class SyncWorker(
    ProvinceClient client,
    OutboxStore outbox,
    CatalogueStore catalogue,
    SettingsStore settings,
    SyncSignal signal,
    IOptions<SyncOptions> options,
    ILogger<SyncWorker> logger,
    TimeProvider? clock = null) : BackgroundService
{
    /// <summary>Settings key of the pull cursor; without one the next pull is a full one.</summary>
    public const string CursorKey = "sync.cursor";

    /// <summary>Settings key of the offline policy last pulled (JSON).</summary>
    public const string OfflinePolicyKey = "sync.offline_policy";

    /// <summary>Settings key of the top-up limits last pulled for the institution's type (JSON).</summary>
    public const string TopUpLimitsKey = "sync.top_up_limits";

    /// <summary>Settings key of the time of the last complete pull: the age of the blocked-card list.</summary>
    public const string LastPullKey = "sync.last_pull";
    /// <summary>The file, in the data folder, of the hardware profile the province pushed; the terminal runs it from its next start.</summary>
    public const string PushedProfileFileName = "province-profile.json";

    private readonly SemaphoreSlim _oneRoundAtATime = new(1, 1);

    // The province's profile for this terminal, written beside the device key when it changes (atomically: a
    // terminal that loses power mid-write starts with the old file or the new, never half of one); removed when the
    // province clears it. Every pull carries it, so the file is read once and compared in memory after that.
    private string? _keptProfile;

    /// <summary>
    /// Why a profile the province pushed may not run on this terminal, naming the field (null: it may): a device
    /// (card reader, printer, display panel, headphone jack) not of its kind's device files
    /// (<see cref="ProfileDevicePaths"/>), or any path into the terminal's data folder.
    /// </summary>
    public static string? PushedProfileProblem(System.Text.Json.JsonElement profile, string dataDirectory)
    {
        if (ProfileDevicePaths.Problem(profile) is { } problem)
        {
            return problem;
        }

        var data = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory)) + Path.DirectorySeparatorChar;
        foreach (var property in profile.EnumerateObject().Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.String))
        {
            foreach (var part in property.Value.GetString()!.Split([',', ':'], StringSplitOptions.TrimEntries).Where(p => p.StartsWith('/')))
            {
                if (Path.GetFullPath(part).StartsWith(data, StringComparison.Ordinal))
                {
                    return $"{property.Name}: '{part}' is in the terminal's data folder";
                }
            }
        }

        return null;
    }

    private void KeepPushedProfile(System.Text.Json.JsonElement? profile)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(options.Value.KeyPath))!;
        var path = Path.Combine(folder, PushedProfileFileName);
        var pushed = profile is { ValueKind: System.Text.Json.JsonValueKind.Object } value ? value : (System.Text.Json.JsonElement?)null;
        var text = pushed?.GetRawText() ?? string.Empty;
        _keptProfile ??= File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        if (_keptProfile == text)
        {
            return;
        }

        if (pushed is { } candidate && PushedProfileProblem(candidate, folder) is { } problem)
        {
            // Not kept (the one kept before stays): the terminal never opens such a file as a device.
            logger.LogError("The province pushed a hardware profile this terminal refuses: {Problem}", problem);
            return;
        }

        if (pushed is not { } kept)
        {
            File.Delete(path);
            logger.LogWarning("The province cleared this terminal's hardware profile; its own applies from the next start");
        }
        else
        {
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
            logger.LogWarning("The province pushed a hardware profile ({Name}); it applies from the terminal's next start",
                kept.TryGetProperty("name", out var name) ? name.GetString() : "?");
        }

        _keptProfile = text;
    }

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Runs one round: push everything pending, then pull until up to date.</summary>
    public async Task<SyncRound> RunRoundAsync(CancellationToken cancellationToken)
    {
        await _oneRoundAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (pushed, rejected, pushError, pushWait) = await PushAllAsync(cancellationToken).ConfigureAwait(false);
            if (pushError is not null)
            {
                await outbox.RecordRoundAsync(pushError, cancellationToken).ConfigureAwait(false);
                return new SyncRound(pushed, rejected, 0, pushError, pushWait);
            }

            var (pulled, pullError, pullWait) = await PullAllAsync(cancellationToken).ConfigureAwait(false);
            await outbox.RecordRoundAsync(pullError, cancellationToken).ConfigureAwait(false);
            return new SyncRound(pushed, rejected, pulled, pullError, pullWait);
        }
        finally
        {
            _oneRoundAtATime.Release();
        }
    }

    /// <summary>
    /// Pushes everything pending now, without pulling, for a caller that needs the province to hold this terminal's
    /// entries before it asks it something (a card issued here, authorised at once); waits for a round under way.
    /// </summary>
    /// <returns>Null when pushed, else why not (the round's error).</returns>
    public async Task<string?> PushNowAsync(CancellationToken cancellationToken)
    {
        await _oneRoundAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return (await PushAllAsync(cancellationToken).ConfigureAwait(false)).Error;
        }
        finally
        {
            _oneRoundAtATime.Release();
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settingsNow = options.Value;
        if (ProvinceTrust.TransportProblem(settingsNow.BaseUrl, settingsNow.AllowInsecureHttp) is { } insecure)
        {
            // Every round is refused the same way (and says so on the status page) until the address is changed.
            logger.LogError("Not syncing: {Problem}", insecure);
        }

        // A failed round is retried by Polly with exponential backoff and full jitter, capped, for as long as it
        // takes: the backlog must reach the server some day, and a new payment does not cut a backoff short
        // (the server is not there). Between good rounds the worker waits for the interval or a new payment.
        var retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<SyncRoundFailedException>(),
                MaxRetryAttempts = int.MaxValue,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(NextDelay(args.AttemptNumber + 1, (args.Outcome.Exception as SyncRoundFailedException)?.RetryAfter, settingsNow)),
                OnRetry = args =>
                {
                    logger.LogWarning("Sync round failed ({Failures} in a row), next try in {Delay:0.0} s: {Error}", args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var round = await retry.ExecuteAsync(RunRoundOrThrowAsync, stoppingToken).ConfigureAwait(false);
                if (round.Pushed + round.Pulled + round.Rejected > 0)
                {
                    logger.LogInformation("Synced: {Pushed} entries pushed, {Rejected} refused, {Pulled} rows pulled", round.Pushed, round.Rejected, round.Pulled);
                }

                await Task.Delay(settingsNow.MinDelay, stoppingToken).ConfigureAwait(false);
                await signal.WaitAsync(settingsNow.Interval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async ValueTask<SyncRound> RunRoundOrThrowAsync(CancellationToken cancellationToken)
    {
        SyncRound round;
        try
        {
            round = await RunRoundAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever went wrong (the local disk, a corrupt row, a bug), the terminal keeps taking payments; the
            // round is retried and the error shown on the status screens.
            logger.LogError(e, "Sync round failed");
            try
            {
                await outbox.RecordRoundAsync(e.Message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception recordError) when (recordError is not OperationCanceledException)
            {
                logger.LogError(recordError, "Could not record the sync error");
            }

            throw new SyncRoundFailedException(e.Message, e);
        }

        return round.Error is null ? round : throw new SyncRoundFailedException(round.Error) { RetryAfter = round.RetryAfter };
    }

    /// <summary>
    /// The wait before the next try after <paramref name="failures"/> failed rounds: the floor plus the backoff, and
    /// never less than what the province asked with <c>Retry-After</c> (its push queue full, a rate limit).
    /// </summary>
    internal static TimeSpan NextDelay(int failures, TimeSpan? retryAfter, SyncOptions settings)
    {
        var backoff = settings.MinDelay + Backoff(failures, settings);
        return retryAfter is { } asked && asked > backoff ? asked : backoff;
    }

    /// <summary>Full jitter: a uniform wait between zero and min(cap, interval × 2^failures).</summary>
    internal static TimeSpan Backoff(int failures, SyncOptions settings)
    {
        var ceiling = Math.Min(settings.MaxBackoff.TotalMilliseconds, settings.Interval.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 20)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    private async Task<(int Pushed, int Rejected, string? Error, TimeSpan? RetryAfter)> PushAllAsync(CancellationToken cancellationToken)
    {
        var settingsNow = options.Value;
        int pushed = 0, rejected = 0;
        while (true)
        {
            var batch = await outbox.GetPendingAsync(settingsNow.MaxBatchEntries, settingsNow.MaxBatchBytes, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return (pushed, rejected, null, null);
            }

            try
            {
                var response = await client.PushAsync(new PushRequest(settingsNow.TerminalId, batch), cancellationToken).ConfigureAwait(false);
                await outbox.MarkSentAsync(response, cancellationToken).ConfigureAwait(false);
                pushed += response.Results.Count;
                if (response.Results.Count == 0)
                {
                    return (pushed, rejected, "The province server acknowledged nothing of a non-empty batch.", null);
                }
            }
            catch (SyncRefusedException e) when (e.Problem?.Sequence is { } sequence && batch.Any(entry => entry.Sequence == sequence))
            {
                // One entry is refused for good (e.g. its sequence was used for other content). It stays in the
                // journal, is shown as rejected, and no longer blocks the entries after it.
                logger.LogError("The province server refused journal entry {Sequence} for good: {Code} {Detail}", sequence, e.Problem.Code, e.Problem.Detail);
                await outbox.MarkRejectedAsync(sequence, $"{e.Problem.Code}: {e.Problem.Detail}", cancellationToken).ConfigureAwait(false);
                rejected++;
            }
            catch (Exception e) when (e is SyncTransientException or SyncRefusedException)
            {
                await outbox.RecordAttemptFailedAsync(batch.Select(entry => entry.Sequence), e.Message, cancellationToken).ConfigureAwait(false);
                return (pushed, rejected, e.Message, (e as SyncTransientException)?.RetryAfter);
            }
        }
    }

    private async Task<(int Pulled, string? Error, TimeSpan? RetryAfter)> PullAllAsync(CancellationToken cancellationToken)
    {
        var pulled = 0;
        for (var page = 0; page < 10_000; page++)
        {
            // The first page starts from nothing when a full pull is wanted (the retention job's flag, CatalogueStore).
            var cursor = page == 0 && await settings.GetAsync(CatalogueStore.FullPullWantedKey, cancellationToken).ConfigureAwait(false) is not null
                ? null
                : await settings.GetAsync(CursorKey, cancellationToken).ConfigureAwait(false);
            // Taken before the page is asked: the VietQR confirmations journalled by then are in what it brings.
            var mark = await catalogue.PullMarkAsync(cancellationToken).ConfigureAwait(false);
            PullResponse response;
            try
            {
                response = await client.PullAsync(cursor, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SyncTransientException or SyncRefusedException)
            {
                return (pulled, e.Message, (e as SyncTransientException)?.RetryAfter);
            }

            await catalogue.ApplyPullAsync(response, mark, cancellationToken).ConfigureAwait(false);
            await settings.SetAsync(CursorKey, response.Cursor, cancellationToken).ConfigureAwait(false);
            pulled += response.Accounts.Count + response.Bills.Count;
            if (response.OfflinePolicy is { } policy)
            {
                await settings.SetAsync(OfflinePolicyKey, System.Text.Json.JsonSerializer.Serialize(policy, ContractsJsonContext.Default.OfflinePolicyDto), cancellationToken).ConfigureAwait(false);
            }

            if (response.TopUpLimits is { } limits)
            {
                await settings.SetAsync(TopUpLimitsKey, System.Text.Json.JsonSerializer.Serialize(limits, ContractsJsonContext.Default.TopUpLimitsDto), cancellationToken).ConfigureAwait(false);
            }

            KeepPushedProfile(response.HardwareProfile);

            // The province's target version and window, for the upgrade helper to ask about (UpgradeStore).
            await settings.SetAsync(UpgradeStore.TargetKey, response.Upgrade is { } upgrade ? System.Text.Json.JsonSerializer.Serialize(upgrade, ContractsJsonContext.Default.UpgradeTargetDto) : null, cancellationToken).ConfigureAwait(false);

            if (!response.HasMore)
            {
                await settings.SetAsync(LastPullKey, _clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                break;
            }
        }

        return (pulled, null, null);
    }
}
