using System.Globalization;
using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// Any byte stream sent to the printer emulator (<see cref="EscPosEmulator"/>, what a driver or encoder nobody here
/// wrote sends): rendered without an exception, once whole and once in the pieces a transport may cut it into (the
/// same pages either way); every sequence not understood is reported with an offset inside the stream; every page is
/// as wide as the paper.
/// </summary>
internal sealed class EscPosEmulatorTarget : IFuzzTarget
{
    private static readonly ReceiptFonts s_fonts = ReceiptFonts.Load();

    public string Name => "escpos-emulator";

    public string Parser => "EscPosEmulator.RenderAll and Receive (the printer emulator's ESC/POS parser)";

    public void Run(ReadOnlySpan<byte> input)
    {
        var whole = new EscPosEmulator(fonts: s_fonts);
        var answered = 0;
        whole.Connect(bytes => answered += bytes.Length);
        var pages = whole.RenderAll(input);
        Check(whole, pages, input.Length);

        // The same stream in pieces of a size the first byte picks (1-16), as a USB or serial transport delivers it.
        var piece = input.IsEmpty ? 1 : (input[0] & 0x0F) + 1;
        var pieces = new EscPosEmulator(fonts: s_fonts);
        pieces.Connect(_ => { });
        var cut = 0;
        pieces.PagePrinted += _ => cut++;
        for (var at = 0; at < input.Length; at += piece)
        {
            pieces.Receive(input.Slice(at, Math.Min(piece, input.Length - at)));
        }

        // A piece that is a real-time command by itself (DLE ...) is obeyed at once, ahead of what waits: the pages
        // may then differ on purpose.
        if (input.IndexOf((byte)0x10) < 0 && (cut != whole.CompletePages || pieces.CompletePages != whole.CompletePages))
        {
            throw new FuzzFinding($"{whole.CompletePages} pages cut from the whole stream, {pieces.CompletePages} from it in pieces of {piece}");
        }
    }

    private static void Check(EscPosEmulator emulator, IReadOnlyList<PrintedPage> pages, int length)
    {
        foreach (var unknown in emulator.NotUnderstood)
        {
            var space = unknown.IndexOf(':', StringComparison.Ordinal);
            if (!unknown.StartsWith('@') || space < 2 || !long.TryParse(unknown.AsSpan(1, space - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) || offset > length)
            {
                throw new FuzzFinding($"'{unknown}' does not give an offset inside the {length} bytes");
            }
        }

        foreach (var page in pages)
        {
            if (page.Image.Width != emulator.WidthDots || page.Image.Rows.Length != (page.Image.Width + 7) / 8 * page.Image.Height)
            {
                throw new FuzzFinding($"page {page.Number} is {page.Image.Width} × {page.Image.Height} dots with {page.Image.Rows.Length} bytes");
            }
        }
    }
}
