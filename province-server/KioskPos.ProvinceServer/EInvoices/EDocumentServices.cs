using System.Text.Json;
using System.Text.Json.Serialization;

namespace KioskPos.ProvinceServer.EInvoices;

/// <summary>Registers the e-documents: storage, the providers' adapters, the issuer and its background worker.</summary>
internal static class EDocumentServices
{
    /// <summary>The HTTP client the adapters call providers with.</summary>
    public const string HttpClientName = "edocument-providers";

    /// <summary>
    /// The most bytes of a provider's answer read: theirs are a few kilobytes of JSON, and a garbled or hostile one
    /// of hundreds of megabytes would otherwise be held in the server's memory. A longer one fails the call
    /// (<see cref="HttpRequestException"/>), which the adapters answer with "later".
    /// </summary>
    public const int MaxAnswerBytes = 64 * 1024;

    public static IServiceCollection AddEDocuments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EDocumentOptions>().Bind(configuration.GetSection(EDocumentOptions.Section));
        // 60 s: Viettel's integration guide asks callers to allow 60–90 s for an invoice to be made. No cookie store:
        // the default handler's is shared by every call of the client, and Viettel's token travels as a cookie the
        // adapter sets per account, so a cookie one account's login set must never ride on another account's calls.
        services.AddHttpClient(HttpClientName, c =>
        {
            c.Timeout = TimeSpan.FromSeconds(60);
            c.MaxResponseContentBufferSize = MaxAnswerBytes;
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseCookies = false });
        services.AddSingleton<EDocumentStore>();
        services.AddSingleton<IEDocumentProvider, ViettelSInvoiceProvider>();
        services.AddSingleton<IEDocumentProvider, SePayEInvoiceProvider>();
        services.AddSingleton<EDocumentIssuer>();
        services.AddHostedService<EDocumentWorker>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(EDocumentJsonContext.Default));
        return services;
    }
}

/// <summary>Source-generated JSON for the e-document endpoints.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EDocumentSettingsRequest))]
[JsonSerializable(typeof(EDocumentSettingsView))]
[JsonSerializable(typeof(IReadOnlyList<EDocumentView>))]
[JsonSerializable(typeof(EDocumentDayView))]
[JsonSerializable(typeof(ReceiptBuyerRequest))]
internal sealed partial class EDocumentJsonContext : JsonSerializerContext;
