using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Apis;
using KioskPos.ProvinceServer.Banking;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.EInvoices;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer;

/// <summary>Builds the province server: configuration, services, endpoints. Used by <c>Program</c> and by the tests.</summary>
public static class ProvinceApp
{
    /// <summary>The address the server listens on unless told otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Builds the application from command-line <paramref name="args"/> (configuration keys as <c>--Province:AdminToken=...</c>).</summary>
    public static WebApplication Build(string[] args) => Build(args, null);

    /// <summary>Builds the application; <paramref name="configure"/> adds to the builder first (tests: a log file).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 16 * 1024 * 1024);
        builder.Services.AddProvinceServer(builder.Configuration);
        var app = builder.Build();
        app.UseExceptionHandler(errors => errors.Run(WriteUnhandledErrorAsync));
        app.UseApiErrorAnswers("/api", (http, status, code, detail) => ProvinceProblems.Problem(status, code, detail, ApiErrorAnswers.TitleKey(status)).ExecuteAsync(http));
        app.UseProvinceAssets();
        // The per-source limits first, so that a sign-in the cross-origin check refuses still counts against the sign-in
        // limit: a page of another site cannot make browsers post /login unseen by it. The limiter reads only the address.
        app.UseRateLimiter();
        // A session's changes, and signing in or out, only from the province's own pages (before the session or body is read).
        var publicUrl = app.Services.GetRequiredService<IOptions<ProvinceOptions>>().Value.PublicUrl;
        app.UseCrossOriginRequestCheck(Apis.ProvinceSessions.Cookie, (http, status, code, detail) => ProvinceProblems.Problem(status, code, detail).ExecuteAsync(http),
            publicUrl is null ? null : new Uri(publicUrl));
        app.UseProvinceAccess();
        app.MapHealthChecks("/health").ExcludeFromDescription().Public();
        app.MapOpenApi().Public();
        app.MapSyncApi();
        app.MapAdminApi();
        app.MapFleetApi();
        app.MapBankApi();
        if (app.Services.GetRequiredService<IOptions<ProvinceOptions>>().Value.BankSimulator)
        {
            app.MapBankSimulator();
        }

        app.MapSignIn();
        app.MapProvincePages();
        app.MapReconciliation();
        app.MapHomePage();
        app.MapReportApi();
        app.MapReceiptLookupPage();
        app.MapPayLinkPage();
        app.MapStatementPage();
        app.MapEDocuments();
        app.MapImportsPage();
        return app;
    }

    /// <summary>Registers the province server's services.</summary>
    public static IServiceCollection AddProvinceServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProvinceOptions>().Bind(configuration.GetSection(ProvinceOptions.Section))
            .Validate(o => o.PublicUrl is null || WebAddress.IsValid(o.PublicUrl), "Province:PublicUrl must be an absolute http(s) address without credentials, query or fragment, e.g. https://thanhtoan.dongthap.gov.vn/")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => ProvinceDatabase.Create(sp.GetRequiredService<IOptions<ProvinceOptions>>().Value));
        services.AddSingleton<TerminalSync>();
        services.AddSingleton<CardAuthorisation>();
        services.AddSingleton<DenyList>();
        services.AddSingleton<HardwareProfiles>();
        services.AddSingleton<OfflinePolicies>();
        services.AddSingleton<ProvinceUsers>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<Alerts>();
        services.AddSignInRateLimits();
        services.AddSingleton<Reconciliation>();
        services.AddSingleton<Apis.ProvinceSessions>();
        services.AddSingleton<TerminalRegistry>();
        services.AddSingleton<RequestNonces>();
        services.AddProvinceResponseSigning();
        services.AddSingleton<AdminQueries>();
        services.AddSingleton<FleetUpdates>();
        services.AddSingleton<PayerData>();
        services.AddSingleton<PlanReport>();
        services.AddSingleton<Geography.Plans>();
        services.AddSingleton<Geography.Places>();
        services.AddSingleton<BillImport>();
        services.AddSingleton<ConfirmationSignal>();
        services.AddSingleton<BankLedger>();
        services.AddBanking(configuration);
        services.AddIntake(configuration);
        services.AddHttpClient("bank-sim", c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddHostedService<DatabaseInitializer>();
        services.AddHostedService<RequestNonceWriter>();
        services.AddEDocuments(configuration);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, ProvinceJsonContext.Default);

            // Numbers only as JSON numbers, as the contexts read them (and as the OpenAPI document then says).
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        services.AddOpenApi(o => o.AddOperationTransformer(OperationIds.NameAfterHandler));
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }

    /// <summary>Ready only while the database opens and its schema is current.</summary>
    private sealed class DatabaseHealthCheck(ProvinceDatabase database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await database.IsReadyAsync(cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("database not open or not migrated");
    }

    private static async Task WriteUnhandledErrorAsync(HttpContext http)
    {
        var error = http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
        var (status, code) = error switch
        {
            System.Data.Common.DbException e when e.IsDiskFull() => (StatusCodes.Status507InsufficientStorage, "disk_full"),
            BadHttpRequestException e => (e.StatusCode, "bad_request"),
            _ => (StatusCodes.Status500InternalServerError, "internal_error"),
        };
        await ProvinceProblems.Problem(status, code, null).ExecuteAsync(http).ConfigureAwait(false);
    }
}
