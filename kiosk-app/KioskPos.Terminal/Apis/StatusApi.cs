using KioskPos.Firmware.Devices;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using KioskPos.Terminal.Services;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>The terminal's state for programs: <c>/api/v1/status</c> (people read it at <c>/</c>, Screens/StatusPage.cs).</summary>
internal static class StatusApi
{
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Status");
        api.MapGet("/status", GetStatusAsync).WithSummary("The terminal's state: institution, sync queue, devices, printer").Public();
        api.MapGet("/journal/verify", VerifyJournalAsync).WithSummary("Verify the journal's hash chain")
            .RequireStaff(StaffRole.Technician, StaffRole.Supervisor, StaffRole.Cashier);
        return app;
    }

    // Anyone on the terminal's network reads the status: the last card's UID in full only to signed-in staff.
    private static async Task<JsonOk<StatusView>> GetStatusAsync(HttpContext http, CancellationToken ct) =>
        JsonOk.Of(await ReadAsync(http.RequestServices, ct, fullUid: await CounterApi.SignedInAsync(http).ConfigureAwait(false) is not null).ConfigureAwait(false),
            TerminalJsonContext.Readable.StatusView);

    private static async Task<JsonOk<JournalVerification>> VerifyJournalAsync(JournalVerifier verifier, CancellationToken ct) =>
        JsonOk.Of(await verifier.VerifyAsync(ct).ConfigureAwait(false), TerminalJsonContext.Readable.JournalVerification);

    internal static async Task<StatusView> ReadAsync(IServiceProvider services, CancellationToken ct, bool fullUid = false)
    {
        var options = services.GetRequiredService<IOptions<TerminalOptions>>().Value;
        var database = services.GetRequiredService<SqliteDatabase>();
        var catalogue = services.GetRequiredService<CatalogueStore>();
        var presence = services.GetRequiredService<CardPresence>();
        var institution = await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false);
        var (accounts, bills) = await catalogue.CountAsync(ct).ConfigureAwait(false);
        var sync = await services.GetRequiredService<OutboxStore>().GetStatusAsync(ct).ConfigureAwait(false);
        return new StatusView(
            options.Id, institution?.Name, await database.GetSchemaVersionAsync(ct).ConfigureAwait(false), accounts, bills, Views.Sync(sync, services.GetRequiredService<KioskPos.Sync.SyncedClock>(), services.GetRequiredService<KioskPos.Sync.ProvinceTrust>()),
            services.GetRequiredService<ICardReader>().Name, services.GetRequiredService<IReceiptPrinter>().Name,
            presence.Last is { } tap ? Views.Tap(tap, fullUid) : null, presence.Taps, services.GetRequiredService<ProvinceLink>().Online,
            services.GetRequiredService<PrintQueue>().State,
            presence.LastProblem is { } problem ? Views.ReaderProblem(problem.Problem, problem.At) : null,
            Indicators(services));
    }

    internal static IndicatorsView Indicators(IServiceProvider services)
    {
        var gpio = services.GetRequiredService<GpioSetup>();
        var indicators = services.GetRequiredService<TerminalIndicators>();
        var help = services.GetRequiredService<HelpRequests>();
        return new IndicatorsView(gpio.Controller is null ? "none" : gpio.Simulated is null ? "chip" : "simulated",
            Views.Name(indicators.Light), indicators.Beeps, help.LastAt, help.Count);
    }
}
