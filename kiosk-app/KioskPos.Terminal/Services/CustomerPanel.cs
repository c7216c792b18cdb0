using System.Device.Gpio;
using System.Device.Spi;
using System.Diagnostics;
using KioskPos.Core.Hardware;
using KioskPos.Core.Text;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Display;
using KioskPos.Firmware.Printing;
#if SIMULATORS
using KioskPos.Hardware.Simulators.Display;
using KioskPos.Hardware.Simulators.Gpio;
#endif

namespace KioskPos.Terminal.Services;

/// <summary>The customer panel's state, for <c>/tech</c> and the status.</summary>
/// <param name="Display">The display setting, as understood.</param>
/// <param name="State"><c>none</c> (no panel: the browser page or the second HDMI output), <c>starting</c>, <c>ready</c> or <c>failed</c>.</param>
/// <param name="Controller">st7789 or ili9341.</param>
/// <param name="Width">Picture columns (after rotation).</param>
/// <param name="Height">Picture rows.</param>
/// <param name="Simulated">True when the panel is the controller emulator.</param>
/// <param name="Showing">The screen on the panel (idle, awaiting, confirmed, …, test).</param>
/// <param name="Updates">Pictures presented since start.</param>
/// <param name="BytesSent">Bytes on the bus since start.</param>
/// <param name="LastUpdateMs">Milliseconds the last update took (drawing, and the bus at its clock).</param>
/// <param name="Problem">What failed, for the technician.</param>
public sealed record PanelState(string Display, string State, string? Controller = null, int Width = 0, int Height = 0, bool Simulated = false,
    string? Showing = null, long Updates = 0, long BytesSent = 0, double? LastUpdateMs = null, string? Problem = null);

/// <summary>
/// Draws the customer display on an SPI panel (<c>Hardware:Display</c> = <c>spi:…</c>): it follows
/// <see cref="CustomerDisplay"/>, draws each screen (<see cref="PanelScreens"/>) and presents it, so only what changed
/// crosses the bus; while a QR waits it redraws each second for the countdown, which changes a few digits. A panel
/// that fails is reported on <c>/tech</c> and the terminal goes on taking payments (the <c>/display</c> page still works).
/// </summary>
public sealed class CustomerPanel : BackgroundService
{
    private readonly DisplaySpec _spec;
    private readonly CustomerDisplay _display;
    private readonly ReceiptFonts _fonts;
    private readonly TimeProvider _time;
    private readonly ILogger<CustomerPanel> _logger;
    private readonly Lock _gate = new();
    private TftPanel? _panel;
    private GpioController? _gpio;
    private PanelState _state;
    private DisplayScreen? _screen;
    private (string State, DateTimeOffset Until)? _override;

    /// <summary>Made by the registration.</summary>
    public CustomerPanel(DisplaySpec spec, CustomerDisplay display, ReceiptFonts fonts, TimeProvider time, ILogger<CustomerPanel> logger)
    {
        _spec = spec;
        _display = display;
        _fonts = fonts;
        _time = time;
        _logger = logger;
        _state = new PanelState(spec.ToString(), spec.Kind == DisplayKind.Spi ? "starting" : "none", spec.Model?.Controller.ToString().ToLowerInvariant(), Simulated: spec.IsSimulated);
    }

    /// <summary>The state now.</summary>
    public PanelState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The panel's state as one line of <c>/tech</c>'s hardware table (Vietnamese, then English).</summary>
    public Apis.SettingView View()
    {
        var state = State;
        return new Apis.SettingView("DisplayPanel", state.State switch
        {
            "none" => Messages.Both("display.panel.state.none"),
            "failed" => Messages.Both("display.panel.state.failed", state.Problem),
            _ => Messages.Both("display.panel.state.ready", state.Controller, state.Width, state.Height, _spec.Path, state.Updates, state.BytesSent)
                + (state.Showing is { } showing ? $" · {showing}" : ""),
        });
    }

#if SIMULATORS
    /// <summary>The controller emulator, when the panel is simulated (the <c>/dev/panel.png</c> page shows its glass).</summary>
    public TftPanelEmulator? Emulator { get; private set; }
#endif

    /// <summary>
    /// Shows the test pattern (red, green, blue, white, black bars) for <paramref name="hold"/>, then the customer
    /// display again. Returns false when there is no working panel.
    /// </summary>
    public bool ShowTestPattern(TimeSpan hold)
    {
        lock (_gate)
        {
            if (_panel is null || _state.State != "ready")
            {
                return false;
            }

            _override = ("test", _time.GetUtcNow() + hold);
            Draw();
            return true;
        }
    }

    /// <summary>
    /// For an emulated panel: true when its glass shows the test pattern's red, green and blue bars (read back from
    /// the controller's memory through MADCTL, inversion and the backlight); null for a real panel (a person looks).
    /// </summary>
    public bool? TestPatternShown()
    {
#if SIMULATORS
        if (Emulator is { } emulator)
        {
            var glass = emulator.Glass();
            var rotated = _spec.Rotation is PanelRotation.Deg90 or PanelRotation.Deg270;
            var y = glass.Height / 3;
            return _spec.Rotation == PanelRotation.Deg0 && !rotated
                ? glass[glass.Width / 10, y] == Firmware.Imaging.Rgb.Red && glass[glass.Width * 3 / 10, y] == Firmware.Imaging.Rgb.Lime
                    && glass[glass.Width / 2, y] == Firmware.Imaging.Rgb.Blue
                : glass[glass.Width / 2, glass.Height / 2] != Firmware.Imaging.Rgb.Black;
        }
#endif
        return null;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_spec.Kind != DisplayKind.Spi)
        {
            return;
        }

        await Task.Yield();
        try
        {
            Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or InvalidOperationException or ArgumentException)
        {
            _logger.LogError(e, "Customer panel: {Display} did not start ({Error}); the /display page still shows the QR", _spec, e.Message);
            lock (_gate)
            {
                _state = _state with { State = "failed", Problem = e.Message };
            }

            return;
        }

        // An async iterator cannot be disposed while a MoveNextAsync is pending (NotSupportedException, which the host
        // logs as a crashed service): a stop leaves the loop with one waiting on the channel, whose cancellation
        // reaches the iterator on another thread. So the wait is ended here and awaited before the disposal.
        using var following = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await using var follow = _display.FollowAsync(following.Token).GetAsyncEnumerator(following.Token);
        var next = follow.MoveNextAsync().AsTask();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var delay = Task.Delay(UntilNextTick(), _time, tick.Token);
                var done = await Task.WhenAny(next, delay).ConfigureAwait(false);
                await tick.CancelAsync().ConfigureAwait(false);
                if (done == next)
                {
                    bool more;
                    try
                    {
                        more = await next.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    if (!more)
                    {
                        break;
                    }

                    lock (_gate)
                    {
                        _screen = follow.Current;
                    }

                    next = follow.MoveNextAsync().AsTask();
                }

                lock (_gate)
                {
                    try
                    {
                        Draw();
                    }
                    catch (IOException e)
                    {
                        _logger.LogError(e, "Customer panel: a write failed ({Error})", e.Message);
                        _state = _state with { State = "failed", Problem = e.Message };
                        _panel?.Invalidate();
                    }
                }
            }
        }
        finally
        {
            await following.CancelAsync().ConfigureAwait(false);
            await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _panel?.Dispose();
        _gpio?.Dispose();
        base.Dispose();
    }

    private TimeSpan UntilNextTick()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_override is { } o && o.Until > now)
            {
                return o.Until - now;
            }

            // Awaiting: wake on the next whole second of the countdown.
            return _screen is { State: "awaiting", ExpiresAt: { } expires }
                ? TimeSpan.FromMilliseconds(Math.Max(20, 1000 - ((expires - now).TotalMilliseconds % 1000)))
                : TimeSpan.FromHours(1);
        }
    }

    private void Open()
    {
        var model = _spec.Model!;
        SpiDevice spi;
        if (_spec.IsSimulated)
        {
#if SIMULATORS
            var chip = new SimulatedGpioDriver(_time);
            _gpio = new GpioController(chip);
            Emulator = new TftPanelEmulator(model, chip, _spec.DataCommandPin, _spec.ResetPin, _spec.BacklightPin,
                new SpiConnectionSettings(0, 1) { ClockFrequency = _spec.ClockHz, Mode = SpiMode.Mode0 });
            spi = Emulator;
#else
            throw new InvalidOperationException(SimulationAbsent.Message("Hardware:Display"));
#endif
        }
        else
        {
            if (!File.Exists(_spec.Path))
            {
                throw new IOException($"{_spec.Path} does not exist: enable SPI (dtparam=spi=on in /boot/firmware/config.txt) and reboot.");
            }

            var (bus, chipSelect) = _spec.SpiAddress;
            _gpio = BoardGpio.Open();
            spi = SpiDevice.Create(new SpiConnectionSettings(bus, chipSelect) { ClockFrequency = _spec.ClockHz, Mode = SpiMode.Mode0 });
        }

        var wait = _spec.IsSimulated ? (Action<TimeSpan>)(_ => { }) : null;
        lock (_gate)
        {
            _panel = new TftPanel(spi, _gpio, model, _spec.DataCommandPin, _spec.ResetPin, _spec.BacklightPin, _spec.Rotation, shouldDispose: false, wait);
            _panel.Initialise();
            _state = _state with { State = "ready", Width = _panel.Width, Height = _panel.Height, BytesSent = _panel.BytesWritten };
            _screen = _display.Current;
            Draw();
        }

        _logger.LogInformation("Customer panel: {Controller} {Width}x{Height} on {Path} at {Clock} Hz", model.Controller, _panel.Width, _panel.Height, _spec.Path, _spec.ClockHz);
    }

    private void Draw()
    {
        if (_panel is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var content = _override is { } o && o.Until > now ? new PanelContent(o.State) : Content(_screen);
        if (_override is { } expired && expired.Until <= now)
        {
            _override = null;
        }

        var started = Stopwatch.GetTimestamp();
        var picture = new PanelScreens(_fonts).Render(content, _panel.Width, _panel.Height, now);
        var before = _panel.BytesWritten;
        var written = _panel.Present(Rgb565.FromPicture(picture));
        var elapsed = Stopwatch.GetElapsedTime(started) + (_spec.IsSimulated ? TftPanel.BusTime(_panel.BytesWritten - before, _spec.ClockHz) : TimeSpan.Zero);
        _state = _state with
        {
            State = "ready",
            Problem = null,
            Showing = content.State,
            Updates = _state.Updates + (written.Count > 0 ? 1 : 0),
            BytesSent = _panel.BytesWritten,
            LastUpdateMs = written.Count > 0 ? Math.Round(elapsed.TotalMilliseconds, 2) : _state.LastUpdateMs,
        };
    }

    private static PanelContent Content(DisplayScreen? screen) => screen switch
    {
        null => new PanelContent("idle"),
        { State: "awaiting" } s => new PanelContent("awaiting", s.Institution, s.AmountValue, s.QrPayload, s.AccountName, s.ExpiresAt),
        { State: "underpaid" } s => new PanelContent("underpaid", s.Institution, s.AmountValue, Remaining: ParseAmount(s.Remaining)),
        { State: "confirmed" or "cancelled" or "expired" } s => new PanelContent(s.State, s.Institution, s.AmountValue),
        var s => new PanelContent("idle", s.Institution),
    };

    private static long? ParseAmount(string? formatted)
    {
        var digits = new string((formatted ?? "").Where(char.IsAsciiDigit).ToArray());
        return long.TryParse(digits, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}

/// <summary>Registers the customer panel.</summary>
internal static class CustomerPanelRegistration
{
    public static IServiceCollection AddCustomerPanel(this IServiceCollection services, HardwareOptions hardware)
    {
        DisplaySpec spec;
        try
        {
            spec = DisplaySpec.Parse(hardware.Display);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"Hardware:Display: {e.Message}", e);
        }

        services.AddSingleton(spec);
        services.AddSingleton<CustomerPanel>();
        services.AddHostedService(sp => sp.GetRequiredService<CustomerPanel>());
        services.AddHostedService<ScreenSelection>();
        return services;
    }
}
