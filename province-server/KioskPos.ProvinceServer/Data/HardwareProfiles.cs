namespace KioskPos.ProvinceServer.Data;

/// <summary>The hardware profiles the province pushes to terminals (taken up at a terminal's next start).</summary>
internal sealed class HardwareProfiles(ProvinceDatabase database)
{
    /// <summary>Sets the hardware profile a terminal is to run (JSON), or clears it (null); false for an unknown terminal.</summary>
    public async Task<bool> SetAsync(string terminalId, string? profileJson, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("UPDATE terminals SET hardware_profile = $p WHERE id = $t", null, cancellationToken, ("$p", profileJson), ("$t", terminalId)).ConfigureAwait(false) == 1;
    }
}
