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
            return ProviderRead.Refused(BankRefusal.Invalid(JsonBody.Describe(e, ContractsJsonContext.Default.BankNotification)));
        }

        if (notification is null)
        {
            return ProviderRead.Refused(BankRefusal.Invalid("empty body"));
        }

        if (notification.Description is null)
        {
            return ProviderRead.Refused(BankRefusal.Invalid("description is required (it may be empty)"));
        }

        // The receiving account as a receiving account or a connection may be set (and a VietQR carries it): 1 to 19
        // letters or digits. Banks' account numbers are digits, but virtual accounts and card numbers in a VietQR may
        // hold letters, and refusing those would lose real money; '/', '.', spaces and the like are no account at all.
        if (notification.AccountNumber is not { Length: > 0 and <= 19 } account || !account.All(char.IsAsciiLetterOrDigit))
        {
            return ProviderRead.Refused(BankRefusal.Invalid("accountNumber: the receiving account, 1 to 19 letters or digits"));
        }

        // The BIN is optional; an empty one is taken as not said, anything else is NAPAS's 6 digits.
        var bin = notification.BankBin is { Length: > 0 } given ? given : null;
        if (bin is not null && !(bin.Length == 6 && bin.All(char.IsAsciiDigit)))
        {
            return ProviderRead.Refused(BankRefusal.Invalid("bankBin: the receiving bank's BIN, 6 digits (e.g. 970436), or left out"));
        }

        var transfer = new IncomingTransfer(notification.TransactionId ?? string.Empty, account, notification.Amount, notification.Description,
            notification.TransactionTime, Outgoing: false, bin);
        return transfer.Problem() is { } problem ? ProviderRead.Refused(BankRefusal.Invalid(problem)) : ProviderRead.Of(transfer);
    }

    public IResult Answer(IReadOnlyList<TransferResult> results)
    {
        var first = results[0];
        return Results.Json(new BankNotificationResult(first.Status, first.Outcome, first.PaymentId), ContractsJsonContext.Default.BankNotificationResult);
    }
}
