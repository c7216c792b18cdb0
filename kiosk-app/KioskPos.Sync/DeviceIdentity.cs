using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Core.Text;

namespace KioskPos.Sync;

/// <summary>The terminal is not enrolled (no device key), so it cannot sign requests.</summary>
public sealed class NotEnrolledException(string message) : Exception(message);

/// <summary>
/// The terminal's identity: its ECDSA P-256 key, made at enrolment and kept in the data folder readable by the
/// service user only, and the enrolment file that names the terminal and its server.
/// </summary>
public static class DeviceIdentity
{
    /// <summary>The private key's file name in the data folder.</summary>
    public const string KeyFileName = "device-key.pem";

    /// <summary>The enrolment file's name in the data folder; it is read as configuration.</summary>
    public const string EnrolmentFileName = "enrolment.json";

    /// <summary>Loads the device key from <paramref name="path"/>.</summary>
    /// <exception cref="NotEnrolledException">There is no key: the terminal was never enrolled.</exception>
    public static ECDsa LoadKey(string path)
    {
        if (!File.Exists(path))
        {
            throw new NotEnrolledException(Messages.Both("terminal.service.not_enrolled", path));
        }

        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(path));
        return key;
    }

    /// <summary>
    /// Enrols with the province server: makes a new key pair, sends the public key with the ticket's one-time code,
    /// checks that the answer is signed by the province whose key fingerprint the ticket carries, and on success
    /// stores the private key (mode 0600), the province's public key (pinned: every later answer must verify with
    /// it) and the enrolment file in <paramref name="dataDirectory"/>.
    /// </summary>
    /// <param name="server">The province server's address: https://…, or http:// to a loopback address or with <paramref name="allowInsecureHttp"/>.</param>
    /// <param name="ticket">The enrolment ticket from the administrator: the code and the province key's fingerprint.</param>
    /// <param name="dataDirectory">The terminal's data folder.</param>
    /// <param name="http">The client to send with.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="allowInsecureHttp">Allow plain HTTP to a province that is not on this machine.</param>
    /// <exception cref="SyncRefusedException">
    /// The server refused the code (unknown, used, expired), or the answer is not the province's of the ticket
    /// (<c>province_key_mismatch</c>, <c>province_answer_not_verified</c>), or the ticket or the address will not do.
    /// </exception>
    /// <exception cref="SyncTransientException">The server could not be reached.</exception>
    public static async Task<EnrolResponse> EnrolAsync(Uri server, string ticket, string dataDirectory, HttpClient http, CancellationToken cancellationToken, bool allowInsecureHttp = false)
    {
        static SyncRefusedException Refused(string code, params object?[] args) =>
            new(0, Problems.Create(0, code, Messages.Vi("terminal.enrol." + code), Messages.En("terminal.enrol." + code, args)));

        if (ProvinceTrust.TransportProblem(server, allowInsecureHttp) is { } insecure)
        {
            throw new SyncRefusedException(0, Problems.Create(0, "insecure_transport", Messages.Vi("terminal.sync.insecure_http.title"), insecure));
        }

        var (code, fingerprint) = EnrolmentTickets.Parse(ticket);
        if (fingerprint is null)
        {
            throw Refused("ticket_without_fingerprint");
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var nonce = RequestSignature.NewNonce();
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(server, SyncProtocol.EnrolPath))
        {
            Content = JsonContent.Create(new EnrolRequest(code, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())), ContractsJsonContext.Default.EnrolRequest),
        };
        message.Headers.TryAddWithoutValidation(ResponseSignature.AcceptHeader, ResponseSignature.Accept(nonce));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new SyncTransientException($"Province server unreachable at {server}: {e.Message}", e);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // A refusal: nothing is kept, so there is nothing an impostor's refusal could change.
                ProblemDto? problem = null;
                try
                {
                    problem = JsonSerializer.Deserialize(body, ContractsJsonContext.Default.ProblemDto);
                }
                catch (JsonException)
                {
                    // Not a problem document.
                }

                throw new SyncRefusedException((int)response.StatusCode, problem);
            }

            EnrolResponse enrolled;
            try
            {
                enrolled = JsonSerializer.Deserialize(body, ContractsJsonContext.Default.EnrolResponse)!;
            }
            catch (JsonException e)
            {
                throw new SyncTransientException("The province server's answer was cut or garbled.", e);
            }

            using var provinceKey = ProvinceKeys.Import(enrolled.ProvinceKey) ?? throw Refused("province_key_missing");
            var answered = ProvinceKeys.Fingerprint(provinceKey.ExportSubjectPublicKeyInfo());
            if (answered != fingerprint)
            {
                throw Refused("province_key_mismatch", answered, fingerprint);
            }

            static string? Raw(HttpResponseMessage r, string name) =>
                r.Headers.NonValidated.TryGetValues(name, out var values) && values.Count == 1 ? values.ToString() : null;
            if (ResponseSignature.Problem(provinceKey, nonce, (int)response.StatusCode, Raw(response, "Date"), Raw(response, "Signature-Input"), Raw(response, "Signature"), body) is { } unverified)
            {
                throw Refused("province_answer_not_verified", unverified);
            }

            Directory.CreateDirectory(dataDirectory);
            await WriteAtomicallyAsync(Path.Combine(dataDirectory, KeyFileName), key.ExportPkcs8PrivateKeyPem(), secret: true, cancellationToken).ConfigureAwait(false);
            ProvinceTrust.Pin(dataDirectory, enrolled.ProvinceKey!);
            var enrolment = new Dictionary<string, Dictionary<string, string>>
            {
                ["Terminal"] = new() { ["Id"] = enrolled.TerminalId },
                ["ProvinceServer"] = new() { ["BaseUrl"] = server.ToString() },
                ["Enrolment"] = new()
                {
                    ["TerminalName"] = enrolled.TerminalName,
                    ["InstitutionId"] = enrolled.InstitutionId,
                    ["InstitutionName"] = enrolled.InstitutionName,
                    ["ProvinceKey"] = answered,
                    ["EnrolledAt"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                },
            };
            if (allowInsecureHttp)
            {
                enrolment["ProvinceServer"]["AllowInsecureHttp"] = "true";
            }

            await WriteAtomicallyAsync(Path.Combine(dataDirectory, EnrolmentFileName), JsonSerializer.Serialize(enrolment, SyncJsonContext.Default.DictionaryStringDictionaryStringString), secret: false, cancellationToken).ConfigureAwait(false);
            return enrolled;
        }
    }

    private static async Task WriteAtomicallyAsync(string path, string content, bool secret, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (secret && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(temporary, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(content.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>Source-generated JSON for the terminal's own files.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
internal sealed partial class SyncJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>
/// Signs every request to the province server with the device key (see <see cref="RequestSignature"/>), using the
/// clock corrected by the server's Date header for the created time.
/// </summary>
public sealed class RequestSigner(Func<(ECDsa Key, string KeyId)> identity, TimeProvider clock) : DelegatingHandler
{
    /// <summary>The nonce a request was signed with: the province's answer must be signed over it (<see cref="ProvinceTrust"/>).</summary>
    public static readonly HttpRequestOptionsKey<string> NonceOption = new("kioskpos.request-nonce");

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var (key, keyId) = identity();
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (request.Content is not null)
        {
            var content = new ByteArrayContent(body);
            foreach (var header in request.Content.Headers)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            request.Content = content;
        }

        var digest = RequestSignature.ContentDigest(body);
        var nonce = RequestSignature.NewNonce();
        request.Options.Set(NonceOption, nonce);
        var parameters = RequestSignature.Parameters(clock.GetUtcNow(), nonce, keyId);
        var uri = request.RequestUri!;
        var signatureBase = RequestSignature.SignatureBase(request.Method.Method, uri.AbsolutePath, uri.Query, digest, parameters);
        request.Headers.Remove("Content-Digest");
        request.Headers.Remove("Signature-Input");
        request.Headers.Remove("Signature");
        request.Headers.TryAddWithoutValidation("Content-Digest", digest);
        request.Headers.TryAddWithoutValidation("Signature-Input", $"{RequestSignature.Label}={parameters}");
        request.Headers.TryAddWithoutValidation("Signature", $"{RequestSignature.Label}=:{RequestSignature.Sign(key, signatureBase)}:");
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
