using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Banking;
using KioskPos.Shared.Contracts;
using Microsoft.AspNetCore.Http;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// A bank-notification body as each provider's adapter reads it (<c>POST /api/v1/bank/{provider}/{connection}</c>):
/// the first byte chooses SePay, payOS, Casso or the generic format, the rest is the body. The headers authenticate
/// the way the fuzzer can (SePay's API key, Casso's secure token, the generic HMAC computed over the input), so the
/// body reaches the parser; payOS signs inside the body, so its input stops at the signature check unless the fuzzer
/// finds one. A refusal must say why; an accepted transfer must be well-formed, and its text is searched for transfer
/// codes.
/// </summary>
internal sealed class BankWebhookTarget : IFuzzTarget
{
    private const string Secret = "fuzz-connection-secret-0123456789";
    private const long Timestamp = 1_767_225_600;

    private static readonly IBankWebhook[] Adapters = [new GenericWebhook(), new SepayWebhook(), new PayosWebhook(), new CassoWebhook()];

    public string Name => "bank-webhook";

    public string Parser => "BankWebhooks.ReadUtf8 into GenericWebhook, SepayWebhook, PayosWebhook, CassoWebhook; BankSignature; TransferCode.FindIn";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var adapter = Adapters[input[0] % Adapters.Length];
        var body = input[1..].ToArray();
        var connection = new BankConnection("fuzz", adapter.Provider, null, "1023456789", Secret, null, null, null);
        IHeaderDictionary headers = new HeaderDictionary();
        switch (adapter)
        {
            case GenericWebhook:
                headers[BankSignature.TimestampHeader] = Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
                headers[BankSignature.SignatureHeader] = BankSignature.Sign(Secret, Timestamp, body);
                if (!BankSignature.Verify(Secret, Timestamp, body, headers[BankSignature.SignatureHeader].ToString()))
                {
                    throw new FuzzFinding("the HMAC does not verify what it signed");
                }

                break;
            case SepayWebhook:
                headers.Authorization = "Apikey " + Secret;
                break;
            case CassoWebhook:
                headers[CassoWebhook.TokenHeader] = Secret;
                break;
        }

        if (adapter.CheckHeaders(headers, connection, DateTimeOffset.FromUnixTimeSeconds(Timestamp)) is { } early)
        {
            throw new FuzzFinding($"{adapter.Provider}: headers that authenticate were refused: {early.Detail}");
        }

        var read = adapter.ReadUtf8(body, headers, connection);
        if (read.Refusal is { } refusal)
        {
            if (string.IsNullOrWhiteSpace(refusal.Detail) || refusal.Status is < 400 or > 499)
            {
                throw new FuzzFinding($"{adapter.Provider}: a refusal without a message or with status {refusal.Status}");
            }

            return;
        }

        foreach (var transfer in read.Transfers)
        {
            if (!transfer.Outgoing && transfer.Problem() is { } problem) // money out is acknowledged and ignored
            {
                throw new FuzzFinding($"{adapter.Provider}: a transfer accepted with a malformed field: {problem}");
            }

            _ = TransferCode.FindIn(transfer.Description);
        }
    }
}
