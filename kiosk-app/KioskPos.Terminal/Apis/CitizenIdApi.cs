using KioskPos.Core.Identity;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// The patient by the chip citizen-ID card (CCCD): <c>GET /api/v1/payers/by-citizen-id/{number}</c> for the screens,
/// and the scanner's text (a 2D scanner reading the card's QR as a keyboard wedge; <c>POST /dev/scans</c> in
/// simulation). The number is hashed under the province's key and looked up by the hash; nothing from the card is
/// written anywhere, and the number is never logged. A scan reaches the screens as a reference
/// (<see cref="CitizenIdScans"/>), which the same endpoint takes in place of the number; a typed number, with no one
/// signed in, is rate-limited (<see cref="PayerLookupLimits"/>).
/// </summary>
internal static class CitizenIdApi
{
    /// <summary>The largest scan body taken (a CCCD QR is a few hundred bytes).</summary>
    public const int MaxScanBytes = 4096;

    public static IEndpointRouteBuilder MapCitizenIdApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/payers/by-citizen-id/{number}", GetPayerByCitizenIdAsync).WithTags("Payments").WithSummary("A patient and their open bills, by citizen-ID (CCCD) number (rate-limited per source when no one is signed in) or a scan's reference (scan-…)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable).Public().LimitsTypedLookups("number");
        return app;
    }

    private static async Task<Results<JsonOk<PayerView>, ProblemResult>> GetPayerByCitizenIdAsync(string number, HttpContext http, CatalogueStore catalogue, PaymentService payments, CitizenIdScans scans, CancellationToken ct)
    {
        // The screens look the patient up by the scan's reference (they are never told the number).
        if (CitizenIdScans.IsReference(number))
        {
            if (scans.Resolve(number) is not { } scanned)
            {
                return ApiProblems.Relay(StatusCodes.Status404NotFound, "scan_not_current", Messages.Vi("imports.cccd.scan_gone"), Messages.En("imports.cccd.scan_gone"));
            }

            number = scanned;
        }

        if (!CitizenIdNumber.IsValid(number))
        {
            return ApiProblems.Relay(StatusCodes.Status400BadRequest, "invalid_request", Messages.Vi("imports.cccd.bad_number"), "number: a citizen-ID number is 12 digits.");
        }

        return await FindAsync(number, http, catalogue, payments, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A scanner's text: the card's number read from the QR and the patient found, or a refusal in plain words (a QR
    /// that is not a CCCD's, no such patient). The screens hear of the scan as of one from the scanner itself.
    /// </summary>
    public static async Task<Results<JsonOk<PayerView>, ProblemResult>> ScanCitizenIdAsync(HttpContext http, CatalogueStore catalogue, PaymentService payments, CitizenIdScans scans)
    {
        // Read at most MaxScanBytes + 1: a body larger than any card's QR is refused without being buffered whole.
        var buffer = new byte[MaxScanBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await http.Request.Body.ReadAsync(buffer.AsMemory(read), http.RequestAborted).ConfigureAwait(false)) > 0)
        {
            read += n;
        }

        if (read > MaxScanBytes)
        {
            return ApiProblems.Relay(StatusCodes.Status413PayloadTooLarge, "too_large", Messages.Vi("imports.cccd.not_a_cccd"), $"text: a scan is at most {MaxScanBytes} bytes.");
        }

        using var body = new MemoryStream(buffer, 0, read, writable: false);
        var (request, error) = await JsonBody.TryReadAsync(body, TerminalJsonContext.Default.SimulatedScanRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Relay(StatusCodes.Status400BadRequest, "malformed_json", Messages.Vi("imports.cccd.not_a_cccd"), error);
        }

        if (request.Text is not { } text)
        {
            return ApiProblems.Relay(StatusCodes.Status400BadRequest, "invalid_request", Messages.Vi("imports.cccd.not_a_cccd"), "text: the scanned text is required ({\"text\": \"…\"}).");
        }

        scans.Take(text, out var number, out var problem);
        if (number is null)
        {
            var key = CitizenIdQr.MessageKey(problem);
            return ApiProblems.Relay(StatusCodes.Status422UnprocessableEntity, "not_a_citizen_id_qr", Messages.Vi(key), Messages.En(key));
        }

        return await FindAsync(number, http, catalogue, payments, http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<Results<JsonOk<PayerView>, ProblemResult>> FindAsync(string number, HttpContext http, CatalogueStore catalogue, PaymentService payments, CancellationToken ct)
    {
        var (hasKey, account) = await catalogue.FindByCitizenIdAsync(number, ct).ConfigureAwait(false);
        if (!hasKey)
        {
            return ApiProblems.Relay(StatusCodes.Status503ServiceUnavailable, "citizen_id_key_missing", Messages.Vi("imports.cccd.no_key"), Messages.En("imports.cccd.no_key"));
        }

        return account is null
            ? ApiProblems.Relay(StatusCodes.Status404NotFound, "payer_not_found", Messages.Vi("imports.cccd.not_found"), Messages.En("imports.cccd.not_found"))
            : await PaymentApi.PayerAsync(http, account, catalogue, payments, ct).ConfigureAwait(false);
    }
}
