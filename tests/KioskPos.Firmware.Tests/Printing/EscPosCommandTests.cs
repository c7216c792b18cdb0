using KioskPos.Core.VietQr;
using KioskPos.Firmware.Printing;

namespace KioskPos.Firmware.Tests.Printing;

public class EscPosCommandTests
{
    public static TheoryData<string, byte[], string> Commands => new()
    {
        { "initialise", EscPos.Initialise(), "1B 40" },
        { "cancel double-byte", EscPos.CancelDoubleByte(), "1C 2E" },
        { "code page 30", EscPos.CodePage(30), "1B 74 1E" },
        { "code page 52", EscPos.CodePage(52), "1B 74 34" },
        { "align left", EscPos.Align(Justification.Left), "1B 61 00" },
        { "align centre", EscPos.Align(Justification.Centre), "1B 61 01" },
        { "align right", EscPos.Align(Justification.Right), "1B 61 02" },
        { "bold on", EscPos.Bold(true), "1B 45 01" },
        { "bold off", EscPos.Bold(false), "1B 45 00" },
        { "underline thin", EscPos.SetUnderline(Underline.Thin), "1B 2D 01" },
        { "underline thick", EscPos.SetUnderline(Underline.Thick), "1B 2D 02" },
        { "underline off", EscPos.SetUnderline(Underline.Off), "1B 2D 00" },
        { "size 1x1", EscPos.CharacterSize(1, 1), "1D 21 00" },
        { "size 2x2", EscPos.CharacterSize(2, 2), "1D 21 11" },
        { "size 3 wide 1 high", EscPos.CharacterSize(3, 1), "1D 21 20" },
        { "size 8x8", EscPos.CharacterSize(8, 8), "1D 21 77" },
        { "line spacing 30", EscPos.LineSpacing(30), "1B 33 1E" },
        { "default line spacing", EscPos.DefaultLineSpacing(), "1B 32" },
        { "feed 3", EscPos.Feed(3), "1B 64 03" },
        { "full cut", EscPos.Cut(CutMode.Full), "1D 56 00" },
        { "partial cut", EscPos.Cut(CutMode.Partial), "1D 56 01" },
        { "feed and full cut", EscPos.FeedAndCut(96, CutMode.Full), "1D 56 41 60" },
        { "feed and partial cut", EscPos.FeedAndCut(10, CutMode.Partial), "1D 56 42 0A" },
        { "drawer pin 2", EscPos.CashDrawerPulse(2, 25, 250), "1B 70 00 19 FA" },
        { "drawer pin 5", EscPos.CashDrawerPulse(5, 50, 100), "1B 70 01 32 64" },
        { "status printer", EscPos.StatusRequest(StatusKind.Printer), "10 04 01" },
        { "status offline", EscPos.StatusRequest(StatusKind.Offline), "10 04 02" },
        { "status error", EscPos.StatusRequest(StatusKind.Error), "10 04 03" },
        { "status paper", EscPos.StatusRequest(StatusKind.Paper), "10 04 04" },
        { "automatic status back off", EscPos.AutomaticStatusBack(0), "1D 61 00" },
        { "completion marker GS r 1", EscPosPrinter.CompletionMarker, "1D 72 01" },
        { "clear buffers DLE DC4 8", EscPosPrinter.ClearBuffers, "10 14 08 01 03 14 01 06 02 08" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Each_command_has_its_exact_bytes(string name, byte[] actual, string expected) =>
        Assert.True(Hex(actual) == expected, $"{name}: {Hex(actual)} != {expected}");

    [Fact]
    public void A_native_QR_is_model_size_level_store_print_with_the_byte_length()
    {
        Assert.Equal(
            "1D 28 6B 04 00 31 41 32 00 " + "1D 28 6B 03 00 31 43 06 " + "1D 28 6B 03 00 31 45 31 " +
            "1D 28 6B 06 00 31 50 30 41 42 43 " + "1D 28 6B 03 00 31 51 30",
            Hex(EscPos.Qr("ABC", 6, QrErrorCorrection.M)));
    }

    [Fact]
    public void The_QR_store_length_counts_bytes_not_characters_and_crosses_256()
    {
        var payload = new string('A', 300);
        var bytes = EscPos.Qr(payload);
        var store = IndexOf(bytes, [0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30]);
        Assert.True(store > 0, "pL pH = 303 = 0x012F");

        // "đ" is two bytes in UTF-8: the length says 2 + 3.
        var utf8 = EscPos.Qr("đ", encoding: System.Text.Encoding.UTF8);
        Assert.True(IndexOf(utf8, [0x1D, 0x28, 0x6B, 0x05, 0x00, 0x31, 0x50, 0x30, 0xC4, 0x91]) > 0);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(9, 1)]
    [InlineData(1, 0)]
    [InlineData(1, 9)]
    public void Character_sizes_outside_one_to_eight_are_refused(int width, int height) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EscPos.CharacterSize(width, height));

    [Fact]
    public void Bad_QR_and_drawer_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EscPos.Qr("x", moduleSize: 17));
        Assert.Throws<ArgumentOutOfRangeException>(() => EscPos.Qr(string.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => EscPos.CashDrawerPulse(3));
    }

    [Fact]
    public void A_raster_image_is_GS_v_0_with_width_in_bytes_and_rows()
    {
        var image = new MonoBitmap(16, 2, [0x80, 0x01, 0xFF, 0x00]);
        Assert.Equal("1D 76 30 00 02 00 02 00 80 01 FF 00", Hex(EscPos.Raster(image)));
    }

    [Fact]
    public void A_tall_image_goes_in_bands_that_together_hold_every_row()
    {
        var rows = new byte[72 * 2000];
        new Random(7).NextBytes(rows);
        var image = new MonoBitmap(576, 2000, rows);
        var bytes = EscPos.Raster(image);

        // 960 + 960 + 80 rows, each band with its own header.
        Assert.Equal((3 * 8) + rows.Length, bytes.Length);
        Assert.Equal("1D 76 30 00 48 00 C0 03", Hex(bytes[..8]));
        var second = 8 + (72 * 960);
        Assert.Equal("1D 76 30 00 48 00 C0 03", Hex(bytes[second..(second + 8)]));
        var third = second + 8 + (72 * 960);
        Assert.Equal("1D 76 30 00 48 00 50 00", Hex(bytes[third..(third + 8)]));
        Assert.Equal(rows[(72 * 1920)..], bytes[(third + 8)..]);
    }

    internal static string Hex(byte[] bytes) => Convert.ToHexString(bytes).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + " " + b);

    internal static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        return -1;
    }
}

public class PrinterStatusTests
{
    [Fact]
    public void A_healthy_printer_decodes_as_ready()
    {
        var status = PrinterStatus.Decode(0x16, 0x12, 0x12, 0x12);
        Assert.True(status.CanPrint);
        Assert.Equal("ready", status.Code);
        Assert.Equal(PrinterStatus.Ready, status);
    }

    [Theory]
    [InlineData(1, 3, "Offline", "offline")]
    [InlineData(1, 5, "WaitingForRecovery", "ready")]
    [InlineData(1, 6, "FeedButtonPressed", "ready")]
    [InlineData(2, 2, "CoverOpen", "cover_open")]
    [InlineData(2, 3, "FeedingByButton", "ready")]
    [InlineData(2, 5, "PaperEndStop", "paper_out")]
    [InlineData(2, 6, "ErrorOccurred", "error")]
    [InlineData(3, 2, "RecoverableError", "error")]
    [InlineData(3, 3, "CutterError", "cutter_error")]
    [InlineData(3, 5, "UnrecoverableError", "error")]
    [InlineData(3, 6, "HeadTooHot", "head_hot")]
    public void Each_status_bit_sets_its_own_flag_and_nothing_else(int request, int bit, string flag, string code)
    {
        var bytes = new byte[] { 0x12, 0x12, 0x12, 0x12 };
        bytes[request - 1] |= (byte)(1 << bit);
        var status = PrinterStatus.Decode(bytes[0], bytes[1], bytes[2], bytes[3]);
        foreach (var property in typeof(PrinterStatus).GetProperties().Where(p => p.PropertyType == typeof(bool) && p.Name != nameof(PrinterStatus.CanPrint)))
        {
            Assert.True((bool)property.GetValue(status)! == (property.Name == flag), $"{property.Name} after bit {bit} of DLE EOT {request}");
        }

        Assert.Equal(code, status.Code);
    }

    [Theory]
    [InlineData(0x1E, true, false, "ready")]
    [InlineData(0x72, false, true, "paper_out")]
    [InlineData(0x7E, true, true, "paper_out")]
    public void The_paper_sensor_reports_near_end_and_out(byte paper, bool nearEnd, bool paperOut, string code)
    {
        var status = PrinterStatus.Decode(0x12, 0x12, 0x12, paper);
        Assert.Equal(nearEnd, status.PaperNearEnd);
        Assert.Equal(paperOut, status.PaperOut);
        Assert.Equal(code, status.Code);
        Assert.Equal(!paperOut, status.CanPrint);
        Assert.Contains(paperOut ? "hết giấy" : nearEnd ? "sắp hết" : "Sẵn sàng", status.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0xFF)]
    [InlineData(0x13)]
    [InlineData(0x92)]
    public void A_byte_without_the_fixed_bits_is_not_a_status(byte value) =>
        Assert.Throws<PrinterStatusException>(() => PrinterStatus.Decode(value, 0x12, 0x12, 0x12));
}
