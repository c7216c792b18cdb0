using System.Globalization;
using KioskPos.Firmware.Devices;
using KioskPos.Storage;
using KioskPos.Sync;
using Microsoft.Extensions.Options;

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
    TimeProvider time)
{
    /// <summary>Below this much free space on the data folder's disk the disk check fails.</summary>
    public const long MinFreeBytes = 64L * 1024 * 1024;

    /// <summary>A clock further than this from the province server's fails the clock check.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(2);

    /// <summary>Runs every check; waits up to <paramref name="tapWait"/> for a card on the reader (zero: does not wait).</summary>
    public async Task<SelfTestResult> RunAsync(TimeSpan tapWait, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var checks = new List<SelfTestCheck>
        {
            await PrinterAsync(cancellationToken).ConfigureAwait(false),
            await ReaderAsync(started, tapWait, cancellationToken).ConfigureAwait(false),
            Indicators(),
            Screens(),
            Disk(),
        };

        // The server last: a sync round proves it is reachable and accepts this terminal's signature, and sets the
        // clock's offset the clock check reads.
        var round = await sync.RunRoundAsync(cancellationToken).ConfigureAwait(false);
        checks.Add(round.Error is null
            ? new SelfTestCheck("province_server", true, $"Máy chủ tỉnh nhận chữ ký của máy (gửi {round.Pushed}, nhận {round.Pulled}) / the province server accepts this terminal's signature")
            : new SelfTestCheck("province_server", false, $"Máy chủ tỉnh: {round.Error} / the province server cannot be reached or refuses this terminal"));
        var skew = clock.Offset.Duration();
        checks.Add(new SelfTestCheck("clock", skew <= MaxSkew,
            string.Create(CultureInfo.InvariantCulture, $"Đồng hồ lệch {skew.TotalSeconds:0} giây so với máy chủ / the clock is {skew.TotalSeconds:0} s off the server's{(skew > MaxSkew ? " — check the RTC or NTP" : string.Empty)}")));
        var verified = await journal.VerifyAsync(cancellationToken).ConfigureAwait(false);
        checks.Add(new SelfTestCheck("journal", verified.Ok, verified.Ok
            ? string.Create(CultureInfo.InvariantCulture, $"Nhật ký nguyên vẹn ({verified.Entries} mục) / the journal is whole ({verified.Entries} entries)")
            : $"Nhật ký có lỗi ở {verified.Problems.Count} mục, đầu tiên: {verified.Problems[0]} / the journal is damaged"));
        return new SelfTestResult(checks.All(c => c.Ok), started, checks);
    }

    private async Task<SelfTestCheck> PrinterAsync(CancellationToken cancellationToken)
    {
        var status = await printer.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        return status is null
            ? new SelfTestCheck("printer", false, $"Máy in {printer.Name} không trả lời (cáp, nguồn?) / the printer does not answer (cable, power?)")
            : new SelfTestCheck("printer", status.CanPrint, $"{printer.Name}: {status.Describe()}");
    }

    private async Task<SelfTestCheck> ReaderAsync(DateTimeOffset since, TimeSpan tapWait, CancellationToken cancellationToken)
    {
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
            return new SelfTestCheck("card_reader", true, $"{reader.Name}: đang đọc (không chờ chạm thẻ) / polling (no tap asked for)");
        }

        return presence.Last is { } tap && tap.At >= since
            ? new SelfTestCheck("card_reader", true, $"{reader.Name}: đã đọc thẻ {Core.Text.PersonalData.MaskCardUid(tap.Uid)} / a card was read")
            : new SelfTestCheck("card_reader", false, string.Create(CultureInfo.InvariantCulture, $"{reader.Name}: không có thẻ nào trong {tapWait.TotalSeconds:0} giây / no card was read in {tapWait.TotalSeconds:0} s"));
    }

    private SelfTestCheck Indicators() => indicators.Test() is { } test
        ? new SelfTestCheck("indicators", test.Beeped, $"Đèn: {test.Light}; còi: {(test.Beeped ? "đã kêu một tiếng" : "không kêu")} / light {test.Light}, buzzer {(test.Beeped ? "beeped once" : "silent")}")
        : new SelfTestCheck("indicators", true, "Không có đèn, còi (không cấu hình GPIO) / no light or buzzer configured");

    private SelfTestCheck Screens() => screens.Open > 0
        ? new SelfTestCheck("screens", true, $"{screens.Open} màn hình đang theo dõi máy / {screens.Open} screen(s) connected")
        : new SelfTestCheck("screens", false, "Không có màn hình nào kết nối: trình duyệt ki-ốt có chạy không? (kioskpos-kiosk.service) / no screen connected: is the kiosk browser running?");

    private SelfTestCheck Disk()
    {
        var folder = Path.GetFullPath(options.Value.DataDirectory);
        var free = new DriveInfo(folder).AvailableFreeSpace;
        return new SelfTestCheck("disk", free >= MinFreeBytes,
            string.Create(CultureInfo.InvariantCulture, $"Còn trống {free / (1024 * 1024)} MB ở {folder} / {free / (1024 * 1024)} MB free"));
    }
}
