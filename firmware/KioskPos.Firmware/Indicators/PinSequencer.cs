using System.Device.Gpio;

namespace KioskPos.Firmware.Indicators;

/// <summary>One step of a pin pattern: hold <paramref name="Value"/> for <paramref name="Duration"/> (infinite: until the next pattern).</summary>
/// <param name="Value">The level written.</param>
/// <param name="Duration">How long it is held.</param>
public readonly record struct PinStep(PinValue Value, TimeSpan Duration);

/// <summary>
/// Plays a pattern of steps on one output pin from timer callbacks, so a blinking light or a beep costs no thread
/// and nothing polls. A new pattern replaces the one playing at once; a callback of the replaced pattern that was
/// already on its way does nothing (each pattern has its own timer).
/// </summary>
internal sealed class PinSequencer : IDisposable
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private object? _pattern;
    private IReadOnlyList<PinStep> _steps = [];
    private bool _loop;
    private int _index;
    private Action? _finished;
    private bool _disposed;

    /// <summary>The last error writing the pin, or null: the pattern stopped there.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Opens <paramref name="pin"/> as an output, low.</summary>
    public PinSequencer(GpioController gpio, int pin, TimeProvider time)
    {
        _gpio = gpio;
        _pin = pin;
        _time = time;
        gpio.OpenPin(pin, PinMode.Output, PinValue.Low);
    }

    /// <summary>
    /// Plays <paramref name="steps"/> from the first; over and over when <paramref name="loop"/>, otherwise once,
    /// then calls <paramref name="finished"/> (outside the sequencer's lock).
    /// </summary>
    public void Play(IReadOnlyList<PinStep> steps, bool loop, Action? finished = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(steps.Count, nameof(steps));
        if (loop && !steps.Any(s => s.Duration > TimeSpan.Zero || s.Duration == Timeout.InfiniteTimeSpan))
        {
            throw new ArgumentException("A repeating pattern needs a step that lasts.", nameof(steps));
        }

        Action? done;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _timer?.Dispose();
            _steps = steps;
            _loop = loop;
            _index = -1;
            _finished = finished;
            var pattern = new object();
            var timer = _time.CreateTimer(Tick, pattern, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer = timer;
            _pattern = pattern;
            done = Step(timer);
        }

        done?.Invoke();
    }

    private void Tick(object? state)
    {
        Action? done;
        lock (_gate)
        {
            // The timer of a replaced pattern may still fire once; only the current one steps.
            if (_disposed || _timer is not { } timer || !ReferenceEquals(state, _pattern))
            {
                return;
            }

            done = Step(timer);
        }

        done?.Invoke();
    }

    // Under the lock: writes the next step and arms the timer for its end; the finished callback when the pattern ended.
    private Action? Step(ITimer timer)
    {
        while (true)
        {
            _index++;
            if (_index >= _steps.Count)
            {
                if (!_loop)
                {
                    _index = _steps.Count;
                    var finished = _finished;
                    _finished = null;
                    return finished;
                }

                _index = 0;
            }

            var step = _steps[_index];
            try
            {
                _gpio.Write(_pin, step.Value);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                // The pin failed (the chip went away). This runs on a timer thread, where an exception would end the
                // process: the pattern stops instead, and the fault is kept for diagnostics.
                Fault = e;
                timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return null;
            }

            if (step.Duration == Timeout.InfiniteTimeSpan)
            {
                return null;
            }

            if (step.Duration > TimeSpan.Zero)
            {
                timer.Change(step.Duration, Timeout.InfiniteTimeSpan);
                return null;
            }
        }
    }

    /// <summary>Stops the pattern and leaves the pin low.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            _pattern = null;
            if (_gpio.IsPinOpen(_pin))
            {
                _gpio.Write(_pin, PinValue.Low);
            }
        }
    }
}
