using System.Device.Gpio;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Indicators;
#if SIMULATORS
using KioskPos.Hardware.Simulators.Gpio;
#endif

namespace KioskPos.Terminal.Services;

/// <summary>What happened to a payment, for the buzzer now and the screens' live updates later.</summary>
public enum PaymentEvent
{
    /// <summary>Money taken: a card payment committed or a transfer confirmed.</summary>
    Paid,

    /// <summary>A payment was refused (balance, limits, card blocked, bad request).</summary>
    Refused,

    /// <summary>A transfer arrived short.</summary>
    Underpaid,

    /// <summary>A QR expired unpaid.</summary>
    Expired,
}

/// <summary>Payments' outcomes as they happen.</summary>
public sealed class PaymentEvents
{
    /// <summary>Raised on the thread that decided the outcome: keep handlers short.</summary>
    public event Action<PaymentEvent>? Happened;

    /// <summary>Publishes <paramref name="outcome"/>.</summary>
    public void Raise(PaymentEvent outcome) => Happened?.Invoke(outcome);
}

/// <summary>The help button's presses: someone at the terminal asks for staff.</summary>
public sealed class HelpRequests
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _last;
    private long _count;

    /// <summary>The last press, or null.</summary>
    public DateTimeOffset? LastAt
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>Presses since start.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Raised after each press is recorded.</summary>
    public event Action<DateTimeOffset>? Requested;

    /// <summary>Records a press.</summary>
    public void Record(DateTimeOffset at)
    {
        lock (_gate)
        {
            _last = at;
        }

        Interlocked.Increment(ref _count);
        Requested?.Invoke(at);
    }
}

/// <summary>The GPIO the indicators use: the controller (null for none), the simulated chip when simulated, and the pins.</summary>
/// <param name="Controller">The controller, or null when the terminal has no light, buzzer or button.</param>
/// <param name="Simulated">The in-memory chip behind the controller, when simulated.</param>
/// <param name="LightPin">The light's pin, or null.</param>
/// <param name="BuzzerPin">The buzzer's pin, or null.</param>
/// <param name="HelpButtonPin">The help button's pin, or null.</param>
public sealed record GpioSetup(GpioController? Controller, GpioDriver? Simulated, int? LightPin, int? BuzzerPin, int? HelpButtonPin) : IDisposable
{
    /// <summary>Closes the pins (the container disposes it last, after the indicators).</summary>
    public void Dispose() => Controller?.Dispose();
}

/// <summary>
/// Drives the status light, the buzzer and the help button from what the terminal does. The light: fast blink when
/// the printer needs a person, slow blink while a QR waits for the bank or a receipt prints, steady when ready, off
/// when the terminal stops. The buzzer: one beep for a card read or money taken, three for a card not recognised or
/// blocked, a reader's "one card at a time", or a refusal. The help button: recorded for the screens, acknowledged
/// with a long beep.
/// </summary>
internal sealed class TerminalIndicators(
    GpioSetup gpio,
    CardPresence presence,
    PaymentEvents payments,
    HelpRequests help,
    PrintQueue printQueue,
    CustomerDisplay display,
    TimeProvider time,
    ILogger<TerminalIndicators> logger) : BackgroundService
{
    private StatusLight? _light;
    private Buzzer? _buzzer;
    private HelpButton? _button;

    /// <summary>The light's pattern now (Off when there is no light).</summary>
    public LightPattern Light => _light?.Pattern ?? LightPattern.Off;

    /// <summary>Beep patterns played since start.</summary>
    public long Beeps => _buzzer?.Played ?? 0;

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (gpio.Controller is { } controller)
        {
            try
            {
                _light = gpio.LightPin is { } light ? new StatusLight(controller, light, time) : null;
                _buzzer = gpio.BuzzerPin is { } buzzer ? new Buzzer(controller, buzzer, time) : null;
                _button = gpio.HelpButtonPin is { } button ? new HelpButton(controller, button, time) : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or PlatformNotSupportedException)
            {
                // A terminal without its light still takes payments; the technician sees why in the log and the self-test.
                logger.LogError(e, "GPIO: the light, buzzer or help button cannot be opened ({Error}); the terminal runs without them", e.Message);
            }

            if (_button is { HasInternalPullUp: false })
            {
                logger.LogWarning("GPIO {Pin}: no internal pull-up on this board's driver; the help button needs a 10 kΩ resistor to 3.3 V", _button.Pin);
            }
        }

        presence.Tapped += OnTapped;
        presence.ProblemReported += OnReaderProblem;
        payments.Happened += OnPayment;
        printQueue.Changed += Refresh;
        if (_button is not null)
        {
            _button.Pressed += OnHelp;
        }

        Refresh();
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The customer display's state is the QR's: the light is busy while a payer is asked to transfer.
        try
        {
            await foreach (var _ in display.FollowAsync(stoppingToken).ConfigureAwait(false))
            {
                Refresh();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        presence.Tapped -= OnTapped;
        presence.ProblemReported -= OnReaderProblem;
        payments.Happened -= OnPayment;
        printQueue.Changed -= Refresh;
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _button?.Dispose();
        _buzzer?.Dispose();
        _light?.Show(LightPattern.Off);
        _light?.Dispose();
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _button?.Dispose();
        _buzzer?.Dispose();
        _light?.Dispose();
        base.Dispose();
    }

    /// <summary>For the self-test: one success beep and the light's pattern now; null when this terminal has no GPIO.</summary>
    public (LightPattern Light, bool Beeped)? Test()
    {
        if (_light is null && _buzzer is null)
        {
            return null;
        }

        var beeped = false;
        Safely(() => beeped = _buzzer?.Beep(BeepPattern.Success) ?? false);
        return (Light, beeped);
    }

    // The handlers run on the paths that take payments and read cards: a light or buzzer that fails is logged and
    // never turns a taken payment or a read card into an error.
    private void OnTapped(CardTap tap) => Safely(() => _buzzer?.Beep(tap.AccountCode is null || tap.Blocked ? BeepPattern.Failure : BeepPattern.Success));

    private void OnReaderProblem(CardProblem problem) => Safely(() => _buzzer?.Beep(BeepPattern.Failure));

    private void OnPayment(PaymentEvent outcome) => Safely(() =>
    {
        _buzzer?.Beep(outcome == PaymentEvent.Paid ? BeepPattern.Success : BeepPattern.Failure);
        Show();
    });

    private void OnHelp(DateTimeOffset at)
    {
        help.Record(at);
        logger.LogWarning("Help button pressed: someone at the terminal asks for staff");
        Safely(() => _buzzer?.Beep(BeepPattern.Attention));
    }

    private void Refresh() => Safely(Show);

    private void Show()
    {
        var printer = printQueue.State.State;
        _light?.Show(
            printer is not ("ready" or "unknown") ? LightPattern.Error
            : printQueue.IsPrinting || display.Current.State == "awaiting" ? LightPattern.Busy
            : LightPattern.Ready);
    }

    private void Safely(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or ObjectDisposedException)
        {
            logger.LogWarning(e, "GPIO: the light or buzzer failed ({Error})", e.Message);
        }
    }
}

/// <summary>Registers the GPIO and the indicators.</summary>
internal static class IndicatorRegistration
{
    public static IServiceCollection AddIndicators(this IServiceCollection services, HardwareOptions hardware)
    {
        if (hardware.Gpio is not ("simulated" or "chip" or "none"))
        {
            throw new InvalidOperationException($"Hardware:Gpio '{hardware.Gpio}' is not simulated, chip or none.");
        }

        int?[] pins = [hardware.LightPin, hardware.BuzzerPin, hardware.HelpButtonPin];
        if (pins.Any(p => p is < 0 or > 27) || pins.OfType<int>().Distinct().Count() != pins.OfType<int>().Count())
        {
            throw new InvalidOperationException("Hardware:LightPin, BuzzerPin and HelpButtonPin must be different header GPIOs (0-27), or empty.");
        }

        services.AddSingleton<PaymentEvents>();
        services.AddSingleton<HelpRequests>();
        services.AddSingleton(sp =>
        {
            if (hardware.Gpio == "none" || pins.All(p => p is null))
            {
                return new GpioSetup(null, null, null, null, null);
            }

#if SIMULATORS
            GpioDriver? simulated = hardware.Gpio == "simulated" ? new SimulatedGpioDriver(sp.GetRequiredService<TimeProvider>()) : null;
#else
            GpioDriver? simulated = hardware.Gpio == "simulated" ? throw new InvalidOperationException(SimulationAbsent.Message("Hardware:Gpio")) : null;
#endif
            try
            {
                var controller = simulated is null ? BoardGpio.Open() : new GpioController(simulated);
                return new GpioSetup(controller, simulated, hardware.LightPin, hardware.BuzzerPin, hardware.HelpButtonPin);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or InvalidOperationException)
            {
                // No GPIO on this board (or no access): the terminal still takes payments; the log says why.
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<TerminalIndicators>()
                    .LogError(e, "GPIO: no controller on this machine ({Error}); no light, buzzer or help button", e.Message);
                return new GpioSetup(null, null, null, null, null);
            }
        });
        services.AddSingleton<TerminalIndicators>();
        services.AddHostedService(sp => sp.GetRequiredService<TerminalIndicators>());
        return services;
    }
}
