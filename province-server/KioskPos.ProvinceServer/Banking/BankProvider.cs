using System.Globalization;
using System.Text.Json;
using KioskPos.Core.Money;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>The services a province contracts to watch its account, as the webhook path names them.</summary>
internal static class BankProviders
{
    public const string Sepay = "sepay";
    public const string Payos = "payos";
    public const string Casso = "casso";
    public const string Generic = "generic";

    public static readonly IReadOnlyList<string> All = [Sepay, Payos, Casso, Generic];

    /// <summary>Vietnam's offset: the services write times without one, in local time.</summary>
    public static readonly TimeSpan VietnamOffset = TimeSpan.FromHours(7);

    /// <summary>A whole number the provider wrote as a JSON number under <paramref name="name"/>; false for a string, a fraction or none.</summary>
    public static bool TryGetWhole(System.Text.Json.JsonElement parent, string name, out long value)
    {
        value = 0;
        return parent.TryGetProperty(name, out var element) && element.ValueKind == System.Text.Json.JsonValueKind.Number && element.TryGetInt64(out value);
    }

    /// <summary>The first year a booking time may fall in: no Vietnamese bank transfer the services report is older.</summary>
    public const int FirstYear = 2000;

    /// <summary>The last year a booking time may fall in.</summary>
    public const int LastYear = 2099;

    /// <summary>
    /// Reads <c>yyyy-MM-dd HH:mm:ss</c> (Vietnam time) or an ISO time with its offset; null when neither, or when the
    /// year is outside <see cref="FirstYear"/>-<see cref="LastYear"/>: a time before 07:00 on 0001-01-01 in Vietnam is
    /// before <see cref="DateTimeOffset.MinValue"/> in UTC, and building it threw (an authentic SePay delivery got a
    /// 500 and was retried until SePay gave up); a year no bank books in is a broken field, refused by name.
    /// </summary>
    public static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTime.TryParseExact(text.Trim(), ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return local.Year is >= FirstYear and <= LastYear ? new DateTimeOffset(local, VietnamOffset) : null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at.Year is >= FirstYear and <= LastYear ? at : null;
    }

    /// <summary>What a refusal says of a booking time that <see cref="ParseTime"/> did not take.</summary>
    public static string TimeProblem(string field) => $"{field} must be a time from {FirstYear} to {LastYear}, as yyyy-MM-dd HH:mm:ss";
}

/// <summary>
/// One transaction as a provider reported it, in the shape the one matching engine takes: the provider's own
/// transaction id (what de-duplicates it), the receiving account, the amount in đồng, the text the payer wrote (where
/// the transfer code is found), when the bank booked it, and whether money went out (never matched). payOS names the
/// payment request it paid (<paramref name="OrderCode"/>): the province's own request carries its payment's code.
/// <paramref name="SubAccount"/> is the virtual account the provider names beside the bank's main account (SePay's
/// <c>subAccount</c>, Casso's <c>virtualAccountNumber</c>): an official VA the payer transferred to, or SePay's memo
/// VA ("TKP"), a code in the text of a transfer to the main account; <see cref="ReceivingAccounts"/> decides which of
/// the two is the receiving account. <paramref name="Test"/> marks a provider's documented test delivery: acknowledged,
/// never recorded as money.
/// </summary>
internal sealed record IncomingTransfer(string TransactionId, string AccountNumber, long Amount, string Description, DateTimeOffset BookedAt, bool Outgoing, string? BankBin = null,
    long? OrderCode = null, string? SubAccount = null, bool Test = false)
{
    /// <summary>Why this transfer cannot be recorded (a malformed field), or null.</summary>
    public string? Problem() => this switch
    {
        { TransactionId.Length: 0 or > 100 } => "transaction id must be 1-100 characters",
        { Amount: <= 0 or > Vnd.MaxAmount } => $"amount must be a whole number of đồng from 1 to {Vnd.MaxAmount}",
        { AccountNumber.Length: > 19 } => "accountNumber must be at most 19 characters",
        { Description.Length: > 500 } => "description is longer than 500 characters",
        _ => null,
    };
}

/// <summary>Why a delivery is refused; <paramref name="Reason"/>, when given, is the refusal summary's finer word for it.</summary>
internal sealed record BankRefusal(int Status, string Code, string Detail, string? Key = null, string? Reason = null)
{
    public static BankRefusal BadSignature(string detail, string? reason = null) => new(StatusCodes.Status401Unauthorized, "bad_signature", detail, Reason: reason);

    public static BankRefusal Invalid(string detail) => new(StatusCodes.Status400BadRequest, "invalid_notification", detail);

    public static BankRefusal Stale(TimeSpan skew, TimeSpan tolerance) => new(StatusCodes.Status401Unauthorized, "stale_timestamp",
        $"The signature is {(skew == TimeSpan.MaxValue ? "far" : $"{skew.TotalSeconds:F0} s")} off the server's clock; at most {tolerance.TotalSeconds:F0} s.");

    /// <summary>The skew of a Unix time (seconds or milliseconds) from <paramref name="now"/>; <see cref="TimeSpan.MaxValue"/> when out of range.</summary>
    public static TimeSpan Skew(long unix, bool milliseconds, DateTimeOffset now)
    {
        var seconds = milliseconds ? unix / 1000 : unix;
        return seconds is > -62_135_596_800 and < 253_402_300_800 ? (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() : TimeSpan.MaxValue;
    }
}

/// <summary>What a provider's adapter made of a delivery: a refusal, or the transactions it holds (possibly none: a test ping, a failed payment).</summary>
internal sealed record ProviderRead(BankRefusal? Refusal, IReadOnlyList<IncomingTransfer> Transfers)
{
    public static ProviderRead Refused(BankRefusal refusal) => new(refusal, []);

    public static ProviderRead Of(params IncomingTransfer[] transfers) => new(null, transfers);
}

/// <summary>What became of one transfer of a delivery.</summary>
internal sealed record TransferResult(string TransactionId, string Status, string Outcome, string? PaymentId);

/// <summary>
/// One provider's webhook: checked from its headers before a byte of the body is read where the provider signs in
/// headers (SePay's API key or HMAC, Casso's signature or secure token, the generic HMAC); payOS signs inside the body,
/// so its body is read (bounded) and verified before anything is stored.
/// </summary>
internal interface IBankWebhook
{
    string Provider { get; }

    /// <summary>A refusal from the headers alone, or null to read the body.</summary>
    BankRefusal? CheckHeaders(IHeaderDictionary headers, BankConnection connection, DateTimeOffset now);

    /// <summary>Verifies the body (where the provider signs it) and reads its transactions.</summary>
    ProviderRead Read(byte[] body, IHeaderDictionary headers, BankConnection connection);

    /// <summary>The answer that tells the provider to stop retrying.</summary>
    IResult Answer(IReadOnlyList<TransferResult> results);
}

/// <summary>What every provider's body must be before its adapter reads it.</summary>
internal static class BankWebhooks
{
    /// <summary>
    /// Refuses a body that is not UTF-8 (400) before <see cref="IBankWebhook.Read"/>: the adapters read names and
    /// values as text, and a JSON document with a broken byte inside a string only fails when that string is read.
    /// </summary>
    public static ProviderRead ReadUtf8(this IBankWebhook webhook, byte[] body, IHeaderDictionary headers, BankConnection connection) =>
        System.Text.Unicode.Utf8.IsValid(body)
            ? webhook.Read(body, headers, connection)
            : ProviderRead.Refused(BankRefusal.Invalid("the body is not UTF-8 text"));

    /// <summary>
    /// The path (<c>data.description</c>, <c>data[2].id</c>) of the first name or string in <paramref name="element"/>
    /// that is no text: an escape of half a surrogate pair (<c>"\ud800"</c>) is valid JSON in pure ASCII, so it passes
    /// <see cref="ReadUtf8"/>, and <see cref="JsonElement.GetString"/> throws on it (a 500, before any signature was
    /// checked). Null when every string reads.
    /// </summary>
    public static string? Unreadable(JsonElement element, string path = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!Reads(() => property.Name))
                    {
                        return Join(path, "(a name)");
                    }

                    if (Unreadable(property.Value, Join(path, property.Name)) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Unreadable(item, $"{(path.Length == 0 ? "body" : path)}[{index++}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.String:
                return Reads(element.GetString) ? null : path.Length == 0 ? "body" : path;
            default:
                return null;
        }

        static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

        // The one way System.Text.Json tells of an unpaired surrogate in a string is this exception.
        static bool Reads(Func<string?> read)
        {
            try
            {
                read();
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>What a refusal says of <see cref="Unreadable"/>'s field.</summary>
    public static string UnreadableProblem(string field) => $"{field} holds an escape of half a surrogate pair (such as \\ud800), which is no text";
}
