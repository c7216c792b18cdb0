using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace KioskPos.Shared.Contracts;

/// <summary>
/// HTTP message signatures for the province's answers to terminals, the mirror of <see cref="RequestSignature"/>
/// (RFC 9421 on a response): the province's ECDSA P-256 key signs the status, the <c>Date</c> header, the SHA-256
/// content digest of the body and the nonce of the request answered, so that an answer cannot be changed on the way,
/// nor an old answer replayed to a new request. The key id is the key's <see cref="ProvinceKeys.Fingerprint"/>.
/// </summary>
public static partial class ResponseSignature
{
    /// <summary>The signature's label in both headers (the request's is <see cref="RequestSignature.Label"/>).</summary>
    public const string Label = "prov1";

    /// <summary>
    /// The header an unsigned request (enrolment) names its nonce in, as RFC 9421 §5.1 asks a signer for one:
    /// <c>Accept-Signature: prov1=(…);nonce="…"</c>.
    /// </summary>
    public const string AcceptHeader = "Accept-Signature";

    private const string Components = "(\"@status\" \"date\" \"content-digest\")";

    /// <summary>The <c>Accept-Signature</c> value asking for an answer signed over <paramref name="nonce"/>.</summary>
    public static string Accept(string nonce) => $"{Label}={Components};nonce=\"{nonce}\"";

    /// <summary>The <c>Signature-Input</c> parameters of an answer to the request of <paramref name="requestNonce"/>.</summary>
    public static string Parameters(string requestNonce, string keyId) =>
        $"{Components};nonce=\"{requestNonce}\";keyid=\"{keyId}\";alg=\"{RequestSignature.Algorithm}\"";

    /// <summary>The signature base (RFC 9421 §2.5) both sides sign and verify.</summary>
    public static byte[] SignatureBase(int status, string date, string contentDigest, string parameters)
    {
        var text = new StringBuilder(256)
            .Append("\"@status\": ").Append(status.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("\"date\": ").Append(date).Append('\n')
            .Append("\"content-digest\": ").Append(contentDigest).Append('\n')
            .Append("\"@signature-params\": ").Append(parameters);
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>
    /// The nonce of the request being answered: from its <c>Signature-Input</c> (a terminal's signed request) or
    /// its <c>Accept-Signature</c> (enrolment); empty when it names none (the answer then binds to no request, and
    /// no terminal accepts it).
    /// </summary>
    public static string RequestNonce(string? signatureInput, string? acceptSignature)
    {
        foreach (var header in new[] { signatureInput, acceptSignature })
        {
            if (header is not null && NoncePattern().Match(header) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }

        return string.Empty;
    }

    /// <summary>Why an answer is not the province's (null: it is): what a terminal checks before using anything.</summary>
    /// <param name="provinceKey">The province's public key the terminal pinned at enrolment.</param>
    /// <param name="expectedNonce">The nonce of the request this answers.</param>
    /// <param name="status">The answer's status code.</param>
    /// <param name="date">The answer's <c>Date</c> header as received, or null.</param>
    /// <param name="signatureInput">The answer's <c>Signature-Input</c>, or null.</param>
    /// <param name="signature">The answer's <c>Signature</c>, or null.</param>
    /// <param name="body">The answer's body as received.</param>
    public static string? Problem(ECDsa provinceKey, string expectedNonce, int status, string? date, string? signatureInput, string? signature, ReadOnlySpan<byte> body)
    {
        var prefix = Label + "=" + Components;
        if (signatureInput is null || signature is null)
        {
            return "the answer is not signed";
        }

        if (!signatureInput.StartsWith(prefix, StringComparison.Ordinal))
        {
            return "the answer's Signature-Input is not the province's";
        }

        if (date is null)
        {
            return "the answer has no Date";
        }

        var parameters = signatureInput[(Label.Length + 1)..];
        if (RequestNonce(parameters, null) != expectedNonce || expectedNonce.Length == 0)
        {
            return "the answer is for another request (its nonce is not this request's: replayed?)";
        }

        var sigPrefix = Label + "=:";
        if (!signature.StartsWith(sigPrefix, StringComparison.Ordinal) || !signature.EndsWith(':'))
        {
            return "the answer's Signature is malformed";
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(signature[sigPrefix.Length..^1]);
        }
        catch (FormatException)
        {
            return "the answer's Signature is malformed";
        }

        var signatureBase = SignatureBase(status, date, RequestSignature.ContentDigest(body), parameters);
        return provinceKey.VerifyData(signatureBase, bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? null
            : "the answer's signature does not verify with the province's key (changed on the way, or another signer)";
    }

    [GeneratedRegex(";nonce=\"([A-Za-z0-9_\\-]{16,64})\"", RegexOptions.CultureInvariant)]
    private static partial Regex NoncePattern();
}

/// <summary>The province's signing key as terminals know it: the public key and its short fingerprint.</summary>
public static class ProvinceKeys
{
    /// <summary>Letters and digits without look-alikes (no I, O, 0, 1), as the enrolment codes use.</summary>
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>
    /// The fingerprint of a public key (SubjectPublicKeyInfo): the first 80 bits of its SHA-256 in
    /// <see cref="Alphabet"/>, four groups of four (<c>KP7Q-M2XR-…</c>). 80 bits: finding another key with the same
    /// fingerprint is a second preimage no one can afford.
    /// </summary>
    public static string Fingerprint(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(subjectPublicKeyInfo, hash);
        var text = new StringBuilder(19);
        ulong bits = 0;
        var held = 0;
        var written = 0;
        for (var i = 0; written < 16; )
        {
            if (held < 5)
            {
                bits = (bits << 8) | hash[i++];
                held += 8;
            }

            held -= 5;
            text.Append(Alphabet[(int)((bits >> held) & 31)]);
            written++;
            if (written % 4 == 0 && written < 16)
            {
                text.Append('-');
            }
        }

        return text.ToString();
    }

    /// <summary>The public key of a base64 SubjectPublicKeyInfo; null when it is not an ECDSA P-256 key.</summary>
    public static ECDsa? Import(string? subjectPublicKeyInfo)
    {
        if (string.IsNullOrEmpty(subjectPublicKeyInfo))
        {
            return null;
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(subjectPublicKeyInfo), out _);
            if (key.KeySize == 256)
            {
                return key;
            }
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            // Not a key.
        }

        key.Dispose();
        return null;
    }
}

/// <summary>
/// The enrolment ticket the administrator hands to the technician: the one-time code and the fingerprint of the
/// province's signing key, <c>ABCD-EFGH-KP7Q-M2XR-3MNB-Z8WT</c>, so that the terminal pins the key of its own
/// province and not of whoever answers at the address typed.
/// </summary>
public static class EnrolmentTickets
{
    /// <summary>The ticket of <paramref name="code"/> for the province whose key has <paramref name="fingerprint"/>.</summary>
    public static string Compose(string code, string fingerprint) => $"{code}-{fingerprint}";

    /// <summary>
    /// The code and the fingerprint of a ticket (case and spaces forgiven); a bare code (two groups) has no
    /// fingerprint.
    /// </summary>
    public static (string Code, string? Fingerprint) Parse(string ticket)
    {
        var groups = ticket.Trim().ToUpperInvariant().Replace(" ", string.Empty, StringComparison.Ordinal)
            .Split('-', StringSplitOptions.RemoveEmptyEntries);
        return groups.Length == 6
            ? ($"{groups[0]}-{groups[1]}", string.Join('-', groups[2..]))
            : (ticket.Trim().ToUpperInvariant(), null);
    }
}
