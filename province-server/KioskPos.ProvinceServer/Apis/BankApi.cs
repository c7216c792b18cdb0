using System.Globalization;
using System.Text;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// The webhook of the bank-notification service: each delivery logged, authenticated by the connection's HMAC
/// over timestamp and body, the timestamp checked, the transfer recorded once per bank transaction id and matched.
/// </summary>
internal static class BankApi
{
    private const int MaxBody = 64 * 1024;

    /// <summary>The most a VietQR amount can be (13 digits, field 54); more is not a real transfer.</summary>
    private const long MaxAmount = 9_999_999_999_999;

    public static IEndpointRouteBuilder MapBankApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(SyncProtocol.BankNotificationsPath, ReceiveNotificationAsync).WithAccess(EndpointAccess.BankSignature).WithTags("Bank").WithSummary("The bank's notification of a transfer (HMAC-signed)")
            .AcceptsJson<BankNotification>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private static async Task<Results<JsonOk<BankNotificationResult>, ProblemResult>> ReceiveNotificationAsync(HttpContext http, BankLedger ledger, IOptions<ProvinceOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("KioskPos.ProvinceServer.Bank");
        var ct = http.RequestAborted;
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct).ConfigureAwait(false);
        var body = buffer.ToArray();
        var text = Encoding.UTF8.GetString(body);
        var connectionId = http.Request.Headers[BankSignature.ConnectionHeader].ToString();

        BankNotification? notification = null;
        var refusal = CheckDelivery(http.Request.Headers, connectionId, body, options.Value, time.GetUtcNow());
        if (refusal is null)
        {
            using var stream = new MemoryStream(body);
            (notification, var error) = await JsonBody.TryReadAsync(stream, ContractsJsonContext.Default.BankNotification, ct).ConfigureAwait(false);
            refusal = NotificationProblem(notification, error) is { } problem ? new Refusal(StatusCodes.Status400BadRequest, "invalid_notification", problem, true) : null;
        }

        if (refusal is not null)
        {
            await ledger.LogDeliveryAsync(connectionId.Length == 0 ? null : connectionId, refusal.Authentic, refusal.Status, $"refused {refusal.Code}", text, ct).ConfigureAwait(false);
            logger.LogWarning("Bank notification refused ({Code}) from connection {Connection}", refusal.Code, connectionId);
            return ProvinceProblems.Problem(refusal.Status, refusal.Code, refusal.Detail, refusal.Key);
        }

        var deliveryId = await ledger.LogDeliveryAsync(connectionId, true, StatusCodes.Status200OK, "received", text, ct).ConfigureAwait(false);
        var result = await ledger.RecordAsync(connectionId, notification!, deliveryId, ct).ConfigureAwait(false);
        logger.LogInformation("Bank transfer {Transaction} of {Amount} VND: {Status} {Outcome} {Payment}",
            notification!.TransactionId, notification.Amount, result.Status, result.Outcome, result.PaymentId);
        return JsonOk.Of(result, ContractsJsonContext.Default.BankNotificationResult);
    }

    // Why a delivery is refused; Authentic when it came with a valid signature (the delivery log keeps the difference).
    private sealed record Refusal(int Status, string Code, string Detail, bool Authentic, string? Key = null);

    // The size, the connection, the timestamp and the HMAC, in that order: a refusal, or null for an authentic delivery.
    private static Refusal? CheckDelivery(IHeaderDictionary headers, string connectionId, byte[] body, ProvinceOptions options, DateTimeOffset now)
    {
        if (body.Length > MaxBody)
        {
            return new(StatusCodes.Status413PayloadTooLarge, "too_large", $"At most {MaxBody} bytes.", false, "too_large.notification");
        }

        var connection = options.BankConnections.FirstOrDefault(c => c.Id == connectionId && c.Secret.Length > 0);
        if (connection is null)
        {
            return new(StatusCodes.Status401Unauthorized, "unknown_connection", $"No connection '{connectionId}' is configured.", false);
        }

        if (!long.TryParse(headers[BankSignature.TimestampHeader].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var timestamp))
        {
            return new(StatusCodes.Status401Unauthorized, "missing_timestamp", $"Send {BankSignature.TimestampHeader} as Unix seconds.", false);
        }

        if (!BankSignature.Verify(connection.Secret, timestamp, body, headers[BankSignature.SignatureHeader].ToString()))
        {
            return new(StatusCodes.Status401Unauthorized, "bad_signature", "The HMAC-SHA256 over timestamp '.' body does not match.", false);
        }

        var skew = now - DateTimeOffset.FromUnixTimeSeconds(timestamp);
        return skew.Duration() > BankSignature.Tolerance
            ? new(StatusCodes.Status401Unauthorized, "stale_timestamp",
                $"The signature is {skew.TotalSeconds:F0} s off the server's clock; at most {BankSignature.Tolerance.TotalSeconds:F0} s.", true)
            : null;
    }

    private static string? NotificationProblem(BankNotification? notification, string? error) => notification switch
    {
        null => error ?? "empty body",
        { TransactionId.Length: 0 or > 100 } => "transactionId must be 1-100 characters",
        { Amount: <= 0 or > MaxAmount } => $"amount must be a whole number of đồng from 1 to {MaxAmount}",
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
