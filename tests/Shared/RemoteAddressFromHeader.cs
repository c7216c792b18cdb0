using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Tests.Shared;

/// <summary>
/// For a test host only: a request carrying <see cref="Header"/> is seen by the server as coming from that address
/// (its <c>Connection.RemoteIpAddress</c>), set before anything of the server's own pipeline runs. Kestrel in the tests
/// listens on 127.0.0.1, and a client here can bind 127.0.0.N but no IPv6 address but <c>::1</c>: this is how the
/// per-source limits meet clients rotating IPv6 addresses (or IPv4-mapped ones) with the server's real pipeline.
/// </summary>
internal sealed class RemoteAddressFromHeader : IStartupFilter
{
    /// <summary>The request header naming the remote address the server is to see.</summary>
    public const string Header = "X-Test-Remote-Address";

    /// <summary>Adds the filter to a host's services.</summary>
    public static void AddTo(IServiceCollection services) => services.AddSingleton<IStartupFilter, RemoteAddressFromHeader>();

    /// <summary>An anonymous client whose every request claims <paramref name="address"/> to <paramref name="server"/>.</summary>
    public static HttpClient Client(Uri server, string address)
    {
        var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add(Header, address);
        return client;
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, nextStep) =>
        {
            if (http.Request.Headers[Header] is [{ } value] && IPAddress.TryParse(value, out var address))
            {
                http.Connection.RemoteIpAddress = address;
            }

            return nextStep(http);
        });
        next(app);
    };
}
