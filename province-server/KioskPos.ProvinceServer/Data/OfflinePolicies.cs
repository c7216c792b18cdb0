using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>Each terminal's limits for card payments taken while the server is out of reach.</summary>
internal sealed class OfflinePolicies(ProvinceDatabase database)
{
    /// <summary>Sets a terminal's offline limits; false for an unknown terminal.</summary>
    public async Task<bool> SetAsync(string terminalId, OfflinePolicyDto policy, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("UPDATE terminals SET offline_policy = $p WHERE id = $t", null, cancellationToken,
            ("$p", JsonSerializer.Serialize(policy, ContractsJsonContext.Default.OfflinePolicyDto)), ("$t", terminalId)).ConfigureAwait(false) == 1;
    }
}
