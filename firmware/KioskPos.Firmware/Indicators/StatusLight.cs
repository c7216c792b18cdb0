using System.Device.Gpio;

namespace KioskPos.Firmware.Indicators;

/// <summary>What the status light says, readable from across a school office.</summary>
public enum LightPattern
{
    /// <summary>Dark: the terminal is not running.</summary>
    Off,

    /// <summary>Steady on: ready for a card.</summary>
    Ready,

    /// <summary>Slow blink (half a second on, half off): a payment or a receipt is under way.</summary>
    Busy,

    /// <summary>Fast blink (a tenth of a second on, a tenth off): something needs a person (printer, reader).</summary>
    Error,
}

/// <summary>
/// A status light (an LED through a resistor, or a lamp through a transistor) on one GPIO, driven high for on.
/// The <see cref="GpioController"/> is the caller's; the light opens its pin and leaves it low when disposed.
/// </summary>
public sealed class StatusLight : IDisposable
{
    /// <summary>One blink period's half for <see cref="LightPattern.Busy"/>.</summary>
    public static readonly TimeSpan BusyHalfPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>One blink period's half for <see cref="LightPattern.Error"/>.</summary>
    public static readonly TimeSpan ErrorHalfPeriod = TimeSpan.FromMilliseconds(100);

    private static readonly PinStep[] s_off = [new(PinValue.Low, Timeout.InfiniteTimeSpan)];
    private static readonly PinStep[] s_ready = [new(PinValue.High, Timeout.InfiniteTimeSpan)];
    private static readonly PinStep[] s_busy = [new(PinValue.High, BusyHalfPeriod), new(PinValue.Low, BusyHalfPeriod)];
    private static readonly PinStep[] s_error = [new(PinValue.High, ErrorHalfPeriod), new(PinValue.Low, ErrorHalfPeriod)];

    private readonly PinSequencer _pin;
    private readonly Lock _gate = new();
    private LightPattern _pattern = LightPattern.Off;

    /// <param name="gpio">The controller (not disposed by the light).</param>
    /// <param name="pin">The light's GPIO (BCM numbering).</param>
    /// <param name="time">Clock for the blinking.</param>
    public StatusLight(GpioController gpio, int pin, TimeProvider time)
    {
        Pin = pin;
        _pin = new PinSequencer(gpio, pin, time);
    }

    /// <summary>The light's GPIO.</summary>
    public int Pin { get; }

    /// <summary>The pattern shown.</summary>
    public LightPattern Pattern
    {
        get
        {
            lock (_gate)
            {
                return _pattern;
            }
        }
    }

    /// <summary>Shows <paramref name="pattern"/>; showing the pattern already shown changes nothing (a blink is not restarted).</summary>
    public void Show(LightPattern pattern)
    {
        lock (_gate)
        {
            if (pattern == _pattern)
            {
                return;
            }

            _pattern = pattern;
            _pin.Play(pattern switch
            {
                LightPattern.Ready => s_ready,
                LightPattern.Busy => s_busy,
                LightPattern.Error => s_error,
                _ => s_off,
            }, loop: true);
        }
    }

    /// <summary>Turns the light off and releases the pattern's timer.</summary>
    public void Dispose() => _pin.Dispose();
}
