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
    /// Enrols with the province server: makes a new key pair, sends the public key with the one-time code, and on
    /// success stores the private key (mode 0600) and the enrolment file in <paramref name="dataDirectory"/>.
    /// </summary>
    /// <exception cref="SyncRefusedException">The server refused the code (unknown, used, expired).</exception>
    /// <exception cref="SyncTransientException">The server could not be reached.</exception>
    public static async Task<EnrolResponse> EnrolAsync(Uri server, string code, string dataDirectory, HttpClient http, CancellationToken cancellationToken)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new EnrolRequest(code, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()));
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(new Uri(server, SyncProtocol.EnrolPath), request, ContractsJsonContext.Default.EnrolRequest, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new SyncTransientException($"Province server unreachable at {server}: {e.Message}", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                ProblemDto? problem = null;
                try
                {
                    problem = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto, cancellationToken).ConfigureAwait(false);
                }
                catch (JsonException)
                {
                    // Not a problem document.
                }

                throw new SyncRefusedException((int)response.StatusCode, problem);
            }

            var enrolled = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EnrolResponse, cancellationToken).ConfigureAwait(false))!;
            Directory.CreateDirectory(dataDirectory);
            await WriteAtomicallyAsync(Path.Combine(dataDirectory, KeyFileName), key.ExportPkcs8PrivateKeyPem(), secret: true, cancellationToken).ConfigureAwait(false);
            var enrolment = new Dictionary<string, Dictionary<string, string>>
            {
                ["Terminal"] = new() { ["Id"] = enrolled.TerminalId },
                ["ProvinceServer"] = new() { ["BaseUrl"] = server.ToString() },
                ["Enrolment"] = new()
                {
                    ["TerminalName"] = enrolled.TerminalName,
                    ["InstitutionId"] = enrolled.InstitutionId,
                    ["InstitutionName"] = enrolled.InstitutionName,
                    ["EnrolledAt"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                },
            };
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
        var parameters = RequestSignature.Parameters(clock.GetUtcNow(), RequestSignature.NewNonce(), keyId);
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
