using System.Device.Gpio;

namespace KioskPos.Firmware.Indicators;

/// <summary>
/// A push button from one GPIO to ground, read with the SoC's internal pull-up (high at rest, low while pressed).
/// A press is a falling edge after the pin has been high (released) for <see cref="Settle"/>, and at least
/// <see cref="Debounce"/> after the last press: the contact's bounce on pressing and on releasing (edges a few
/// milliseconds apart) and a finger resting on the button count once. The <see cref="GpioController"/> is the caller's.
/// </summary>
public sealed class HelpButton : IDisposable
{
    /// <summary>Edges within this time of a press are the same press.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the button must have been released before a falling edge is a new press.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(30);

    private readonly GpioController _gpio;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long? _lastPress;
    private long? _lastRelease;
    private bool _disposed;

    /// <param name="gpio">The controller (not disposed by the button).</param>
    /// <param name="pin">The button's GPIO (BCM numbering).</param>
    /// <param name="time">Clock for debouncing.</param>
    public HelpButton(GpioController gpio, int pin, TimeProvider time)
    {
        _gpio = gpio;
        _time = time;
        Pin = pin;

        // Where the driver cannot bias the pin, the wiring needs an external pull-up (10 kΩ to 3.3 V): hardware/README.md.
        HasInternalPullUp = gpio.IsPinModeSupported(pin, PinMode.InputPullUp);
        gpio.OpenPin(pin, HasInternalPullUp ? PinMode.InputPullUp : PinMode.Input);
        gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Falling | PinEventTypes.Rising, OnEdge);
    }

    /// <summary>The button's GPIO.</summary>
    public int Pin { get; }

    /// <summary>False when the driver could not enable the internal pull-up, so the button needs an external one.</summary>
    public bool HasInternalPullUp { get; }

    /// <summary>Raised once per press, with its time, on the driver's event thread: keep handlers short.</summary>
    public event Action<DateTimeOffset>? Pressed;

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (e.ChangeType == PinEventTypes.Rising)
            {
                _lastRelease = now;
                return;
            }

            if (_disposed
                || (_lastRelease is { } released && _time.GetElapsedTime(released, now) < Settle)
                || (_lastPress is { } last && _time.GetElapsedTime(last, now) < Debounce))
            {
                return;
            }

            _lastPress = now;
        }

        Pressed?.Invoke(_time.GetUtcNow());
    }

    /// <summary>Stops listening to the pin.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        if (_gpio.IsPinOpen(Pin))
        {
            _gpio.UnregisterCallbackForPinValueChangedEvent(Pin, OnEdge);
        }
    }
}
