using System.Device.Gpio;

namespace KioskPos.Hardware.Simulators.Gpio;

/// <summary>A level change on a simulated pin, and when it happened.</summary>
/// <param name="At">When (from the driver's clock).</param>
/// <param name="Value">The level from then on.</param>
public readonly record struct PinEdge(DateTimeOffset At, PinValue Value);

/// <summary>
/// A GPIO chip in memory for the tests and <c>make run</c>: <see cref="GpioController"/> runs on it unchanged. Outputs
/// remember their level and every change (with time, so a blink or a beep can be measured); inputs read what the
/// outside world drives (<see cref="Drive"/>, <see cref="Press"/>), or their pull when nothing does, and raise the
/// edge callbacks a real chip would.
/// </summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    /// <summary>Changes kept per pin (the oldest are forgotten).</summary>
    public const int HistoryLength = 4096;

    private readonly TimeProvider _time;
    private readonly int _pinCount;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, SimulatedPin> _pins = [];

    /// <param name="time">Clock that stamps the edges (the system clock by default).</param>
    /// <param name="pinCount">Pins on the chip (28 on a Raspberry Pi header's BCM numbering).</param>
    public SimulatedGpioDriver(TimeProvider? time = null, int pinCount = 28)
    {
        _time = time ?? TimeProvider.System;
        _pinCount = pinCount;
    }

    /// <inheritdoc />
    protected override int PinCount => _pinCount;

    /// <summary>True when the program opened <paramref name="pin"/>.</summary>
    public bool IsOpen(int pin)
    {
        lock (_gate)
        {
            return _pins.ContainsKey(pin);
        }
    }

    /// <summary>The mode the program set on <paramref name="pin"/>.</summary>
    /// <exception cref="InvalidOperationException">The pin is not open.</exception>
    public PinMode ModeOf(int pin)
    {
        lock (_gate)
        {
            return Get(pin).Mode;
        }
    }

    /// <summary>The level on <paramref name="pin"/>, as a meter on the header would read it.</summary>
    /// <exception cref="InvalidOperationException">The pin is not open.</exception>
    public PinValue LevelOf(int pin)
    {
        lock (_gate)
        {
            return Get(pin).Level;
        }
    }

    /// <summary>Every level change of <paramref name="pin"/> (outputs: what the program wrote; inputs: what was driven), oldest first.</summary>
    public IReadOnlyList<PinEdge> EdgesOf(int pin)
    {
        lock (_gate)
        {
            return _pins.TryGetValue(pin, out var state) ? [.. state.History] : [];
        }
    }

    /// <summary>How many times <paramref name="pin"/> went high since it was opened (a beep, a blink).</summary>
    public long RisingEdgesOf(int pin)
    {
        lock (_gate)
        {
            return _pins.TryGetValue(pin, out var state) ? state.Rises : 0;
        }
    }

    /// <summary>How many edge callbacks are registered on <paramref name="pin"/> (a wait in progress is one).</summary>
    public int ListenersOf(int pin)
    {
        lock (_gate)
        {
            return _pins.TryGetValue(pin, out var state) ? state.Callbacks.Count : 0;
        }
    }

    /// <summary>
    /// The outside world drives an input: <paramref name="level"/>, or nothing (null, the pin's pull decides). Edge
    /// callbacks run on the caller's thread, as a real driver's run on its event thread.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pin is not open, or is an output (two outputs fighting).</exception>
    public void Drive(int pin, PinValue? level)
    {
        List<PinChangeEventHandler> handlers;
        PinEventTypes change;
        lock (_gate)
        {
            var state = Get(pin);
            if (state.Mode == PinMode.Output)
            {
                throw new InvalidOperationException($"GPIO {pin} is an output; driving it from outside would short it.");
            }

            var before = state.Level;
            state.External = level;
            var after = state.Level;
            if (after == before)
            {
                return;
            }

            change = after == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            state.Record(_time.GetUtcNow(), after);
            handlers = [.. state.Callbacks.Where(c => (c.Types & change) != 0).Select(c => c.Handler)];
        }

        var args = new PinValueChangedEventArgs(change, pin);
        foreach (var handler in handlers)
        {
            handler(this, args);
        }
    }

    /// <summary>A finger on a button wired from <paramref name="pin"/> to ground.</summary>
    public void Press(int pin) => Drive(pin, PinValue.Low);

    /// <summary>The finger lifted: the pull-up takes the pin high again.</summary>
    public void Release(int pin) => Drive(pin, null);

    /// <summary>
    /// When set, opening any pin fails with this message as an <see cref="IOException"/>, as the board's GPIO does for
    /// a user the device files do not admit (System.Device.Gpio's "Error 13 initializing the Gpio driver").
    /// </summary>
    public string? OpenPinError { get; set; }

    /// <inheritdoc />
    protected override void OpenPin(int pinNumber)
    {
        if (OpenPinError is { } error)
        {
            throw new IOException(error);
        }

        if (pinNumber < 0 || pinNumber >= _pinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber, $"The simulated chip has GPIO 0 to {_pinCount - 1}.");
        }

        lock (_gate)
        {
            _pins.TryAdd(pinNumber, new SimulatedPin());
        }
    }

    /// <inheritdoc />
    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _pins.Remove(pinNumber);
        }
    }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            var state = Get(pinNumber);
            var before = state.Level;
            state.Mode = mode;
            if (state.Level != before)
            {
                state.Record(_time.GetUtcNow(), state.Level);
            }
        }
    }

    /// <inheritdoc />
    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return Get(pinNumber).Mode;
        }
    }

    /// <inheritdoc />
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    /// <inheritdoc />
    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            return Get(pinNumber).Level;
        }
    }

    /// <inheritdoc />
    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            var state = Get(pinNumber);
            if (state.Mode != PinMode.Output)
            {
                return; // as on the chip: writing an input's output latch changes nothing on the pin
            }

            if (state.Output != value)
            {
                state.Output = value;
                state.Record(_time.GetUtcNow(), value);
            }
        }
    }

    /// <inheritdoc />
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource<PinEventTypes>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnEdge(object sender, PinValueChangedEventArgs e) => seen.TrySetResult(e.ChangeType);
        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, OnEdge);
        try
        {
            seen.Task.Wait(cancellationToken);
            return new WaitForEventResult { EventTypes = seen.Task.Result, TimedOut = false };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, OnEdge);
        }
    }

    /// <inheritdoc />
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            Get(pinNumber).Callbacks.Add((eventTypes, callback));
        }
    }

    /// <inheritdoc />
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (_pins.TryGetValue(pinNumber, out var state))
            {
                state.Callbacks.RemoveAll(c => c.Handler == callback);
            }
        }
    }

    private SimulatedPin Get(int pin) => _pins.TryGetValue(pin, out var state)
        ? state
        : throw new InvalidOperationException($"GPIO {pin} is not open.");

    private sealed class SimulatedPin
    {
        public PinMode Mode { get; set; } = PinMode.Input;

        public PinValue Output { get; set; } = PinValue.Low;

        public PinValue? External { get; set; }

        public List<(PinEventTypes Types, PinChangeEventHandler Handler)> Callbacks { get; } = [];

        public Queue<PinEdge> History { get; } = new();

        public long Rises { get; private set; }

        // What the pin carries: the program's level on an output; on an input what is driven, else its pull.
        public PinValue Level => Mode == PinMode.Output ? Output
            : External ?? (Mode == PinMode.InputPullUp ? PinValue.High : PinValue.Low);

        public void Record(DateTimeOffset at, PinValue value)
        {
            if (History.Count == HistoryLength)
            {
                History.Dequeue();
            }

            History.Enqueue(new PinEdge(at, value));
            if (value == PinValue.High)
            {
                Rises++;
            }
        }
    }
}
