using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KioskPos.Shared.Security;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// Passwords of people at the province server: PBKDF2-HMAC-SHA256 at OWASP's current guidance (600,000 iterations),
/// in the same self-describing text as the PINs (<c>pbkdf2-sha256$iterations$salt$hash</c>), so a stored hash says
/// how it was made and one made with fewer iterations is made again at the next sign-in. PINs keep their own
/// (<see cref="PinHash"/>): a terminal checks them at the counter and must stay quick.
/// </summary>
internal static class PasswordHash
{
    /// <summary>OWASP Password Storage Cheat Sheet, PBKDF2-HMAC-SHA256.</summary>
    public const int Iterations = 600_000;

    private static readonly Lazy<string> s_dummy = new(() => Create(Guid.NewGuid().ToString("N")));

    /// <summary>A hash of nothing anyone knows, to check against when the name is unknown (the same cost either way).</summary>
    public static string Dummy => s_dummy.Value;

    /// <summary>A new hash of <paramref name="password"/> under a random salt.</summary>
    public static string Create(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${Iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>True when <paramref name="password"/> is the one <paramref name="stored"/> was made from (constant time).</summary>
    public static bool Verify(string password, string stored) => PinHash.Verify(password, stored);

    /// <summary>True when <paramref name="stored"/> was made with fewer iterations than today's (or is not a hash this code makes).</summary>
    public static bool NeedsRehash(string stored) =>
        stored.Split('$') is not ["pbkdf2-sha256", var iterations, _, _]
        || !int.TryParse(iterations, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < Iterations;
}
