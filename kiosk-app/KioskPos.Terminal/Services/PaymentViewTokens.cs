using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>
/// The self-service kiosk follows its own payment (state, QR, cancel, receipt lookup) without a session; payment ids
/// are sequential, so it does so with a token given in the payment's answer: an HMAC of the id under a key of this
/// terminal's (a file in its data folder, readable by the service user only). Anyone else gets "not found".
/// </summary>
public sealed class PaymentViewTokens(IOptions<TerminalOptions> options)
{
    private const string KeyFile = "payment-view.key";
    private readonly Lazy<byte[]> _key = new(() => LoadOrCreate(Path.Combine(options.Value.DataDirectory, KeyFile)));

    /// <summary>The token that opens <paramref name="paymentId"/> to the kiosk.</summary>
    public string Issue(string paymentId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes(paymentId)))[..24];

    /// <summary>True when <paramref name="token"/> is the one issued for <paramref name="paymentId"/>.</summary>
    public bool IsValid(string paymentId, string? token) =>
        token is { Length: 24 } && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Issue(paymentId)), Encoding.ASCII.GetBytes(token));

    private static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path) && File.ReadAllBytes(path) is { Length: 32 } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(32);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, key);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
        return key;
    }
}
