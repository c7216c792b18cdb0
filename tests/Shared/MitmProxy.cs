using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KioskPos.Tests.Shared;

/// <summary>An answer as the man in the middle holds it, to rewrite before passing it on.</summary>
public sealed class InterceptedAnswer
{
    public required string Method { get; init; }

    /// <summary>The request's path and query.</summary>
    public required string Target { get; init; }

    public int Status { get; set; }

    /// <summary>Every header of the answer (Date, Signature, Signature-Input, Content-Digest, Content-Type…), as sent on.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public byte[] Body { get; set; } = [];

    /// <summary>The body as JSON, to change a field (write it back with <see cref="SetJson"/>).</summary>
    public JsonNode Json() => JsonNode.Parse(Body)!;

    public void SetJson(JsonNode node) => Body = System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());

    public InterceptedAnswer Copy() => new() { Method = Method, Target = Target, Status = Status, Headers = new(Headers, StringComparer.OrdinalIgnoreCase), Body = (byte[])Body.Clone() };
}

/// <summary>
/// A man in the middle between a terminal and its province: an HTTP proxy on 127.0.0.1 that forwards every request
/// to the province and hands each answer to <see cref="Rewrite"/> before passing it on, headers (the province's
/// signature among them) and all. <see cref="Rewrite"/> returns true when it changed the answer; null forwards as is.
/// </summary>
public sealed class MitmProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private int _rewritten;

    private MitmProxy(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    /// <summary>Where the terminal is told its province is.</summary>
    public Uri Url => new(_app.Urls.First());

    /// <summary>Changes an answer on its way to the terminal; returns true when it did.</summary>
    public Func<InterceptedAnswer, bool>? Rewrite { get; set; }

    /// <summary>Answers changed so far.</summary>
    public int Rewritten => Volatile.Read(ref _rewritten);

    public static async Task<MitmProxy> StartAsync(Uri province)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = province, Timeout = TimeSpan.FromMinutes(2) };
        var proxy = new MitmProxy(app, upstream);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        return proxy;
    }

    private async Task ForwardAsync(HttpContext http)
    {
        var target = http.Request.Path + http.Request.QueryString;
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), target);
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        if (body.Length > 0 || http.Request.ContentLength is not null)
        {
            request.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var (name, values) in http.Request.Headers)
        {
            if (name is "Host" or "Content-Length" or "Transfer-Encoding" or "Connection")
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseContentRead, http.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            http.Abort();
            return;
        }

        using (response)
        {
            var answer = new InterceptedAnswer { Method = http.Request.Method, Target = target, Status = (int)response.StatusCode, Body = await response.Content.ReadAsByteArrayAsync(http.RequestAborted) };
            foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
            {
                if (name is not ("Transfer-Encoding" or "Content-Length" or "Connection" or "Server"))
                {
                    answer.Headers[name] = values.ToString();
                }
            }

            if (Rewrite is { } rewrite && rewrite(answer))
            {
                Interlocked.Increment(ref _rewritten);
            }

            http.Response.StatusCode = answer.Status;
            foreach (var (name, value) in answer.Headers)
            {
                http.Response.Headers[name] = value;
            }

            http.Response.ContentLength = answer.Body.Length;
            await http.Response.Body.WriteAsync(answer.Body, http.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
