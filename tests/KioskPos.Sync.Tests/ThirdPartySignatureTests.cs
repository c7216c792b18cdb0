using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KioskPos.Shared.Contracts;
using KioskPos.Sync;

namespace KioskPos.Sync.Tests;

/// <summary>
/// The terminal's side of the RFC 9421 HTTP message signatures, held to an implementation nobody here wrote: npm
/// http-message-signatures (ThirdParty/http-signatures.mjs) verifies the requests the terminal's
/// <see cref="RequestSigner"/> sends, byte for byte as they leave it, and signs answers that the terminal's check of
/// the province's answers (<see cref="ResponseSignature.Problem"/>) must accept — and refuse once changed.
/// </summary>
public sealed class ThirdPartySignatureTests : IDisposable
{
    private const string TerminalId = "KP-THCS-ND-01";
    private readonly ECDsa _terminalKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _provinceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _terminalKey.Dispose();
        _provinceKey.Dispose();
    }

    [Theory]
    [InlineData("POST", "/api/v1/sync/push", "", "{\"entries\":[{\"sequence\":1,\"amount\":150000}]}")]
    [InlineData("GET", "/api/v1/sync/pull", "?cursor=42&limit=500", "")]
    [InlineData("GET", "/api/v1/sync/confirmations", "", "")] // no query: RFC 9421 §2.2.7 signs "?"
    public async Task A_request_the_terminal_signs_verifies_with_the_third_party_library(string method, string path, string query, string body)
    {
        var sent = await SignAsync(method, path + query, body);
        var answer = await VerifyAsync(sent);
        Assert.True(answer["verified"]?.GetValue<bool>() == true, answer.ToJsonString());
        Assert.Equal(sent.Headers["Content-Digest"], answer["contentDigest"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_request_changed_on_the_way_does_not_verify_with_the_third_party_library()
    {
        var sent = await SignAsync("POST", "/api/v1/sync/push?batch=1", "{\"amount\":150000}");

        // Another path or query: the library's signature check fails.
        var otherPath = await VerifyAsync(sent with { Url = "http://127.0.0.1:5081/api/v1/sync/ack?batch=1" });
        Assert.False(otherPath["verified"]?.GetValue<bool>() == true, otherPath.ToJsonString());
        var otherQuery = await VerifyAsync(sent with { Url = "http://127.0.0.1:5081/api/v1/sync/push?batch=2" });
        Assert.False(otherQuery["verified"]?.GetValue<bool>() == true, otherQuery.ToJsonString());

        // Another body under the same headers: the signature covers the headers, the Content-Digest among them, so the
        // library still verifies it; what fails is the digest of the body received against the signed one (RFC 9530),
        // the check the province makes before it reads a push (DeviceAuthTests: body_changed). The digest of the body
        // as sent is the signed one; of the changed body, not.
        var asSent = await VerifyAsync(sent);
        Assert.Equal(sent.Headers["Content-Digest"], asSent["contentDigest"]!.GetValue<string>());
        var otherBody = await VerifyAsync(sent with { Body = Encoding.UTF8.GetBytes("{\"amount\":1500000}") });
        Assert.True(otherBody["verified"]?.GetValue<bool>() == true, otherBody.ToJsonString());
        Assert.NotEqual(sent.Headers["Content-Digest"], otherBody["contentDigest"]!.GetValue<string>());

        // Another key (a terminal that is not this one): the library refuses.
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherKey = await VerifyAsync(sent, stranger.ExportSubjectPublicKeyInfoPem());
        Assert.False(otherKey["verified"]?.GetValue<bool>() == true, otherKey.ToJsonString());
    }

    [Fact]
    public async Task An_answer_the_third_party_library_signs_passes_the_terminals_check_and_a_changed_one_does_not()
    {
        var nonce = RequestSignature.NewNonce();
        var body = Encoding.UTF8.GetBytes("{\"accepted\":3,\"ackedThrough\":42}");
        var date = DateTimeOffset.UtcNow.ToString("R");
        var keyId = ProvinceKeys.Fingerprint(_provinceKey.ExportSubjectPublicKeyInfo());
        var signed = await RunAsync(new JsonObject
        {
            ["op"] = "sign-response",
            ["privateKeyPem"] = _provinceKey.ExportPkcs8PrivateKeyPem(),
            ["keyId"] = keyId,
            ["label"] = ResponseSignature.Label,
            ["status"] = 200,
            ["headers"] = new JsonObject { ["date"] = date, ["content-digest"] = RequestSignature.ContentDigest(body) },
            ["nonce"] = nonce,
            ["fields"] = new JsonArray("@status", "date", "content-digest"),
        });
        var input = signed["signatureInput"]!.GetValue<string>();
        var signature = signed["signature"]!.GetValue<string>();

        Assert.Null(ResponseSignature.Problem(_provinceKey, nonce, 200, date, input, signature, body));

        Assert.NotNull(ResponseSignature.Problem(_provinceKey, RequestSignature.NewNonce(), 200, date, input, signature, body)); // an answer to another request
        Assert.NotNull(ResponseSignature.Problem(_provinceKey, nonce, 500, date, input, signature, body)); // another status
        Assert.NotNull(ResponseSignature.Problem(_provinceKey, nonce, 200, DateTimeOffset.UtcNow.AddMinutes(1).ToString("R"), input, signature, body)); // another Date
        Assert.NotNull(ResponseSignature.Problem(_provinceKey, nonce, 200, date, input, signature, Encoding.UTF8.GetBytes("{\"accepted\":4,\"ackedThrough\":42}")));
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.NotNull(ResponseSignature.Problem(stranger, nonce, 200, date, input, signature, body)); // not the pinned key
    }

    private sealed record SentRequest(string Method, string Url, Dictionary<string, string> Headers, byte[] Body);

    // The request exactly as RequestSigner hands it to the network.
    private async Task<SentRequest> SignAsync(string method, string pathAndQuery, string body)
    {
        var capture = new CapturingHandler();
        using var client = new HttpClient(new RequestSigner(() => (_terminalKey, TerminalId), TimeProvider.System) { InnerHandler = capture });
        using var request = new HttpRequestMessage(new HttpMethod(method), "http://127.0.0.1:5081" + pathAndQuery);
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return capture.Sent ?? throw new InvalidOperationException("nothing was sent");
    }

    private Task<JsonObject> VerifyAsync(SentRequest sent, string? publicKeyPem = null)
    {
        var headers = new JsonObject();
        foreach (var (name, value) in sent.Headers)
        {
            headers[name] = value;
        }

        return RunAsync(new JsonObject
        {
            ["op"] = "verify-request",
            ["publicKeyPem"] = publicKeyPem ?? _terminalKey.ExportSubjectPublicKeyInfoPem(),
            ["keyId"] = TerminalId,
            ["method"] = sent.Method,
            ["url"] = sent.Url,
            ["headers"] = headers,
            ["bodyBase64"] = Convert.ToBase64String(sent.Body),
        });
    }

    private static async Task<JsonObject> RunAsync(JsonObject input)
    {
        var folder = Path.Combine(RepositoryRoot.Find(), "tests", "KioskPos.Sync.Tests", "ThirdParty");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "http-message-signatures")),
            $"the third-party library is not installed: run scripts/prereqs.sh (npm ci in {folder})");
        var start = new ProcessStartInfo("node", [Path.Combine(folder, "http-signatures.mjs")])
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input.ToJsonString());
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"node exited {process.ExitCode}: {error}");
        return JsonNode.Parse(output)!.AsObject();
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public SentRequest? Sent { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in request.Headers.NonValidated)
            {
                headers[header.Key] = header.Value.ToString();
            }

            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            if (request.Content is not null)
            {
                foreach (var header in request.Content.Headers.NonValidated)
                {
                    headers[header.Key] = header.Value.ToString();
                }
            }

            Sent = new SentRequest(request.Method.Method, request.RequestUri!.AbsoluteUri, headers, body);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
