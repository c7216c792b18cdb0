using KioskPos.Storage;
using KioskPos.Terminal.Services;

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
    private static async Task<JsonOk<StatusView>> GetStatusAsync(HttpContext http, TerminalStatus status, CancellationToken ct) =>
        JsonOk.Of(await status.ReadAsync(fullUid: await CounterApi.SignedInAsync(http).ConfigureAwait(false) is not null, ct).ConfigureAwait(false),
            TerminalJsonContext.Readable.StatusView);

    private static async Task<JsonOk<JournalVerification>> VerifyJournalAsync(JournalVerifier verifier, CancellationToken ct) =>
        JsonOk.Of(await verifier.VerifyAsync(ct).ConfigureAwait(false), TerminalJsonContext.Readable.JournalVerification);
}
