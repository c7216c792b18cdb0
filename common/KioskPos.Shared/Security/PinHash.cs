using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KioskPos.Shared.Security;

/// <summary>
/// PINs (staff at a terminal, card holders at the province server) kept only as salted PBKDF2-SHA256 hashes, in
/// one self-describing text form: <c>pbkdf2-sha256$iterations$salt$hash</c>.
/// </summary>
public static class PinHash
{
    private const int Iterations = 100_000;

    /// <summary>A hash of nothing anyone knows, to compare against when there is no stored hash (same time either way).</summary>
    public static string Dummy { get; } = Create("000000", new byte[16]);

    /// <summary>True for 4 to 8 ASCII digits.</summary>
    public static bool IsValid(string? pin) => pin is { Length: >= 4 and <= 8 } && pin.All(char.IsAsciiDigit);

    /// <summary>A new hash of <paramref name="pin"/> under a random salt.</summary>
    public static string Create(string pin) => Create(pin, RandomNumberGenerator.GetBytes(16));

    /// <summary>True when <paramref name="pin"/> is the one <paramref name="stored"/> was made from (constant time).</summary>
    public static bool Verify(string? pin, string stored)
    {
        var parts = stored.Split('$');
        if (parts is not ["pbkdf2-sha256", var iterations, var salt, var hash])
        {
            return false;
        }

        var expected = Convert.FromBase64String(hash);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(pin ?? string.Empty), Convert.FromBase64String(salt),
            int.Parse(iterations, CultureInfo.InvariantCulture), HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static string Create(string pin, byte[] salt)
    {
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(pin), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }
}
