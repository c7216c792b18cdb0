using System.Globalization;
using KioskPos.Firmware.Devices;
using KioskPos.Storage;
using KioskPos.Sync;
using Microsoft.Extensions.Options;
using KioskPos.Core.Text;

namespace KioskPos.Terminal.Services;

/// <summary>One check of the self-test.</summary>
/// <param name="Name">What was checked: printer, card_reader, indicators, disk, clock, province_server, journal.</param>
/// <param name="Ok">True when it is fine; false when the technician must act.</param>
/// <param name="Detail">What was found, Vietnamese then English.</param>
public sealed record SelfTestCheck(string Name, bool Ok, string Detail);

/// <summary>The self-test's outcome.</summary>
/// <param name="Ok">True when every check passed.</param>
/// <param name="At">When it ran.</param>
/// <param name="Checks">Each check.</param>
public sealed record SelfTestResult(bool Ok, DateTimeOffset At, IReadOnlyList<SelfTestCheck> Checks);

/// <summary>
/// What a technician runs after installing or repairing a terminal: each device and dependency asked in turn, each
/// with a plain answer. Nothing in it reads payment or personal data.
/// </summary>
internal sealed class SelfTest(
    IReceiptPrinter printer,
    ICardReader reader,
    CardPresence presence,
    TerminalIndicators indicators,
    ScreenStreams screens,
    SyncWorker sync,
    SyncedClock clock,
    JournalVerifier journal,
    IOptions<TerminalOptions> options,
    TimeProvider time,
    CustomerPanel panel)
{
    /// <summary>Below this much free space on the data folder's disk the disk check fails.</summary>
    public const long MinFreeBytes = 64L * 1024 * 1024;

    /// <summary>A clock further than this from the province server's fails the clock check.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(2);

    /// <summary>Runs every check; waits up to <paramref name="tapWait"/> for a card on the reader (zero: does not wait).</summary>
    public Task<SelfTestResult> RunAsync(TimeSpan tapWait, CancellationToken cancellationToken) => RunAsync(tapWait, unattended: false, cancellationToken);

    /// <summary>
    /// The checks a new version must pass after an upgrade, with no one at the terminal (the upgrade helper's check):
    /// the devices this version drives (printer, reader, light and buzzer, customer panel), the disk and the journal.
    /// Left out are what depends on something other than this version: the screens (the kiosk browser reconnects in
    /// its own time), the province server and the clock set from it (a province down at night must not roll every
    /// terminal back).
    /// </summary>
    public Task<SelfTestResult> RunUnattendedAsync(CancellationToken cancellationToken) => RunAsync(TimeSpan.Zero, unattended: true, cancellationToken);

    private async Task<SelfTestResult> RunAsync(TimeSpan tapWait, bool unattended, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var checks = new List<SelfTestCheck>
        {
            await PrinterAsync(cancellationToken).ConfigureAwait(false),
            await ReaderAsync(started, tapWait, cancellationToken).ConfigureAwait(false),
            Indicators(),
        };
        if (!unattended)
        {
            checks.Add(Screens());
        }

        if (Panel() is { } panelCheck)
        {
            checks.Add(panelCheck);
        }

        checks.Add(Disk());
        if (!unattended)
        {
            // The server last: a sync round proves it is reachable and accepts this terminal's signature, and sets the
            // clock's offset the clock check reads.
            var round = await sync.RunRoundAsync(cancellationToken).ConfigureAwait(false);
            checks.Add(round.Error is null
                ? new SelfTestCheck("province_server", true, Messages.Both("terminal.service.selftest.server_ok", round.Pushed, round.Pulled))
                : new SelfTestCheck("province_server", false, Messages.Both("terminal.service.selftest.server_failed", round.Error)));
            var skew = clock.Offset.Duration();
            checks.Add(new SelfTestCheck("clock", skew <= MaxSkew,
                Messages.Both(skew > MaxSkew ? "terminal.service.selftest.clock_far" : "terminal.service.selftest.clock", skew.TotalSeconds.ToString("0", CultureInfo.InvariantCulture))));
        }

        var verified = await journal.VerifyAsync(cancellationToken).ConfigureAwait(false);
        checks.Add(new SelfTestCheck("journal", verified.Ok, verified.Ok
            ? Messages.Both("terminal.service.selftest.journal_ok", verified.Entries)
            : Messages.Both("terminal.service.selftest.journal_broken", verified.Problems.Count, verified.Problems[0])));
        return new SelfTestResult(checks.All(c => c.Ok), started, checks);
    }

    private async Task<SelfTestCheck> PrinterAsync(CancellationToken cancellationToken)
    {
        var status = await printer.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        return status is null
            ? new SelfTestCheck("printer", false, Messages.Both("terminal.service.selftest.printer_silent", printer.Name))
            : new SelfTestCheck("printer", status.CanPrint, $"{printer.Name}: {status.Describe()}");
    }

    private async Task<SelfTestCheck> ReaderAsync(DateTimeOffset since, TimeSpan tapWait, CancellationToken cancellationToken)
    {
        // A reader that could not be opened (or stopped answering) reads no card, however long one waits.
        if (reader.Health is { State: ReaderState.Unavailable } health)
        {
            return new SelfTestCheck("card_reader", false, Messages.Both("terminal.service.selftest.reader_unavailable", reader.Name, health.Problem ?? string.Empty));
        }

        var deadline = time.GetUtcNow() + tapWait;
        while (tapWait > TimeSpan.Zero && !(presence.Last?.At >= since) && time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }

        if (presence.LastProblem is { } problem && problem.At >= since)
        {
            return new SelfTestCheck("card_reader", false, $"{reader.Name}: {problem.Problem}");
        }

        if (tapWait <= TimeSpan.Zero)
        {
            return new SelfTestCheck("card_reader", true, Messages.Both("terminal.service.selftest.reader_polling", reader.Name));
        }

        return presence.Last is { } tap && tap.At >= since
            ? new SelfTestCheck("card_reader", true, Messages.Both("terminal.service.selftest.reader_read", reader.Name, Core.Text.PersonalData.MaskCardUid(tap.Uid)))
            : new SelfTestCheck("card_reader", false, Messages.Both("terminal.service.selftest.reader_no_card", reader.Name, tapWait.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)));
    }

    private SelfTestCheck Indicators() => indicators.Test() is { } test
        ? new SelfTestCheck("indicators", test.Beeped, IndicatorLine(test.Light, test.Beeped ? "terminal.service.selftest.beeped" : "terminal.service.selftest.silent"))
        : new SelfTestCheck("indicators", true, Messages.Both("terminal.service.selftest.no_indicators"));

    private static string IndicatorLine(object light, string buzzerKey) =>
        $"{Messages.Vi("terminal.service.selftest.indicators", light, Messages.Vi(buzzerKey))} / {Messages.En("terminal.service.selftest.indicators", light, Messages.En(buzzerKey))}";

    private SelfTestCheck Screens() => screens.Open > 0
        ? new SelfTestCheck("screens", true, Messages.Both("terminal.service.selftest.screens", screens.Open))
        : new SelfTestCheck("screens", false, Messages.Both("terminal.service.selftest.no_screens"));

    // The SPI customer panel, when there is one: the test pattern stays up for a while for the technician to confirm
    // what the detail asks; an emulated panel's glass is read back, so the check is a real one there.
    private SelfTestCheck? Panel()
    {
        var state = panel.State;
        if (state.State == "none")
        {
            return null;
        }

        if (!panel.ShowTestPattern(TimeSpan.FromSeconds(15)))
        {
            return new SelfTestCheck("customer_panel", false, panel.View().Value ?? state.State);
        }

        var shown = panel.TestPatternShown() ?? true;
        return new SelfTestCheck("customer_panel", shown, Messages.Both("display.panel.selftest.confirm"));
    }

    private SelfTestCheck Disk()
    {
        var folder = Path.GetFullPath(options.Value.DataDirectory);
        var free = new DriveInfo(folder).AvailableFreeSpace;
        return new SelfTestCheck("disk", free >= MinFreeBytes,
            Messages.Both("terminal.service.selftest.disk", free / (1024 * 1024), folder));
    }
}
