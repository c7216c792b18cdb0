using System.Net;
using System.Security.Cryptography;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KioskPos.Sync;

/// <summary>
/// An answer that does not carry the province's signature over this very request (changed on the way, replayed,
/// or from someone else at the province's address): nothing of it is used, and it is retried like a network fault.
/// </summary>
public sealed class ProvinceAnswerNotVerifiedException(string message) : SyncTransientException(message);

/// <summary>
/// Who answers at the province's address: the province's public key pinned at enrolment (<c>province-key.pem</c>
/// beside the device key), the check of every answer against it (<see cref="ResponseSignature"/>), and the alert
/// raised when one does not verify: counted (<c>/metrics</c>), logged, and shown on the status and tech pages for a
/// day after the last one.
/// </summary>
public sealed class ProvinceTrust(IOptions<SyncOptions> options, ILogger<ProvinceTrust>? logger = null, TimeProvider? clock = null)
{
    /// <summary>The pinned public key's file name in the data folder.</summary>
    public const string KeyFileName = "province-key.pem";

    /// <summary>How long the alert stays on the pages after the last answer that did not verify.</summary>
    public static readonly TimeSpan AlertFor = TimeSpan.FromHours(24);

    private readonly ILogger _logger = logger ?? NullLogger<ProvinceTrust>.Instance;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private ECDsa? _key;
    private DateTime _written;
    private long _unverified;
    private (DateTimeOffset At, string Reason)? _last;

    /// <summary>Answers refused since the terminal started because they did not verify.</summary>
    public long Unverified => Interlocked.Read(ref _unverified);

    /// <summary>The alert for people ("province answer not verified: why"), or null when none came in the last day.</summary>
    public string? Alert
    {
        get
        {
            lock (_gate)
            {
                return _last is { } last && _clock.GetUtcNow() - last.At < AlertFor
                    ? Messages.Both("terminal.sync.province_unverified", last.Reason)
                    : null;
            }
        }
    }

    /// <summary>The path of the pinned key for a terminal whose device key is <paramref name="deviceKeyPath"/>.</summary>
    public static string KeyPathBeside(string deviceKeyPath) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(deviceKeyPath))!, KeyFileName);

    /// <summary>
    /// Why the terminal may not talk to <paramref name="server"/> (null: it may): HTTPS always; plain HTTP to a
    /// loopback address, or with <paramref name="allowInsecureHttp"/> (<c>ProvinceServer:AllowInsecureHttp</c>,
    /// <c>enroll --insecure-http</c>) only.
    /// </summary>
    public static string? TransportProblem(Uri server, bool allowInsecureHttp)
    {
        if (server.Scheme == Uri.UriSchemeHttps || allowInsecureHttp)
        {
            return null;
        }

        if (server.Scheme != Uri.UriSchemeHttp)
        {
            return Messages.En("terminal.sync.bad_scheme", server);
        }

        var loopback = server.IsLoopback || (IPAddress.TryParse(server.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));
        return loopback ? null : Messages.En("terminal.sync.insecure_http", server);
    }

    /// <summary>Why the answer to <paramref name="request"/> is not the province's, or null when it is.</summary>
    public string? Problem(HttpRequestMessage request, HttpResponseMessage response, byte[] body)
    {
        if (!request.Options.TryGetValue(RequestSigner.NonceOption, out var nonce))
        {
            return "the request carried no nonce";
        }

        // One lock for loading and using the key: one ECDsa instance is not meant for concurrent use (sync,
        // confirmations and authorisations overlap), and a reloaded key replaces (disposes) the old one.
        lock (_gate)
        {
            var key = PinnedKey();
            return key is null
                ? Messages.En("terminal.sync.province_key_unknown")
                : ResponseSignature.Problem(key, nonce, (int)response.StatusCode, Raw(response, "Date"), Raw(response, "Signature-Input"), Raw(response, "Signature"), body);
        }
    }

    /// <summary>Counts, logs and raises an answer that did not verify.</summary>
    public void Refuse(string what, string reason)
    {
        Interlocked.Increment(ref _unverified);
        lock (_gate)
        {
            _last = (_clock.GetUtcNow(), reason);
        }

        _logger.LogError("Province answer not verified ({What}): {Reason}; nothing of it is used", what, reason);
    }

    /// <summary>Writes the province's public key (base64 SubjectPublicKeyInfo) as the terminal's pinned key.</summary>
    public static string Pin(string dataDirectory, string subjectPublicKeyInfo)
    {
        using var key = ProvinceKeys.Import(subjectPublicKeyInfo) ?? throw new ArgumentException("not an ECDSA P-256 public key", nameof(subjectPublicKeyInfo));
        var path = Path.Combine(dataDirectory, KeyFileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, key.ExportSubjectPublicKeyInfoPem());
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private static string? Raw(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) && values.Count == 1 ? values.ToString() : null;

    // Under _gate. Read again when the file is replaced (enrolled again while running).
    private ECDsa? PinnedKey()
    {
        var path = KeyPathBeside(options.Value.KeyPath);
        if (!File.Exists(path))
        {
            return null;
        }

        var written = File.GetLastWriteTimeUtc(path);
        if (_key is null || written != _written)
        {
            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(File.ReadAllText(path));
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                key.Dispose();
                _logger.LogError("The pinned province key {Path} is not a key: {Error}", path, e.Message);
                return null;
            }

            _key?.Dispose();
            (_key, _written) = (key, written);
        }

        return _key;
    }
}
