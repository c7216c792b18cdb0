using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>Why a request or an enrolment was refused: a stable code, the HTTP status, and a message.</summary>
internal sealed record AuthFailure(int Status, string Code, string TitleKey, string English)
{
    /// <summary>The Vietnamese title, from the catalogue.</summary>
    public string Vietnamese => Messages.Vi(TitleKey);
}

/// <summary>
/// Terminals and their keys: issuing one-time enrolment codes, binding a terminal's public key, revoking, and
/// verifying the signature of every request a terminal makes.
/// </summary>
internal sealed class TerminalRegistry(ProvinceDatabase database, TimeProvider time, RequestNonces nonces) : IDisposable
{
    /// <summary>How many terminals' public keys are kept imported: more than a province's fleet.</summary>
    internal const int MaxCachedKeys = 10_000;

    // The public keys as imported, by their stored text (base64 SubjectPublicKeyInfo). Importing one costs about
    // twice as much as verifying with it (~130 µs against ~60 on the test machine), and every signed request
    // verifies. Keyed by the key's text, not by the terminal: the terminal's row is read on every request as
    // before, so a terminal enrolled again is verified with its new key and a revoked one is refused at once; a
    // replaced key is only no longer looked up. An imported key is only read (OpenSSL's sign and verify make a
    // context per call), as the province's own signing key is by every answer at once.
    private readonly ConcurrentDictionary<string, ECDsa> _keys = new(StringComparer.Ordinal);

    /// <summary>The most characters of a terminal id (<see cref="IsWellFormedId"/>).</summary>
    public const int MaxIdLength = 32;

    /// <summary>
    /// A terminal id as the demo and the manuals write them (<c>KP-THCS-ND-01</c>, <c>KP-TTYT-CT-01</c>): 3 to
    /// <see cref="MaxIdLength"/> upper-case ASCII letters and digits in groups joined by single '-'. The id travels in
    /// URL paths (<c>/terminals/{id}/revoke</c>), in the signature's <c>keyid</c>, in every payment id
    /// (<c>KP-THCS-ND-01-00000042</c>), on receipts and in file names, so nothing else fits: a '/', '.', quote,
    /// control or direction character would make a terminal no URL can reach, and lower case a second terminal that
    /// reads the same.
    /// </summary>
    public static bool IsWellFormedId(string? id) =>
        id is { Length: >= 3 and <= MaxIdLength } && id[0] != '-' && id[^1] != '-' && !id.Contains("--", StringComparison.Ordinal)
        && id.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>Issues a one-time code for <paramref name="terminalId"/> (created if new) at an institution.</summary>
    public async Task<(string Code, DateTimeOffset ExpiresAt)?> IssueCodeAsync(string institutionId, string terminalId, string name, TimeSpan validity, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (await connection.ScalarAsync("SELECT 1 FROM institutions WHERE id = $i", transaction, cancellationToken, ("$i", institutionId)).ConfigureAwait(false) is null)
        {
            return null;
        }

        await connection.ExecuteAsync(
            "INSERT INTO terminals (id, institution_id, name) VALUES ($t, $i, $n) ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE terminals.institution_id = excluded.institution_id",
            transaction, cancellationToken, ("$t", terminalId), ("$i", institutionId), ("$n", name)).ConfigureAwait(false);
        if ((string?)await connection.ScalarAsync("SELECT institution_id FROM terminals WHERE id = $t", transaction, cancellationToken, ("$t", terminalId)).ConfigureAwait(false) != institutionId)
        {
            return null; // the id belongs to another institution's terminal
        }

        // Eight characters from an alphabet without look-alikes, grouped for reading aloud: ~40 bits, one use, short life.
        const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var raw = new string(RandomNumberGenerator.GetItems(Alphabet.AsSpan(), 8));
        var code = $"{raw[..4]}-{raw[4..]}";
        var expires = time.GetUtcNow() + validity;
        await connection.ExecuteAsync(
            "INSERT INTO enrolment_codes (code_sha256, terminal_id, expires_at) VALUES ($c, $t, $e)",
            transaction, cancellationToken, ("$c", Hash(code)), ("$t", terminalId), ("$e", expires.ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (code, expires);
    }

    /// <summary>Null when <paramref name="publicKey"/> is a base64 SubjectPublicKeyInfo of an ECDSA P-256 key; else why not.</summary>
    internal static AuthFailure? CheckPublicKey(string publicKey)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
            return key.KeySize == 256 ? null : new AuthFailure(400, "bad_public_key", "province.problem.enrolment.bad_public_key", "The public key must be ECDSA P-256.");
        }
        catch (Exception e) when (e is FormatException or CryptographicException or PlatformNotSupportedException)
        {
            // PlatformNotSupportedException: a well-formed key on a curve OpenSSL does not know (an OID made up).
            return new AuthFailure(400, "bad_public_key", "province.problem.enrolment.bad_public_key", "The public key is not a base64 SubjectPublicKeyInfo of an ECDSA P-256 key.");
        }
    }

    /// <summary>Binds a terminal's public key with a one-time code.</summary>
    public async Task<(EnrolResponse? Response, AuthFailure? Failure)> EnrolAsync(EnrolRequest request, CancellationToken cancellationToken)
    {
        if (CheckPublicKey(request.PublicKey) is { } refused)
        {
            return (null, refused);
        }

        var publicKey = Convert.FromBase64String(request.PublicKey);
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var code = await connection.ReadFirstAsync<EnrolmentCodeRow>(
            "SELECT terminal_id, expires_at, used_at FROM enrolment_codes WHERE code_sha256 = $c", transaction, cancellationToken, ("$c", Hash(Normalise(request.Code)))).ConfigureAwait(false);
        if (code is null)
        {
            return (null, new AuthFailure(400, "unknown_code", "province.problem.enrolment.unknown_code", "No such enrolment code."));
        }

        if (code.UsedAt is not null)
        {
            return (null, new AuthFailure(410, "code_used", "province.problem.enrolment.code_used", "This enrolment code was used already; ask for a new one."));
        }

        if (DateTimeOffset.Parse(code.ExpiresAt, CultureInfo.InvariantCulture) < now)
        {
            return (null, new AuthFailure(410, "code_expired", "province.problem.enrolment.code_expired", "This enrolment code has expired; ask for a new one."));
        }

        var terminalId = code.TerminalId;

        var stamp = now.ToString("O", CultureInfo.InvariantCulture);
        await connection.ExecuteAsync("UPDATE enrolment_codes SET used_at = $u WHERE code_sha256 = $c", transaction, cancellationToken, ("$u", stamp), ("$c", Hash(Normalise(request.Code)))).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "UPDATE terminals SET public_key = $k, enrolled_at = $u, revoked = 0 WHERE id = $t",
            transaction, cancellationToken, ("$k", Convert.ToBase64String(publicKey)), ("$u", stamp), ("$t", terminalId)).ConfigureAwait(false);
        var enrolled = (await connection.ReadFirstAsync<EnrolledRow>(
            "SELECT t.id AS terminal_id, t.name AS terminal_name, i.id AS institution_id, i.name AS institution_name FROM terminals t JOIN institutions i ON i.id = t.institution_id WHERE t.id = $t",
            transaction, cancellationToken, ("$t", terminalId)).ConfigureAwait(false))!;
        var response = new EnrolResponse(enrolled.TerminalId, enrolled.TerminalName, enrolled.InstitutionId, enrolled.InstitutionName);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (response, null);
    }

    /// <summary>Revokes a terminal: its signatures are refused from now on. False for an unknown terminal.</summary>
    public async Task<bool> RevokeAsync(string terminalId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("UPDATE terminals SET revoked = 1 WHERE id = $t", null, cancellationToken, ("$t", terminalId)).ConfigureAwait(false) == 1;
    }

    /// <summary>Revokes every unused enrolment code of a terminal (a code given to the wrong person); returns how many.</summary>
    public async Task<int> RevokeCodesAsync(string terminalId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        return await connection.ExecuteAsync("UPDATE enrolment_codes SET expires_at = $n WHERE terminal_id = $t AND used_at IS NULL AND expires_at > $n",
            null, cancellationToken, ("$n", now), ("$t", terminalId)).ConfigureAwait(false);
    }

    /// <summary>
    /// Verifies a signed request from its headers alone, before its body is read: a known, unrevoked, enrolled
    /// terminal; a created time within ±5 minutes of the server's clock; a nonce not seen before; a signature that
    /// verifies over the claimed content digest. The caller checks the body against that digest as it reads it. The
    /// terminal it answers is its row as this check read it, for the endpoint (one read of the row a request).
    /// </summary>
    public async Task<(TerminalRecord? Terminal, AuthFailure? Failure)> VerifyAsync(
        string method, string path, string query, string? signatureInput, string? signature, string? contentDigest, CancellationToken cancellationToken)
    {
        static AuthFailure Unauthenticated(string code, string english) => new(401, code, "province.problem.terminal.unauthenticated", english);

        var input = RequestSignature.ParseInput(signatureInput);
        var signatureBytes = RequestSignature.ParseSignature(signature);
        if (input is null || signatureBytes is null || contentDigest is null)
        {
            return (null, Unauthenticated("unsigned", "The request must carry Signature-Input, Signature and Content-Digest as terminals send them."));
        }

        var now = time.GetUtcNow();
        if ((input.Created - now).Duration() > RequestSignature.MaxClockDifference)
        {
            return (null, Unauthenticated("clock_skew", $"The signature was created at {input.Created:O}, more than 5 minutes from the server's {now:O}; correct the clock from the Date header and sign again."));
        }

        // The connection goes back to the pool at once: a terminal's first request flushes the nonces below, which
        // takes a connection of its own; holding this one meanwhile, a thousand terminals' first requests held the
        // whole pool while the flush waited for a connection (make loadtest stalled on it, 15 s a timeout).
        // The whole row at once: the endpoint is given the terminal as this read found it, not a second read of it.
        TerminalKeyRow? terminal;
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            terminal = await connection.ReadFirstAsync<TerminalKeyRow>(
                "SELECT id, institution_id, name, public_key, revoked, acked_through, last_seen_at, qr_tag FROM terminals WHERE id = $t", null, cancellationToken, ("$t", input.KeyId)).ConfigureAwait(false);
        }

        if (terminal?.PublicKey is not { } publicKey)
        {
            return (null, Unauthenticated("unknown_terminal", $"No enrolled terminal '{input.KeyId}'."));
        }

        var revoked = terminal.Revoked != 0;

        var signatureBase = RequestSignature.SignatureBase(method, path, query, contentDigest, input.Parameters);
        if (!Verify(publicKey, signatureBase, signatureBytes))
        {
            return (null, Unauthenticated("bad_signature", "The signature does not verify with the terminal's key."));
        }

        if (revoked)
        {
            return (null, new AuthFailure(403, "terminal_revoked", "province.problem.terminal.revoked", "This terminal has been revoked."));
        }

        // The nonce is checked and remembered in memory (no write per request); RequestNonces writes the second's
        // nonces and the terminals' last-seen times in one group commit, and reads them back after a restart.
        await nonces.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        switch (nonces.TryAccept(input.KeyId, input.Nonce, input.Created))
        {
            case NonceVerdict.Replayed:
                return (null, Unauthenticated("replayed", "This nonce was used before: the request is a replay."));
            case NonceVerdict.Full:
                return (null, new AuthFailure(429, "too_many_requests", "province.problem.terminal.too_many_requests",
                    $"More than {RequestNonces.MaxPerTerminal} requests from this terminal within {RequestSignature.MaxClockDifference.TotalMinutes:0} minutes; try again later."));
        }

        // A terminal's first signed request is written at once (one write in its life): from it on the terminal counts as
        // seen (the plan report's active terminals, the overview) without waiting for the next group commit.
        if (terminal.LastSeenAt is null)
        {
            await nonces.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return (new TerminalRecord(terminal.Id, terminal.InstitutionId, terminal.Name, revoked, terminal.AckedThrough,
            terminal.LastSeenAt is { } seen ? DateTimeOffset.Parse(seen, CultureInfo.InvariantCulture) : null, (int)terminal.QrTag), null);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
    }

    /// <summary>The number of public keys held imported (for tests).</summary>
    internal int CachedKeys => _keys.Count;

    // Verifies with the key imported before, or imports it (and keeps it while fewer than MaxCachedKeys are kept).
    private bool Verify(string publicKey, byte[] signatureBase, byte[] signature)
    {
        if (_keys.TryGetValue(publicKey, out var cached))
        {
            return cached.VerifyData(signatureBase, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        var key = ECDsa.Create();
        var kept = false;
        try
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
            var verified = key.VerifyData(signatureBase, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            kept = _keys.Count < MaxCachedKeys && _keys.TryAdd(publicKey, key); // not when full, nor when another request kept it meanwhile
            return verified;
        }
        finally
        {
            if (!kept)
            {
                key.Dispose();
            }
        }
    }

    private static string Normalise(string code) => EnrolmentTickets.Parse(code).Code; // a whole ticket: its code

    private static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    /// <summary>An enrolment code: the terminal it enrols, until when, and when it was used (null while unused).</summary>
    private sealed record EnrolmentCodeRow
    {
        public required string TerminalId { get; init; }

        public required string ExpiresAt { get; init; }

        public string? UsedAt { get; init; }
    }

    private sealed record EnrolledRow
    {
        public required string TerminalId { get; init; }

        public required string TerminalName { get; init; }

        public required string InstitutionId { get; init; }

        public required string InstitutionName { get; init; }
    }

    /// <summary>A terminal's row: its public key (null until it enrols), whether it is revoked (1 or 0), and what the endpoints are given.</summary>
    private sealed record TerminalKeyRow
    {
        public required string Id { get; init; }

        public required string InstitutionId { get; init; }

        public required string Name { get; init; }

        public string? PublicKey { get; init; }

        public long Revoked { get; init; }

        public long AckedThrough { get; init; }

        public string? LastSeenAt { get; init; }

        public long QrTag { get; init; }
    }
}
