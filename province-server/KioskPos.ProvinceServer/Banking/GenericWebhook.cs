using System.Globalization;
using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// The format this project defined before the providers' own (<see cref="BankSignature"/>): HMAC-SHA256 over
/// <c>timestamp + "." + body</c> in <c>X-Bank-Signature</c>, the Unix seconds in <c>X-Bank-Timestamp</c>, a
/// <see cref="BankNotification"/> body. Kept for a bank or gateway that signs this way; answered with the outcome.
/// </summary>
internal sealed class GenericWebhook : IBankWebhook
{
    public string Provider => BankProviders.Generic;

    public BankRefusal? CheckHeaders(IHeaderDictionary headers, BankConnection connection, DateTimeOffset now)
    {
        var signature = headers[BankSignature.SignatureHeader].ToString().Trim();
        if (signature.Length != "sha256=".Length + 64 || !signature.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase) || !signature[7..].All(char.IsAsciiHexDigit))
        {
            return BankRefusal.BadSignature($"Send {BankSignature.SignatureHeader} as sha256= and 64 hex digits.", "unsigned");
        }

        if (!long.TryParse(headers[BankSignature.TimestampHeader].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var timestamp))
        {
            return new BankRefusal(StatusCodes.Status401Unauthorized, "missing_timestamp", $"Send {BankSignature.TimestampHeader} as Unix seconds.");
        }

        var skew = BankRefusal.Skew(timestamp, false, now);
        return skew > BankSignature.Tolerance ? BankRefusal.Stale(skew, BankSignature.Tolerance) : null;
    }

    public ProviderRead Read(byte[] body, IHeaderDictionary headers, BankConnection connection)
    {
        var timestamp = long.Parse(headers[BankSignature.TimestampHeader].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (!BankSignature.Verify(connection.Secret, timestamp, body, headers[BankSignature.SignatureHeader].ToString()))
        {
            return ProviderRead.Refused(BankRefusal.BadSignature("The HMAC-SHA256 over timestamp '.' body does not match."));
        }

        BankNotification? notification;
        try
        {
            notification = JsonSerializer.Deserialize(body, ContractsJsonContext.Default.BankNotification);
        }
        catch (JsonException e)
        {
            return ProviderRead.Refused(BankRefusal.Invalid(e.Message));
        }

        if (notification is null)
        {
            return ProviderRead.Refused(BankRefusal.Invalid("empty body"));
        }

        if (notification.Description is null)
        {
            return ProviderRead.Refused(BankRefusal.Invalid("description is required (it may be empty)"));
        }

        if (notification.AccountNumber is null or { Length: 0 })
        {
            return ProviderRead.Refused(BankRefusal.Invalid("accountNumber must be 1-19 characters"));
        }

        var transfer = new IncomingTransfer(notification.TransactionId ?? string.Empty, notification.AccountNumber, notification.Amount, notification.Description,
            notification.TransactionTime, Outgoing: false, notification.BankBin);
        return transfer.Problem() is { } problem ? ProviderRead.Refused(BankRefusal.Invalid(problem)) : ProviderRead.Of(transfer);
    }

    public IResult Answer(IReadOnlyList<TransferResult> results)
    {
        var first = results[0];
        return Results.Json(new BankNotificationResult(first.Status, first.Outcome, first.PaymentId), ContractsJsonContext.Default.BankNotificationResult);
    }
}
