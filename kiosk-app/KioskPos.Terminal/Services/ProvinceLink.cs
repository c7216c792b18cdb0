using KioskPos.Sync;

namespace KioskPos.Terminal.Services;

/// <summary>Whether the terminal hears from the province server (the confirmations long poll is connected).</summary>
public sealed class ProvinceLink
{
    private volatile bool _online;

    /// <summary>True while confirmations can arrive.</summary>
    public bool Online
    {
        get => _online;
        set => _online = value;
    }
}

/// <summary>Wakes the QR expiry watcher when a QR is offered or ends.</summary>
public sealed class QrExpirySignal : WakeSignal;
