using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// A stand-in for the bank-notification service, for the demo and tests only (<c>Province:BankSimulator</c>), posting
/// in the generic format or as SePay, payOS or Casso post (<see cref="Banking.ProviderPosts"/>, the form's <c>provider</c>):
/// a page (<c>wwwroot/bank-sim.html</c>, reading <c>/bank-sim/payments</c>) listing the VietQR payments waiting for money, each with a "simulate transfer" button and an editable
/// amount, that posts a correctly signed notification to this server's own webhook over HTTP, exactly as the
/// service would. The same code backs the <c>bank-sim</c> command line. It signs with a real connection's secret, so
/// it is mapped only when configured on and only a signed-in administrator may use it; it posts to the address this
/// server listens on, never to one a request names (its <c>Host</c> header).
/// </summary>
internal static class BankSimulator
{
    public static IEndpointRouteBuilder MapBankSimulator(this IEndpointRouteBuilder app)
    {
        app.MapGet("/bank-sim", GetPage).RequireProvincePage(ProvinceRoles.Admin).ExcludeFromDescription();
        app.MapGet("/bank-sim/payments", GetWaitingPaymentsAsync).RequireProvinceRoles(ProvinceRoles.Admin)
            .WithTags("BankSimulator").WithSummary("VietQR payments waiting for money (demo)")
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        app.MapPost("/bank-sim/send", SendFromFormAsync).RequireProvincePage(ProvinceRoles.Admin).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The address this server listens on, for posting to itself: a plain-HTTP one first, a wildcard host
    /// (<c>0.0.0.0</c>, <c>[::]</c>) taken as loopback. Null before the server has started.
    /// </summary>
    public static Uri? SelfAddress(IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var usable = addresses.Select(a => Uri.TryCreate(a.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var u) ? u : null)
            .OfType<Uri>().OrderBy(u => u.Scheme == Uri.UriSchemeHttp ? 0 : 1).FirstOrDefault();
        if (usable is null)
        {
            return null;
        }

        var host = usable.Host switch
        {
            "0.0.0.0" => "127.0.0.1",
            "[::]" or "::" => "[::1]",
            _ => usable.Host,
        };
        return new UriBuilder(usable.Scheme, host, usable.Port).Uri;
    }

    private static IResult GetPage() => ProvincePages.Page("bank-sim.html");

    private static async Task<JsonOk<IReadOnlyList<QrPaymentRow>>> GetWaitingPaymentsAsync(BankLedger ledger, CancellationToken ct) =>
        JsonOk.Of(await ledger.RecentQrPaymentsAsync(15, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListQrPaymentRow);

    /// <summary>Posts one signed notification to <paramref name="server"/>'s webhook; returns the HTTP status and body.</summary>
    public static async Task<(int Status, string Body)> PostAsync(HttpClient http, Uri server, string connectionId, string secret, BankNotification notification, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(notification, ContractsJsonContext.Default.BankNotification);
        using var request = BankSignature.CreateRequest(new Uri(server, SyncProtocol.BankNotificationsPath), connectionId, secret, body, now);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A bank transaction id in the style banks use, unique enough for a demo.</summary>
    public static string NewTransactionId() => "FT" + DateTime.UtcNow.ToString("yyMMdd", CultureInfo.InvariantCulture) + Convert.ToHexString(RandomNumberGenerator.GetBytes(5));

    private static async Task<Results<RedirectHttpResult, ProblemResult>> SendFromFormAsync(HttpContext http, IOptions<ProvinceOptions> options, TimeProvider time, IHttpClientFactory clients, IServer server,
        Banking.BankConnections connections)
    {
        var (form, notAForm) = await FormPost.ReadAsync(http,
            "POST /bank-sim/send takes the page's form (application/x-www-form-urlencoded or multipart/form-data) with amount, account, text, txn, bin and provider", "bad_request").ConfigureAwait(false);
        if (form is null)
        {
            return notAForm!;
        }

        var provider = form["provider"].ToString() is { Length: > 0 } named ? named : Banking.BankProviders.Generic;
        if (provider != Banking.BankProviders.Generic)
        {
            return await SendAsProviderAsync(http, form, provider, time, clients, server, connections).ConfigureAwait(false);
        }

        var connection = options.Value.BankConnections.FirstOrDefault(c => c.Secret.Length > 0);
        if (connection is null)
        {
            return TypedResults.Redirect("/bank-sim?result=" + Uri.EscapeDataString(Messages.Vi("province.bankSim.noConnection")));
        }

        if (!long.TryParse(form["amount"], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return TypedResults.Redirect("/bank-sim?result=" + Uri.EscapeDataString(Messages.Vi("province.bankSim.badAmount")));
        }

        var txn = string.IsNullOrWhiteSpace(form["txn"]) ? NewTransactionId() : form["txn"].ToString().Trim();
        var notification = new BankNotification(txn, form["account"].ToString(), amount, form["text"].ToString(), time.GetUtcNow(), string.IsNullOrEmpty(form["bin"]) ? null : form["bin"].ToString());
        if (SelfAddress(server) is not { } self)
        {
            return TypedResults.Redirect("/bank-sim?result=" + Uri.EscapeDataString(Messages.Vi("province.bankSim.noConnection")));
        }

        var (status, body) = await PostAsync(clients.CreateClient("bank-sim"), self, connection.Id, connection.Secret, notification, time.GetUtcNow(), http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Redirect("/bank-sim?result=" + Uri.EscapeDataString($"{txn}: HTTP {status} {body}"));
    }

    // SePay, payOS or Casso: the transfer in that provider's format, signed as it signs, to the first stored connection
    // of that provider (make run creates one of each for the demo school, scripts/run.sh).
    private static async Task<RedirectHttpResult> SendAsProviderAsync(HttpContext http, IFormCollection form, string provider, TimeProvider time, IHttpClientFactory clients, IServer server,
        Banking.BankConnections connections)
    {
        var connection = (await connections.AllAsync(http.RequestAborted).ConfigureAwait(false))
            .FirstOrDefault(c => c.Provider == provider && provider != Banking.BankProviders.Generic && Banking.BankProviders.All.Contains(provider) && c.Secret.Length > 0 && !c.FromSettings);
        if (connection is null || SelfAddress(server) is not { } self)
        {
            return TypedResults.Redirect("/bank-sim?result=" + Uri.EscapeDataString(Messages.Vi("province.bankSim.noProviderConnection") + " (" + provider + ")"));
        }

        if (!long.TryParse(form["amount"], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return TypedResults.Redirect("/bank-sim?result=" + Uri.EscapeDataString(Messages.Vi("province.bankSim.badAmount")));
        }

        var txn = string.IsNullOrWhiteSpace(form["txn"]) ? NewTransactionId() : form["txn"].ToString().Trim();
        var account = form["account"].ToString() is { Length: > 0 } given ? given : connection.AccountNumber;
        using var request = Banking.ProviderPosts.Create(self, connection, txn, account, amount, form["text"].ToString(), time.GetUtcNow());
        using var response = await clients.CreateClient("bank-sim").SendAsync(request, http.RequestAborted).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Redirect("/bank-sim?result=" + Uri.EscapeDataString($"{provider} {connection.Id} {txn}: HTTP {(int)response.StatusCode} {body}"));
    }

}
