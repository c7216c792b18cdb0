using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Apis;
using KioskPos.Shared.Contracts;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// The body of the bank-notification webhook (the generic format, <c>POST /api/v1/bank/notifications</c>) as the
/// province reads it: the HMAC over it, <see cref="JsonBody.TryReadAsync{T}"/> into a <see cref="BankNotification"/>,
/// <see cref="BankApi.NotificationProblem"/>, and for an accepted one the transfer codes in its description. The
/// signature is checked but does not stop the run (the fuzzer cannot forge it); every refusal is a message.
/// </summary>
internal sealed class BankWebhookTarget : IFuzzTarget
{
    private const string Secret = "fuzz-connection-secret";

    public string Name => "bank-webhook";

    public string Parser => "BankSignature.Verify, JsonBody.TryReadAsync<BankNotification>, BankApi.NotificationProblem, TransferCode.FindIn";

    public void Run(ReadOnlySpan<byte> input)
    {
        var signature = BankSignature.Sign(Secret, 1_767_225_600, input);
        if (!BankSignature.Verify(Secret, 1_767_225_600, input, signature) || BankSignature.Verify(Secret, 1_767_225_601, input, signature))
        {
            throw new FuzzFinding("the HMAC does not verify what it signed, or verifies another timestamp");
        }

        using var body = new MemoryStream(input.ToArray(), writable: false);
        var (notification, error) = JsonBody.TryReadAsync(body, ContractsJsonContext.Default.BankNotification, CancellationToken.None).GetAwaiter().GetResult();
        var problem = BankApi.NotificationProblem(notification, error);
        if (notification is null || problem is not null)
        {
            if (string.IsNullOrEmpty(problem))
            {
                throw new FuzzFinding("a notification refused without a message");
            }

            return;
        }

        _ = TransferCode.FindIn(notification.Description);
    }
}
