using System.Device.Gpio;

namespace KioskPos.Firmware.Indicators;

/// <summary>What the buzzer says.</summary>
public enum BeepPattern
{
    /// <summary>One short beep: card read, payment done.</summary>
    Success,

    /// <summary>Three short beeps: card not recognised or blocked, payment refused.</summary>
    Failure,

    /// <summary>One long beep: the help button was heard.</summary>
    Attention,
}

/// <summary>
/// An active buzzer (it sounds while its input is high) on one GPIO. Beeps never overlap: a beep asked for while
/// another sounds follows it, and at most <see cref="MaxWaiting"/> wait (a burst of taps does not queue a minute of
/// noise). The <see cref="GpioController"/> is the caller's; the buzzer leaves its pin low when disposed.
/// </summary>
public sealed class Buzzer : IDisposable
{
    /// <summary>How many beeps may wait behind the one sounding.</summary>
    public const int MaxWaiting = 2;

    /// <summary>A short beep's length.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    /// <summary>The long beep's length.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromMilliseconds(400);

    /// <summary>Silence between the beeps of one pattern.</summary>
    public static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(100);

    /// <summary>Silence after a pattern, so two patterns are heard as two.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(250);

    private static readonly PinStep[] s_success = [new(PinValue.High, Short), new(PinValue.Low, Pause)];
    private static readonly PinStep[] s_failure =
    [
        new(PinValue.High, Short), new(PinValue.Low, Gap),
        new(PinValue.High, Short), new(PinValue.Low, Gap),
        new(PinValue.High, Short), new(PinValue.Low, Pause),
    ];

    private static readonly PinStep[] s_attention = [new(PinValue.High, Long), new(PinValue.Low, Pause)];

    private readonly PinSequencer _pin;
    private readonly Lock _gate = new();
    private readonly Queue<BeepPattern> _waiting = new();
    private bool _sounding;
    private long _played;

    /// <param name="gpio">The controller (not disposed by the buzzer).</param>
    /// <param name="pin">The buzzer's GPIO (BCM numbering).</param>
    /// <param name="time">Clock for the beeps.</param>
    public Buzzer(GpioController gpio, int pin, TimeProvider time)
    {
        Pin = pin;
        _pin = new PinSequencer(gpio, pin, time);
    }

    /// <summary>The buzzer's GPIO.</summary>
    public int Pin { get; }

    /// <summary>Patterns played (or started) since start.</summary>
    public long Played => Interlocked.Read(ref _played);

    /// <summary>Sounds <paramref name="pattern"/> now, or after the beeps already asked for; false when too many wait and it was dropped.</summary>
    public bool Beep(BeepPattern pattern)
    {
        lock (_gate)
        {
            if (_sounding)
            {
                if (_waiting.Count >= MaxWaiting)
                {
                    return false;
                }

                _waiting.Enqueue(pattern);
                return true;
            }

            _sounding = true;
        }

        Start(pattern);
        return true;
    }

    private void Start(BeepPattern pattern)
    {
        Interlocked.Increment(ref _played);
        _pin.Play(pattern switch
        {
            BeepPattern.Failure => s_failure,
            BeepPattern.Attention => s_attention,
            _ => s_success,
        }, loop: false, Finished);
    }

    private void Finished()
    {
        BeepPattern next;
        lock (_gate)
        {
            if (!_waiting.TryDequeue(out next))
            {
                _sounding = false;
                return;
            }
        }

        Start(next);
    }

    /// <summary>Silences the buzzer and releases its timer.</summary>
    public void Dispose() => _pin.Dispose();
}
