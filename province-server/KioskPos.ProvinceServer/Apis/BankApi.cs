using System.Globalization;
using System.Text;
using KioskPos.Core.Money;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// The webhook of the bank-notification service, authenticated before it is read: the connection, the timestamp and
/// the signature header are checked first, the body is read only up to a small bound, the HMAC is verified over
/// the bytes read, and only then is the delivery logged (body and all) and the transfer recorded once per bank
/// transaction id and matched. A refused delivery is counted in a bounded summary, never stored with its body.
/// </summary>
internal static class BankApi
{
    public static IEndpointRouteBuilder MapBankApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(SyncProtocol.BankNotificationsPath, ReceiveNotificationAsync).WithAccess(EndpointAccess.BankSignature).WithTags("Bank").WithSummary("The bank's notification of a transfer (HMAC-signed)")
            .AcceptsJson<BankNotification>()
            .RequireRateLimiting(IntakeRateLimits.WebhookPolicy)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status429TooManyRequests);
        return app;
    }

    /// <summary>The refused-delivery summary, newest minute first (mapped under the admin API).</summary>
    public static async Task<JsonOk<IReadOnlyList<RefusedDeliveryRow>>> GetRefusalsAsync(RefusedDeliveries refusals, int? limit, CancellationToken ct) =>
        JsonOk.Of(await refusals.ListAsync(limit ?? 100, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListRefusedDeliveryRow);

    private static async Task<Results<JsonOk<BankNotificationResult>, ProblemResult>> ReceiveNotificationAsync(
        HttpContext http, BankLedger ledger, RefusedDeliveries refusals, IOptions<ProvinceOptions> options, IOptions<IntakeOptions> intake, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("KioskPos.ProvinceServer.Bank");
        var ct = http.RequestAborted;
        var connectionId = http.Request.Headers[BankSignature.ConnectionHeader].ToString();
        var max = intake.Value.WebhookMaxBytes;
        BoundedBody.Limit(http, max);

        // Before a byte of the body: who claims to send it, when, with what signature, and how much.
        var (refusal, secret, timestamp) = CheckHeaders(http.Request, connectionId, options.Value, time.GetUtcNow(), max);
        BankNotification? notification = null;
        byte[]? body = null;
        if (refusal is null)
        {
            var read = await BoundedBody.ReadAsync(http.Request, max, ct).ConfigureAwait(false);
            body = read.Bytes;
            refusal = read.TooLarge ? TooLarge(max)
                : !BankSignature.Verify(secret!, timestamp, body, http.Request.Headers[BankSignature.SignatureHeader].ToString())
                    ? new(StatusCodes.Status401Unauthorized, "bad_signature", "The HMAC-SHA256 over timestamp '.' body does not match.")
                    : null;
        }

        if (refusal is null)
        {
            using var stream = new MemoryStream(body!);
            (notification, var error) = await JsonBody.TryReadAsync(stream, ContractsJsonContext.Default.BankNotification, ct).ConfigureAwait(false);
            refusal = NotificationProblem(notification, error) is { } problem ? new Refusal(StatusCodes.Status400BadRequest, "invalid_notification", problem) : null;
        }

        if (refusal is not null)
        {
            refusals.Record(refusal.Reason ?? refusal.Code, connectionId, http.Connection.RemoteIpAddress, http.Request.ContentLength ?? body?.Length);
            logger.LogDebug("Bank notification refused ({Code})", refusal.Code);
            if (body is null)
            {
                BoundedBody.CloseAfterAnswer(http); // the rest of the body is not read
            }

            return ProvinceProblems.Problem(refusal.Status, refusal.Code, refusal.Detail, refusal.Key);
        }

        var deliveryId = await ledger.LogDeliveryAsync(connectionId, Encoding.UTF8.GetString(body!), ct).ConfigureAwait(false);
        var result = await ledger.RecordAsync(connectionId, notification!, deliveryId, ct).ConfigureAwait(false);
        logger.LogInformation("Bank transfer {Transaction} of {Amount} VND: {Status} {Outcome} {Payment}",
            notification!.TransactionId, notification.Amount, result.Status, result.Outcome, result.PaymentId);
        return JsonOk.Of(result, ContractsJsonContext.Default.BankNotificationResult);
    }

    // Why a delivery is refused; Reason, when given, is the summary's finer word for it (unsigned, not bad_signature).
    private sealed record Refusal(int Status, string Code, string Detail, string? Key = null, string? Reason = null);

    private static Refusal TooLarge(int max) =>
        new(StatusCodes.Status413PayloadTooLarge, "too_large", $"At most {max} bytes.", "too_large.notification");

    // The connection, the timestamp, the signature's shape and the declared size, in that order: a refusal, or the
    // connection's secret and the timestamp to verify the body with once it is read.
    private static (Refusal? Refusal, string? Secret, long Timestamp) CheckHeaders(HttpRequest request, string connectionId, ProvinceOptions options, DateTimeOffset now, int max)
    {
        var connection = options.BankConnections.FirstOrDefault(c => c.Id == connectionId && c.Secret.Length > 0);
        if (connection is null)
        {
            return (new(StatusCodes.Status401Unauthorized, "unknown_connection", "No such connection is configured."), null, 0);
        }

        var signature = request.Headers[BankSignature.SignatureHeader].ToString().Trim();
        if (signature.Length != "sha256=".Length + 64 || !signature.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase) || !signature[7..].All(char.IsAsciiHexDigit))
        {
            return (new(StatusCodes.Status401Unauthorized, "bad_signature", $"Send {BankSignature.SignatureHeader} as sha256= and 64 hex digits.", Reason: "unsigned"), null, 0);
        }

        if (!long.TryParse(request.Headers[BankSignature.TimestampHeader].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var timestamp))
        {
            return (new(StatusCodes.Status401Unauthorized, "missing_timestamp", $"Send {BankSignature.TimestampHeader} as Unix seconds."), null, 0);
        }

        // A timestamp out of range is stale too (and must not throw).
        var skew = timestamp is > -62_135_596_800 and < 253_402_300_800 ? now - DateTimeOffset.FromUnixTimeSeconds(timestamp) : TimeSpan.MaxValue;
        if (skew.Duration() > BankSignature.Tolerance)
        {
            return (new(StatusCodes.Status401Unauthorized, "stale_timestamp",
                $"The signature is {(skew == TimeSpan.MaxValue ? "far" : $"{skew.TotalSeconds:F0} s")} off the server's clock; at most {BankSignature.Tolerance.TotalSeconds:F0} s."), null, 0);
        }

        return request.ContentLength > max ? (TooLarge(max), null, 0) : (null, connection.Secret, timestamp);
    }

    internal static string? NotificationProblem(BankNotification? notification, string? error) => notification switch
    {
        null => error ?? "empty body",
        { TransactionId.Length: 0 or > 100 } => "transactionId must be 1-100 characters",
        { Amount: <= 0 or > Vnd.MaxAmount } => $"amount must be a whole number of đồng from 1 to {Vnd.MaxAmount}",
        { AccountNumber.Length: 0 or > 19 } => "accountNumber must be 1-19 characters",
        { Description: null } => "description is required (it may be empty)",
        { Description.Length: > 500 } => "description is longer than 500 characters",
        _ => null,
    };

    /// <summary>Checks a receiving account before it goes into every QR of an institution.</summary>
    public static string? ValidateAccount(ReceivingAccountRequest request)
    {
        try
        {
            VietQrBuilder.Build(new VietQrPayload(false, request.BankBin, request.AccountNumber, MerchantName: request.AccountName));
            return null;
        }
        catch (VietQrFormatException e)
        {
            return e.Error.ToString();
        }
    }
}
