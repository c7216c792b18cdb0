using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace KioskPos.Shared.Contracts;

/// <summary>
/// HTTP message signatures for terminal requests, after RFC 9421: the signature covers the method, path, query
/// and a SHA-256 content digest (RFC 9530), with a created time, a nonce and the terminal id as key id; the
/// algorithm is ecdsa-p256-sha256 (IEEE P1363 r‖s).
/// </summary>
public static partial class RequestSignature
{
    /// <summary>The signature's label in both headers.</summary>
    public const string Label = "sig1";

    /// <summary>The algorithm name.</summary>
    public const string Algorithm = "ecdsa-p256-sha256";

    /// <summary>How far the created time may be from the server's clock.</summary>
    public static readonly TimeSpan MaxClockDifference = TimeSpan.FromMinutes(5);

    private const string Components = "(\"@method\" \"@path\" \"@query\" \"content-digest\")";

    /// <summary>The <c>Content-Digest</c> value of a body: <c>sha-256=:BASE64:</c>.</summary>
    public static string ContentDigest(ReadOnlySpan<byte> body) => $"sha-256=:{Convert.ToBase64String(SHA256.HashData(body))}:";

    /// <summary>The <c>Signature-Input</c> parameters for a request signed now.</summary>
    public static string Parameters(DateTimeOffset created, string nonce, string keyId) =>
        $"{Components};created={created.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)};nonce=\"{nonce}\";keyid=\"{keyId}\";alg=\"{Algorithm}\"";

    /// <summary>The signature base (RFC 9421 §2.5) both sides sign and verify.</summary>
    public static byte[] SignatureBase(string method, string path, string query, string contentDigest, string parameters)
    {
        var text = new StringBuilder(256)
            .Append("\"@method\": ").Append(method.ToUpperInvariant()).Append('\n')
            .Append("\"@path\": ").Append(path).Append('\n')
            .Append("\"@query\": ").Append(string.IsNullOrEmpty(query) ? "?" : query).Append('\n')
            .Append("\"content-digest\": ").Append(contentDigest).Append('\n')
            .Append("\"@signature-params\": ").Append(parameters);
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>Signs a signature base with the terminal's key.</summary>
    public static string Sign(ECDsa key, byte[] signatureBase) =>
        Convert.ToBase64String(key.SignData(signatureBase, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    /// <summary>A fresh random nonce.</summary>
    public static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    /// <summary>The parts of a received <c>Signature-Input</c> value the server checks.</summary>
    /// <param name="Parameters">The parameters exactly as received (what the signature base ends with).</param>
    /// <param name="Created">The created time.</param>
    /// <param name="Nonce">The nonce.</param>
    /// <param name="KeyId">The terminal id.</param>
    public sealed record Input(string Parameters, DateTimeOffset Created, string Nonce, string KeyId);

    /// <summary>Reads <c>Signature-Input</c>; null when it is not exactly what terminals send.</summary>
    public static Input? ParseInput(string? header)
    {
        if (header is null || !header.StartsWith(Label + "=" + Components, StringComparison.Ordinal))
        {
            return null;
        }

        var parameters = header[(Label.Length + 1)..];
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = parameters[Components.Length..];
        var matches = ParameterPattern().Matches(rest);
        if (matches.Sum(m => m.Length) != rest.Length)
        {
            return null; // something between or after the parameters that is not one
        }

        foreach (Match match in matches)
        {
            if (!values.TryAdd(match.Groups[1].Value, match.Groups[2].Success ? match.Groups[2].Value : match.Groups[3].Value))
            {
                return null;
            }
        }

        if (!values.TryGetValue("created", out var created) || !long.TryParse(created, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ||
            !values.TryGetValue("nonce", out var nonce) || nonce.Length is < 16 or > 64 ||
            !values.TryGetValue("keyid", out var keyId) || keyId.Length is 0 or > 64 ||
            (values.TryGetValue("alg", out var alg) && alg != Algorithm))
        {
            return null;
        }

        return new Input(parameters, DateTimeOffset.FromUnixTimeSeconds(seconds), nonce, keyId);
    }

    /// <summary>Reads <c>Signature</c>: the signature bytes, or null.</summary>
    public static byte[]? ParseSignature(string? header)
    {
        var prefix = Label + "=:";
        if (header is null || !header.StartsWith(prefix, StringComparison.Ordinal) || !header.EndsWith(':'))
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(header[prefix.Length..^1]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex(";([a-z]+)=(?:\"([A-Za-z0-9_\\-\\.:]*)\"|([0-9]+))", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterPattern();
}

/// <summary>The enrolment request: the one-time code and the terminal's new public key.</summary>
/// <param name="Code">The code the technician typed.</param>
/// <param name="PublicKey">The terminal's ECDSA P-256 public key, SubjectPublicKeyInfo, base64.</param>
public sealed record EnrolRequest(string Code, string PublicKey);

/// <summary>What a terminal learns at enrolment.</summary>
/// <param name="TerminalId">Its id (the key id of its signatures).</param>
/// <param name="TerminalName">Its name.</param>
/// <param name="InstitutionId">The institution it serves.</param>
/// <param name="InstitutionName">The institution's name.</param>
/// <param name="ProvinceKey">
/// The province's public key that signs its answers (ECDSA P-256 SubjectPublicKeyInfo, base64): the terminal pins it
/// when its fingerprint is the one on the enrolment ticket (<see cref="EnrolmentTickets"/>).
/// </param>
public sealed record EnrolResponse(string TerminalId, string TerminalName, string InstitutionId, string InstitutionName, string? ProvinceKey = null);
