using KioskPos.Hardware.Simulators.Printer;
using KioskPos.Hardware.Simulators.Gpio;
using KioskPos.Terminal.Apis;
using KioskPos.Core.Payments;
using KioskPos.Shared.Contracts;
using KioskPos.Hardware.Simulators.Rfid;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using KioskPos.Core.Text;
using KioskPos.Hardware.Simulators.Scanner;

namespace KioskPos.Terminal.Simulation;

/// <summary>
/// Endpoints that drive the simulated hardware: tap a card, take the paper out, press the help button, look at the
/// light and the buzzer. Mapped only when the simulators
/// are configured, so a terminal with real devices has none of them.
/// </summary>
internal static class DevApi
{
    public static IEndpointRouteBuilder MapDevApi(this IEndpointRouteBuilder app)
    {
        // The page that drives them (wwwroot/dev.html): HTML for people, not in the OpenAPI document.
        app.MapGet("/dev", (HttpContext http) => Screens.ScreenFiles.SendPageAsync(http, "dev.html")).ExcludeFromDescription().Public();
        var dev = app.MapGroup("/dev").WithTags("dev").Public();
        dev.MapPost("/card-taps", TapCardAsync).WithSummary("Hold a card to the simulated reader and wait until the terminal has read it (held holdMs more, 600 unless given)")
            .AcceptsJson<SimulatedTapRequest>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        dev.MapPost("/scans", CitizenIdApi.ScanCitizenIdAsync).WithSummary("Scan a citizen-ID card's QR with the simulated 2D scanner: the patient it finds")
            .AcceptsJson<SimulatedScanRequest>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable);
        dev.MapPost("/scanner", ScanWithEmulatedScannerAsync).WithSummary("Scan a code with the emulated 2D scanner (scanner:simulated): typed as key events into its evdev FIFO and read by the terminal's scanner reader")
            .AcceptsJson<SimulatedScanRequest>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        dev.MapGet("/gpio", GetGpio).WithSummary("The simulated GPIO chip's pins: light, buzzer, help button")
            .ProducesProblems(StatusCodes.Status404NotFound);
        dev.MapPost("/gpio/help-button", PressHelpButtonAsync).WithSummary("Press the simulated help button")
            .ProducesProblems(StatusCodes.Status404NotFound);
        dev.MapGet("/printer", GetEmulatedPrinter).WithSummary("The emulated printer's paper")
            .ProducesProblems(StatusCodes.Status404NotFound);
        dev.MapPost("/printer", SetEmulatedPrinterAsync).WithSummary("Take the emulated printer's paper out, open its cover, take it offline")
            .AcceptsJson<SimulatedPrinterRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        dev.MapGet("/panel.png", GetPanelPng).WithSummary("What the emulated SPI customer panel shows, as a PNG")
            .Produces(StatusCodes.Status200OK, contentType: "image/png").ProducesProblems(StatusCodes.Status404NotFound);
        return app;
    }

    // The emulated scanner types the text into its FIFO; the answer waits until the terminal's real reader has read the
    // scan and told the screens (what they were told: a reference to look the patient up with, or why it was refused).
    private static async Task<Results<JsonOk<CitizenIdScan>, ProblemResult>> ScanWithEmulatedScannerAsync(HttpContext http, CitizenIdScans scans)
    {
        if (http.RequestServices.GetService<EmulatedScanner>() is not { } scanner)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "no_simulated_scanner", "The 2D scanner is not emulated (Hardware:CardReader has no scanner:simulated).");
        }

        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.SimulatedScanRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        var typed = request.Text is { } text ? EmulatedScanner.Ascii(text) : string.Empty;
        if (typed.Length is 0 or > Firmware.Readers.KeyboardWedgeDecoder.MaxTextLength)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "invalid_request", $"text: the scanned text is required, at most {Firmware.Readers.KeyboardWedgeDecoder.MaxTextLength} characters.");
        }

        var read = new TaskCompletionSource<CitizenIdScan>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnScan(CitizenIdScan scan) => read.TrySetResult(scan);
        scans.Scanned += OnScan;
        try
        {
            await scanner.ScanAsync(typed, http.RequestAborted).ConfigureAwait(false);
            var scan = await read.Task.WaitAsync(TimeSpan.FromSeconds(10), http.RequestAborted).ConfigureAwait(false);
            return JsonOk.Of(scan, TerminalJsonContext.Readable.CitizenIdScan, StatusCodes.Status202Accepted);
        }
        catch (TimeoutException)
        {
            return ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, "scanner_not_listening", "The scan was not read within 10 s.");
        }
        finally
        {
            scans.Scanned -= OnScan;
        }
    }

    private static Results<FileContentHttpResult, ProblemResult> GetPanelPng(CustomerPanel panel) =>
        panel.Emulator is { } emulator
            ? TypedResults.File(emulator.GlassPng(), "image/png")
            : ApiProblems.Create(StatusCodes.Status404NotFound, "no_simulated_panel", "The customer panel is not emulated (Hardware:Display is not spi:…:simulated:…).");

    private static async Task<Results<JsonOk<TapView>, ProblemResult>> TapCardAsync(HttpContext http, CardPresence presence)
    {
        if (http.RequestServices.GetService<EmulatedCardReader>() is not { } reader)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "no_simulated_reader", "The card reader is not simulated.");
        }

        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.SimulatedTapRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        if (CardPresence.Normalise(request.Uid) is not { } uid || uid.Length == 10)
        {
            return ApiProblems.From(PaymentRefusal.InvalidRequest("payment.invalid.simulated_uid"));
        }

        if (request.HoldMs is < 0 or > 10_000)
        {
            return ApiProblems.From(PaymentRefusal.InvalidRequest("payment.invalid.simulated_hold"));
        }

        // The card is held to the emulated chip until the real driver has read it, then holdMs more (600 unless
        // given; 0 lifts it at once, a quick tap, so the next tap needs no wait for the field to empty); wait for the
        // listener to have recorded the tap.
        var recorded = new TaskCompletionSource<CardTap>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnTap(CardTap tap)
        {
            if (tap.Uid == uid)
            {
                recorded.TrySetResult(tap);
            }
        }

        presence.Tapped += OnTap;
        try
        {
            await reader.TapAsync(uid, TimeSpan.FromMilliseconds(request.HoldMs ?? 600), http.RequestAborted).ConfigureAwait(false);
            var tap = await recorded.Task.WaitAsync(TimeSpan.FromSeconds(15), http.RequestAborted).ConfigureAwait(false);
            return JsonOk.Of(Views.Tap(tap, fullUid: true), TerminalJsonContext.Readable.TapView, StatusCodes.Status202Accepted);
        }
        catch (TimeoutException)
        {
            return ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, "reader_not_listening", "The card tap was not processed within 15 s.");
        }
        finally
        {
            presence.Tapped -= OnTap;
        }
    }

    private static Results<JsonOk<SimulatedGpioView>, ProblemResult> GetGpio(GpioSetup gpio, TerminalIndicators indicators) => gpio.Simulated is not SimulatedGpioDriver chip
        ? ApiProblems.Create(StatusCodes.Status404NotFound, "no_simulated_gpio", "The GPIO is not simulated.")
        : JsonOk.Of(new SimulatedGpioView(
            Views.Name(indicators.Light),
            gpio.LightPin is { } light && chip.LevelOf(light) == System.Device.Gpio.PinValue.High,
            gpio.LightPin is { } pin ? chip.EdgesOf(pin).Count : 0,
            gpio.BuzzerPin is { } buzzer ? chip.RisingEdgesOf(buzzer) : 0,
            gpio.HelpButtonPin is { } button && chip.IsOpen(button) && chip.LevelOf(button) == System.Device.Gpio.PinValue.Low), TerminalJsonContext.Readable.SimulatedGpioView);

    private static async Task<Results<NoContent, ProblemResult>> PressHelpButtonAsync(GpioSetup gpio, TimeProvider time, CancellationToken ct)
    {
        if (gpio is not { Simulated: SimulatedGpioDriver chip, HelpButtonPin: { } button } || !chip.IsOpen(button))
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "no_simulated_help_button", "There is no simulated help button.");
        }

        // A finger on the button for a moment, as a person presses it.
        chip.Press(button);
        await Task.Delay(TimeSpan.FromMilliseconds(150), time, ct).ConfigureAwait(false);
        chip.Release(button);
        return TypedResults.NoContent();
    }

    private static Results<JsonOk<EmulatorView>, ProblemResult> GetEmulatedPrinter(HttpContext http) => http.RequestServices.GetService<EmulatedReceiptPrinter>() is { } printer
        ? JsonOk.Of(new EmulatorView(printer.Emulator.PagesPrinted, printer.Emulator.CompletePages, printer.Emulator.HasBacklog, printer.Emulator.NotUnderstood), TerminalJsonContext.Readable.EmulatorView)
        : NoEmulatedPrinter();

    private static async Task<Results<NoContent, ProblemResult>> SetEmulatedPrinterAsync(HttpContext http, PrintSignal signal)
    {
        if (http.RequestServices.GetService<EmulatedReceiptPrinter>() is not { } printer)
        {
            return NoEmulatedPrinter();
        }

        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.SimulatedPrinterRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        Apply(printer.Emulator, request);
        signal.Request();
        return TypedResults.NoContent();
    }

    private static void Apply(EscPosEmulator emulator, SimulatedPrinterRequest request)
    {
        if (request.RunOutAfterRows is { } rows)
        {
            emulator.RunOutOfPaperAfter(rows);
        }

        if (request.PaperOut is { } paperOut)
        {
            emulator.PaperOut = paperOut;
        }

        if (request.PaperNearEnd is { } nearEnd)
        {
            emulator.PaperNearEnd = nearEnd;
        }

        if (request.CoverOpen is { } coverOpen)
        {
            emulator.CoverOpen = coverOpen;
        }

        if (request.Offline is { } offline)
        {
            emulator.Offline = offline;
        }
    }

    private static ProblemResult NoEmulatedPrinter() => ApiProblems.Create(StatusCodes.Status404NotFound, "no_emulated_printer", "The printer is not the emulator.");
}
