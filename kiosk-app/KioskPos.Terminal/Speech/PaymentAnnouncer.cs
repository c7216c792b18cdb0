using KioskPos.Core.Domain;
using KioskPos.Shared.Contracts;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Speech;

/// <summary>
/// The "loa thông báo" of a Vietnamese counter: when the bank confirms money for a VietQR payment this terminal
/// offered, the terminal says "Đã nhận &lt;amount in words&gt;" through its speaker, offline. Never for a card payment
/// (no bank involved, and the payer stands at the screen) and never for a payment another terminal took (a
/// confirmation naming one is not this terminal's to announce). On or off and how loud: the hardware profile
/// (<c>Announce</c>, <c>SpeakerVolume</c>).
/// </summary>
public sealed class PaymentAnnouncer(SpeechEngine speech, IOptions<TerminalOptions> terminal, IOptions<HardwareOptions> hardware, ILogger<PaymentAnnouncer> logger)
{
    /// <summary>Announces the money <paramref name="confirmation"/> reports for <paramref name="payment"/>, if it is this terminal's VietQR payment; returns what was spoken, or null.</summary>
    public async Task<SpokenText?> AnnounceAsync(Payment payment, ConfirmationDto confirmation, CancellationToken cancellationToken)
    {
        var h = hardware.Value;
        if (!h.Announce || h.SpeakerVolume <= 0 || payment.Method != PaymentMethod.VietQr
            || !string.Equals(payment.TerminalId, terminal.Value.Id, StringComparison.Ordinal) || confirmation.PaymentId != payment.Id || confirmation.Amount <= 0)
        {
            return null;
        }

        try
        {
            return await speech.SpeakAsync("announcement", SpeechTexts.Announcement(confirmation.Amount), h.SpeakerVolume, cancellationToken).ConfigureAwait(false);
        }
        catch (SpeechUnavailableException e)
        {
            // The payment is recorded whatever the speaker does.
            logger.LogWarning("Payment {Payment} not announced: {Reason}", payment.Id, e.Message);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nor whatever else the speech fails with (its cache folder unwritable, a cached sound cut short by a power
            // cut): the confirmation is applied and its screen shown all the same; the listener that called this must
            // not take a speech failure for the province's connection failing, nor stop over it.
            logger.LogError(e, "Payment {Payment} not announced: the speech failed", payment.Id);
            return null;
        }
    }
}
