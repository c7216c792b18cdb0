using System.Globalization;
using System.Security.Cryptography;
using KioskPos.Shared.Contracts;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// The province's signing key (ECDSA P-256): it signs every answer to a terminal (<see cref="ResponseSignature"/>).
/// Given by configuration (<c>Province:SigningKeyFile</c>, a PKCS#8 PEM file, the same on every replica) or made at
/// first start as <c>province-signing-key.pem</c> in the data folder, readable by the service's user only. Terminals
/// pin its public key at enrolment: a new key means every terminal enrols again.
/// </summary>
public sealed class ProvinceSigningKey : IDisposable
{
    /// <summary>The key's file name in the data folder when configuration names none.</summary>
    public const string FileName = "province-signing-key.pem";

    private readonly ECDsa _key;

    /// <summary>Loads the key, or makes and keeps one when there is none yet.</summary>
    public ProvinceSigningKey(IOptions<ProvinceOptions> options, IConfiguration configuration, ILogger<ProvinceSigningKey> logger)
    {
        var configured = configuration["Province:SigningKeyFile"];
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(options.Value.DataDirectory, FileName) : configured);
        _key = ECDsa.Create();
        if (!File.Exists(path))
        {
            if (!string.IsNullOrWhiteSpace(configured))
            {
                throw new InvalidOperationException($"Province:SigningKeyFile names {path}, which does not exist.");
            }

            Create(path);
            logger.LogWarning("Made the province's signing key {Path}: terminals pin it at enrolment, keep it (and its backups) private", path);
        }

        _key.ImportFromPem(File.ReadAllText(path));
        if (_key.KeySize != 256)
        {
            throw new InvalidOperationException($"The province's signing key {path} is not an ECDSA P-256 key.");
        }

        var spki = _key.ExportSubjectPublicKeyInfo();
        PublicKey = Convert.ToBase64String(spki);
        Fingerprint = ProvinceKeys.Fingerprint(spki);
        logger.LogInformation("The province signs its answers to terminals with key {Fingerprint}", Fingerprint);
    }

    /// <summary>The public key, SubjectPublicKeyInfo in base64, as the enrolment answer carries it.</summary>
    public string PublicKey { get; }

    /// <summary>Its short fingerprint, as enrolment tickets carry it and as the signatures' key id.</summary>
    public string Fingerprint { get; }

    /// <summary>Signs a signature base.</summary>
    public string Sign(byte[] signatureBase) => RequestSignature.Sign(_key, signatureBase);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    private static void Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var temporary = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, file))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }

        try
        {
            // Two servers starting on one folder: the first key written stays, the other is dropped.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }
}

/// <summary>Signs the sync API's answers: whatever the endpoint or a filter before it answers, refusals included.</summary>
internal static class ResponseSigning
{
    /// <summary>Registers the province's signing key.</summary>
    public static IServiceCollection AddProvinceResponseSigning(this IServiceCollection services) => services.AddSingleton<ProvinceSigningKey>();

    /// <summary>
    /// Every answer of these endpoints is signed. Put it before any other filter, so that their refusals (a bad
    /// request signature, a clock too far off) are signed too: a terminal uses nothing, not even the Date of a
    /// refusal, that the province did not sign.
    /// </summary>
    public static TBuilder SignProvinceAnswers<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context).ConfigureAwait(false);
            return result is IResult answer ? new SignedAnswer(answer) : result;
        });

    /// <summary>The endpoint's answer, written to memory, signed, then sent with its signature headers.</summary>
    private sealed class SignedAnswer(IResult inner) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var original = response.Body;
            using var buffer = new MemoryStream();
            response.Body = buffer;
            try
            {
                await inner.ExecuteAsync(httpContext).ConfigureAwait(false);
                await response.BodyWriter.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
            }
            finally
            {
                response.Body = original;
            }

            if (httpContext.RequestAborted.IsCancellationRequested)
            {
                return; // the terminal is gone (a long poll it gave up)
            }

            var services = httpContext.RequestServices;
            var key = services.GetRequiredService<ProvinceSigningKey>();
            var body = buffer.ToArray();
            var date = services.GetRequiredService<TimeProvider>().GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
            var digest = RequestSignature.ContentDigest(body);
            var request = httpContext.Request.Headers;
            var parameters = ResponseSignature.Parameters(
                ResponseSignature.RequestNonce(request["Signature-Input"].ToString(), request[ResponseSignature.AcceptHeader].ToString()), key.Fingerprint);
            var headers = response.Headers;
            headers.Date = date;
            headers["Content-Digest"] = digest;
            headers["Signature-Input"] = $"{ResponseSignature.Label}={parameters}";
            headers["Signature"] = $"{ResponseSignature.Label}=:{key.Sign(ResponseSignature.SignatureBase(response.StatusCode, date, digest, parameters))}:";
            response.ContentLength = body.Length;
            await original.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
