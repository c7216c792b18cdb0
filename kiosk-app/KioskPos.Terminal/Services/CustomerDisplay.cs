using System.Threading.Channels;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.VietQr;
using Microsoft.Extensions.Options;
using KioskPos.Core.Text;

namespace KioskPos.Terminal.Services;

/// <summary>What the customer display shows; sent to the page as one server-sent event per change.</summary>
/// <param name="State"><c>idle</c>, <c>awaiting</c>, <c>confirmed</c>, <c>underpaid</c>, <c>expired</c> or <c>cancelled</c>.</param>
/// <param name="Version">Increases with every change, so a page can ignore a stale one.</param>
/// <param name="Institution">The institution's name (the welcome).</param>
/// <param name="PaymentId">The payment shown, if any.</param>
/// <param name="Amount">What to transfer (or what was received), formatted.</param>
/// <param name="AmountValue">The same in đồng.</param>
/// <param name="BankName">The receiving bank.</param>
/// <param name="AccountName">The receiving account's holder.</param>
/// <param name="AccountNumber">The receiving account.</param>
/// <param name="TransferCode">The transfer text to type if the payer cannot scan.</param>
/// <param name="ExpiresAt">When the QR expires (for the countdown).</param>
/// <param name="QrPayload">The payload the QR encodes.</param>
/// <param name="QrSvg">The QR as SVG.</param>
/// <param name="Received">Received so far, formatted (underpaid, confirmed).</param>
/// <param name="Remaining">Still due, formatted (underpaid).</param>
/// <param name="Message">One line for people, Vietnamese.</param>
/// <param name="MessageEnglish">The same in English.</param>
public sealed record DisplayScreen(
    string State,
    long Version,
    string? Institution,
    string? PaymentId = null,
    string? Amount = null,
    long? AmountValue = null,
    string? BankName = null,
    string? AccountName = null,
    string? AccountNumber = null,
    string? TransferCode = null,
    DateTimeOffset? ExpiresAt = null,
    string? QrPayload = null,
    string? QrSvg = null,
    string? Received = null,
    string? Remaining = null,
    string? Message = null,
    string? MessageEnglish = null);

/// <summary>
/// The customer display's state: the payment's QR while the terminal waits for the bank, then the outcome for a
/// while, then the welcome. Every change goes to every open page at once (server-sent events). Anyone may open the
/// display, so a screen holds what the payer sees and nothing that opens the payment (no view token): the kiosk
/// follows the QR for the rest of an underpaid payment through the payment it took (<c>rest</c> in its view).
/// </summary>
public sealed class CustomerDisplay(TimeProvider time, IOptions<TerminalOptions> options)
{
    private readonly Lock _gate = new();
    private readonly List<Channel<DisplayScreen>> _subscribers = [];
    private DisplayScreen _current = new("idle", 0, null);
    private CancellationTokenSource? _hold;
    private string? _institution;

    /// <summary>What is shown now.</summary>
    public DisplayScreen Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Follows the display: the current screen first, then every change, until <paramref name="cancellationToken"/>.</summary>
    public async IAsyncEnumerable<DisplayScreen> FollowAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<DisplayScreen>(new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
            channel.Writer.TryWrite(_current);
        }

        try
        {
            await foreach (var screen in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return screen;
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
        }
    }

    /// <summary>The institution's name for the welcome screen.</summary>
    public void SetInstitution(string? name)
    {
        lock (_gate)
        {
            _institution = name;
            if (_current.State == "idle" && _current.Institution != name)
            {
                Publish(_current with { Institution = name });
            }
        }
    }

    /// <summary>
    /// Shows the QR of a VietQR payment waiting for the bank (the payment service's, <paramref name="providerQr"/>, in place of the
    /// terminal's own when given); for the rest of an <paramref name="underpaid"/> one, what arrived and what is missing too.
    /// </summary>
    public void ShowQr(Payment payment, ReceivingAccount account, string? message = null, string? messageEnglish = null, Payment? underpaid = null, ProviderQr? providerQr = null)
    {
        var qr = payment.Qr ?? throw new ArgumentException("not a VietQR payment", nameof(payment));
        var payload = providerQr?.Payload ?? qr.Payload;
        if (!QrAccountGuard.IsRegistered(qr.Payload, account) || !QrAccountGuard.IsRegistered(payload, account))
        {
            // Never a QR for an account the province did not sign for this institution.
            Show(new DisplayScreen("refused", 0, null, payment.Id, Message: Messages.Vi("terminal.service.display.qr_refused"), MessageEnglish: Messages.En("terminal.service.display.qr_refused")), hold: true);
            return;
        }

        var due = payment.Method == PaymentMethod.VietQr ? payment.Amount - payment.Received : payment.Amount;
        Show(new DisplayScreen("awaiting", 0, null, payment.Id, due.ToString(), due.Value, account.BankName ?? account.BankBin, account.AccountName, account.AccountNumber,
            qr.TransferCode, qr.ExpiresAt, payload, QrImages.Svg(payload),
            Received: underpaid?.Received.ToString(), Remaining: underpaid?.Remaining.ToString(),
            Message: message ?? Messages.Vi("terminal.service.display.scan"), MessageEnglish: messageEnglish ?? Messages.En("terminal.service.display.scan")), hold: false);
    }

    /// <summary>Shows the outcome of a payment; after a while the welcome returns.</summary>
    public void ShowOutcome(Payment payment, string state, string message, string messageEnglish)
    {
        lock (_gate)
        {
            // An outcome for a payment not on screen (another one took its place) does not interrupt.
            if (_current.PaymentId is { } shown && shown != payment.Id && _current.State == "awaiting")
            {
                return;
            }
        }

        Show(new DisplayScreen(state, 0, null, payment.Id, payment.Amount.ToString(), payment.Amount.Value, Received: payment.Received.ToString(),
            Remaining: payment.Remaining.IsPositive ? payment.Remaining.ToString() : null, Message: message, MessageEnglish: messageEnglish), hold: true);
    }

    /// <summary>Returns to the welcome.</summary>
    public void Idle() => Show(new DisplayScreen("idle", 0, null), hold: false);

    private void Show(DisplayScreen screen, bool hold)
    {
        CancellationTokenSource? previous;
        CancellationTokenSource? next = hold ? new CancellationTokenSource() : null;
        lock (_gate)
        {
            previous = _hold;
            _hold = next;
            Publish(screen with { Institution = _institution });
        }

        previous?.Cancel();
        previous?.Dispose();
        if (next is not null)
        {
            _ = ReturnToIdleAsync(next.Token);
        }
    }

    private async Task ReturnToIdleAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(options.Value.DisplayHold, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_gate)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            Publish(new DisplayScreen("idle", 0, _institution));
        }
    }

    private void Publish(DisplayScreen screen)
    {
        _current = screen with { Version = _current.Version + 1 };
        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryWrite(_current);
        }
    }
}
