using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// Signed session cookies for people: the username and an expiry under an HMAC whose key lives only in this
/// process (a restart signs everyone out). The session is checked against the stored user on every request, so
/// a changed role or a locked login takes effect at once.
/// </summary>
internal sealed class ProvinceSessions(TimeProvider time)
{
    public const string Cookie = "kp_province";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Issue(string username)
    {
        var body = $"{username}|{time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(body));
        return $"{payload}.{Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload)))}";
    }

    public string? Read(string? cookie)
    {
        if (cookie?.Split('.') is not [var payload, var mac] ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(mac), Encoding.UTF8.GetBytes(Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload))))))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(payload)).Split('|');
            return parts is [var username, var expires] && long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at > time.GetUtcNow().ToUnixTimeSeconds()
                ? username
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
