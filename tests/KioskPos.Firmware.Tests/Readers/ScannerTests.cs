using System.Diagnostics;
using KioskPos.Core.Hardware;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Readers;
using KioskPos.Tests.Shared;

namespace KioskPos.Firmware.Tests.Readers;

/// <summary>
/// The 2D scanner that reads a citizen-ID card's QR as a keyboard wedge, on evdev byte streams as such a scanner
/// sends them (US layout: Shift for capitals and <c>|</c>, Enter last). The QR follows the layout of
/// ../shared/reference/institution-data.md: number | old number | name | birth date | sex | address | issue date.
/// </summary>
public class ScannerTests
{
    private const string Number = "082190000123";
    private static readonly TimeSpan s_timeout = TimeSpan.FromMilliseconds(150);

    // What a scanner set to send ASCII only types for the card of "Đoàn Thị Kim Tuyết" (it leaves the letters it has
    // no key for out, or sends them as Alt codes: below).
    private const string AsciiQr = Number + "|312345678|Doan Thi Kim Tuyet|15011990|Nu|Ap Long Hoa, xa Long An, huyen Chau Thanh, tinh Tien Giang|20042021";

    [Theory]
    [InlineData(24)]
    [InlineData(16)]
    public void A_scanned_qr_is_its_ascii_text_and_the_number_is_the_first_field(int size)
    {
        var stream = new UsKeyboard(size).Type(AsciiQr).Enter().Bytes;
        var decoder = new KeyboardWedgeDecoder(size, s_timeout, WedgeCharacters.Ascii);
        var text = Assert.Single(decoder.Feed(stream));
        Assert.Equal(AsciiQr, text);
        Assert.Equal(Number, text.Split('|')[0]);
    }

    [Fact]
    public void Vietnamese_letters_sent_as_alt_codes_become_one_question_mark_each_and_the_fields_keep_their_places()
    {
        // "Đoàn" with Đ and à as Alt + keypad codes (0208, 0224): a US layout on Linux cannot type them.
        var events = new UsKeyboard(24).Type(Number + "|312345678|").AltCode("0208").Type("o").AltCode("0224").Type("n Thi|15011990|Nu|Ap Long Hoa|20042021").Enter();
        var text = Assert.Single(new KeyboardWedgeDecoder(24, s_timeout, WedgeCharacters.Ascii).Feed(events.Bytes));
        Assert.Equal(Number + "|312345678|?o?n Thi|15011990|Nu|Ap Long Hoa|20042021", text);
        Assert.Equal(7, text.Split('|').Length);
    }

    [Fact]
    public void A_card_reader_still_refuses_what_a_scanner_types_and_a_pause_drops_a_partial_scan()
    {
        var qr = new UsKeyboard(24).Type(AsciiQr).Enter().Bytes;
        Assert.Empty(new KeyboardWedgeDecoder(24, s_timeout).Feed(qr));

        var decoder = new KeyboardWedgeDecoder(24, s_timeout, WedgeCharacters.Ascii);
        var events = new UsKeyboard(24).Type(Number + "|3123").Wait(TimeSpan.FromMilliseconds(400)).Type("45678|x").Enter().Type(AsciiQr).Enter();
        Assert.Equal(["45678|x", AsciiQr], decoder.Feed(events.Bytes));
        Assert.Equal(1, decoder.Dropped);
    }

    [Fact]
    public void A_scan_longer_than_any_card_qr_is_dropped()
    {
        var decoder = new KeyboardWedgeDecoder(24, s_timeout, WedgeCharacters.Ascii);
        var events = new UsKeyboard(24).Type(new string('1', KeyboardWedgeDecoder.MaxTextLength + 1)).Enter().Type(AsciiQr).Enter();
        Assert.Equal([AsciiQr], decoder.Feed(events.Bytes));
        Assert.Equal(1, decoder.Dropped);
    }

    [Fact]
    public void A_scanner_is_its_own_reader_kind_and_a_missing_one_says_where_to_look()
    {
        var spec = CardReaderSetting.Parse("scanner:/dev/input/by-id/usb-2d-scanner-event-kbd");
        Assert.Equal(CardReaderKind.Scanner, spec.Kind);
        Assert.Equal("/dev/input/by-id/usb-2d-scanner-event-kbd", spec.Path);
        Assert.Throws<FormatException>(() => CardReaderSetting.Parse("scanner:/dev/input/x:hex"));

        var profile = new HardwareProfile { Name = "counter", CardReader = "serial:/dev/serial0:9600:em4100,scanner:/dev/input/by-id/usb-2d-scanner-event-kbd", Printer = "emulator" };
        var problem = Assert.Single(profile.Validate(path => path != "/dev/input/by-id/usb-2d-scanner-event-kbd"));
        Assert.Contains("2D scanner", problem, StringComparison.Ordinal);
        Assert.Contains("ls /dev/input/by-id/", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scanner_reads_a_citizen_id_qr_from_an_event_file_and_reopens_it_when_the_writer_goes()
    {
        var folder = Directory.CreateTempSubdirectory("scanner-").FullName;
        var fifo = Path.Combine(folder, "event-kbd");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        var scanner = new KeyboardWedgeScanner(fifo, TimeProvider.System, s_timeout, 24);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var codes = new List<ScannedCode>();
        var loop = Task.Run(async () =>
        {
            await foreach (var code in scanner.ReadAsync(cancel.Token))
            {
                lock (codes)
                {
                    codes.Add(code);
                }

                if (codes.Count == 2)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        var second = AsciiQr.Replace(Number, "079200001111", StringComparison.Ordinal);
        foreach (var qr in new[] { AsciiQr, second })
        {
            // Each write opens, writes and closes the FIFO, like a scanner unplugged after each scan; a QR's events
            // are more than PIPE_BUF, so a writer that lost the race with the reader's reopen writes all again.
            // A write can also land between the reader's EOF and its reopen and be dropped with the pipe: a scan not read
            // within two seconds is scanned again, as a cashier would.
            var bytes = new UsKeyboard(24).Type(qr).Enter().Bytes;
            for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline && !Seen(qr);)
            {
                await WriteAsync(bytes);
                for (var again = DateTime.UtcNow.AddSeconds(2); DateTime.UtcNow < again && !Seen(qr);)
                {
                    await Task.Delay(20);
                }
            }
        }

        await loop;
        Assert.Equal([Number, "079200001111"], codes.Select(c => c.Text.Split('|')[0]));
        Assert.All(codes, c => Assert.Equal(scanner.Name, c.Scanner));
        Assert.False(scanner.Grabbed);

        bool Seen(string qr)
        {
            lock (codes)
            {
                return codes.Any(c => c.Text == qr);
            }
        }

        async Task WriteAsync(byte[] bytes)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                    await writer.WriteAsync(bytes);
                    break;
                }
                catch (IOException) when (attempt < 20)
                {
                    await Task.Delay(50);
                }
            }
        }
    }
}
