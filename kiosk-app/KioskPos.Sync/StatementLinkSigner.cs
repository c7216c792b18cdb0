using KioskPos.Shared.Contracts;
using Microsoft.Extensions.Options;

namespace KioskPos.Sync;

/// <summary>
/// Makes the phone link of a card's month statement (<see cref="StatementLink"/>), signed with the device key, so a
/// slip printed offline carries a link the province will open, for that account and month only, until it expires.
/// Its own copy of the key, used under its own lock: an <see cref="System.Security.Cryptography.ECDsa"/> is not for
/// concurrent use, and the request signer uses its copy at the same time.
/// </summary>
public sealed class StatementLinkSigner(IOptions<SyncOptions> options)
{
    private readonly DeviceKeyCache _keys = new(options);
    private readonly Lock _gate = new();

    /// <summary>
    /// The link to <paramref name="accountCode"/>'s statement of <paramref name="month"/> (<c>yyyy-MM</c>) on the
    /// province at <paramref name="provinceBase"/>, working until <paramref name="expires"/>; null when the terminal
    /// is not enrolled (no key: no link rather than one that cannot open).
    /// </summary>
    public string? Link(string provinceBase, string accountCode, string month, DateTimeOffset expires)
    {
        var unix = expires.ToUnixTimeSeconds();
        lock (_gate)
        {
            try
            {
                var (key, terminalId) = _keys.Get();
                return StatementLink.Url(provinceBase, terminalId, accountCode, month, unix, StatementLink.Sign(key, terminalId, accountCode, month, unix));
            }
            catch (NotEnrolledException)
            {
                return null;
            }
        }
    }
}
