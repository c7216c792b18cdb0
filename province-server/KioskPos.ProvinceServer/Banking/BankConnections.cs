using System.Collections.Concurrent;
using System.Globalization;
using KioskPos.ProvinceServer.Data;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// A bank-notification connection: which provider posts to <c>/api/v1/bank/{provider}/{id}</c>, for which
/// institution and receiving account, and its secrets (the webhook secret or checksum key; the API key and client id
/// of the provider's list or status API, for the pull). Secrets never leave the server: see <see cref="BankConnectionView"/>.
/// </summary>
internal sealed record BankConnection(string Id, string Provider, string? InstitutionId, string AccountNumber, string Secret,
    string? ApiKey, string? ClientId, string? ApiBaseUrl, bool FromSettings = false)
{
    /// <summary>What the API shows of it: whether secrets are set, never their values.</summary>
    internal BankConnectionView View(ConnectionActivity? activity) => new(Id, Provider, InstitutionId, AccountNumber, Secret.Length > 0, !string.IsNullOrEmpty(ApiKey),
        ClientId, ApiBaseUrl, FromSettings, activity?.LastWebhookAt, activity?.LastPullAt, activity?.LastPullError);

    /// <summary>No secret in a log line or an exception message.</summary>
    public override string ToString() => $"{Provider} connection {Id}";
}

/// <summary>A connection as the admin API returns it: no secret, only whether one is set.</summary>
public sealed record BankConnectionView(string Id, string Provider, string? InstitutionId, string AccountNumber, bool HasSecret, bool HasApiKey,
    string? ClientId, string? ApiBaseUrl, bool FromSettings, string? LastWebhookAt, string? LastPullAt, string? LastPullError);

/// <summary>The body of <c>PUT /api/v1/admin/bank/connections/{id}</c>; a secret left out keeps the one stored.</summary>
public sealed record BankConnectionRequest(string? Provider, string? InstitutionId, string? AccountNumber, string? Secret, string? ApiKey, string? ClientId, string? ApiBaseUrl);

/// <summary>When a connection last brought a webhook and last pulled, and where its next pull starts.</summary>
internal sealed record ConnectionActivity
{
    public string? LastWebhookAt { get; init; }

    public string? LastPullAt { get; init; }

    public string? LastPullError { get; init; }

    public string? PullCursor { get; init; }
}

/// <summary>
/// The connections: those stored (<c>bank_connections</c>, set through the admin API) and those of the settings
/// (<c>Province:BankConnections</c>, generic, read-only). Kept in memory so that a webhook's connection is found
/// without touching the database before the sender is authenticated; the cache is refreshed on every change.
/// </summary>
internal sealed class BankConnections(ProvinceDatabase database, IOptions<ProvinceOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, BankConnection> _stored = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile bool _loaded;

    /// <summary>The connection <paramref name="id"/>, stored or configured; null when there is none.</summary>
    public async ValueTask<BankConnection?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        if (_stored.TryGetValue(id, out var stored))
        {
            return stored;
        }

        var configured = options.Value.BankConnections.FirstOrDefault(c => c.Id == id && c.Secret.Length > 0);
        return configured is null ? null : new BankConnection(configured.Id, BankProviders.Generic, null, string.Empty, configured.Secret, null, null, null, FromSettings: true);
    }

    /// <summary>Every connection, stored ones first.</summary>
    public async Task<IReadOnlyList<BankConnection>> AllAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var configured = options.Value.BankConnections.Where(c => c.Secret.Length > 0 && !_stored.ContainsKey(c.Id))
            .Select(c => new BankConnection(c.Id, BankProviders.Generic, null, string.Empty, c.Secret, null, null, null, FromSettings: true));
        return [.. _stored.Values.OrderBy(c => c.Id, StringComparer.Ordinal), .. configured];
    }

    /// <summary>Creates or replaces connection <paramref name="id"/>; a secret or API key not given keeps the stored one.</summary>
    public async Task<BankConnection> PutAsync(string id, BankConnectionRequest request, CancellationToken cancellationToken)
    {
        var previous = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        var connection = new BankConnection(id, request.Provider!, Blank(request.InstitutionId), request.AccountNumber?.Trim() ?? string.Empty,
            Blank(request.Secret) ?? previous?.Secret ?? string.Empty, Blank(request.ApiKey) ?? (previous?.FromSettings == false ? previous.ApiKey : null),
            Blank(request.ClientId), Blank(request.ApiBaseUrl));
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await db.ExecuteAsync(
            """
            INSERT INTO bank_connections (id, provider, institution_id, account_number, secret, api_key, client_id, api_base_url, created_at, updated_at)
            VALUES ($id, $p, $i, $a, $s, $k, $c, $u, $now, $now)
            ON CONFLICT (id) DO UPDATE SET provider = $p, institution_id = $i, account_number = $a, secret = $s, api_key = $k, client_id = $c, api_base_url = $u, updated_at = $now
            """,
            null, cancellationToken, ("$id", id), ("$p", connection.Provider), ("$i", connection.InstitutionId), ("$a", connection.AccountNumber), ("$s", connection.Secret),
            ("$k", connection.ApiKey), ("$c", connection.ClientId), ("$u", connection.ApiBaseUrl), ("$now", now)).ConfigureAwait(false);
        _stored[id] = connection;
        return connection;
    }

    /// <summary>Removes a stored connection (its transfers stay); false when there was none.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var removed = await db.ExecuteAsync("DELETE FROM bank_connections WHERE id = $id", null, cancellationToken, ("$id", id)).ConfigureAwait(false) == 1;
        _stored.TryRemove(id, out _);
        return removed;
    }

    /// <summary>When each connection last brought a webhook and last pulled.</summary>
    public async Task<ConnectionActivity?> ActivityAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await db.ReadFirstAsync<ConnectionActivity>(
            "SELECT last_webhook_at, last_pull_at, last_pull_error, pull_cursor FROM bank_connections WHERE id = $id", null, cancellationToken, ("$id", id)).ConfigureAwait(false);
    }

    /// <summary>Notes an authentic webhook on the connection.</summary>
    public async Task TouchWebhookAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await db.ExecuteAsync("UPDATE bank_connections SET last_webhook_at = $t WHERE id = $id", null, cancellationToken,
            ("$t", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)), ("$id", id)).ConfigureAwait(false);
    }

    /// <summary>Notes a pull: when, its error (null when it succeeded) and where the next one starts.</summary>
    public async Task TouchPullAsync(string id, string? error, string? cursor, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await db.ExecuteAsync("UPDATE bank_connections SET last_pull_at = $t, last_pull_error = $e, pull_cursor = COALESCE($c, pull_cursor) WHERE id = $id", null, cancellationToken,
            ("$t", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)), ("$e", error), ("$c", cursor), ("$id", id)).ConfigureAwait(false);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async ValueTask EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_loaded)
            {
                await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
                var rows = await db.ReadAllAsync<ConnectionRow>(
                    "SELECT id, provider, institution_id, account_number, secret, api_key, client_id, api_base_url FROM bank_connections", null, cancellationToken).ConfigureAwait(false);
                foreach (var r in rows)
                {
                    _stored[r.Id] = new BankConnection(r.Id, r.Provider, r.InstitutionId, r.AccountNumber, r.Secret, r.ApiKey, r.ClientId, r.ApiBaseUrl);
                }

                _loaded = true;
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    private sealed record ConnectionRow
    {
        public required string Id { get; init; }

        public required string Provider { get; init; }

        public string? InstitutionId { get; init; }

        public required string AccountNumber { get; init; }

        public required string Secret { get; init; }

        public string? ApiKey { get; init; }

        public string? ClientId { get; init; }

        public string? ApiBaseUrl { get; init; }
    }
}
