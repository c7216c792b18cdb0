using KioskPos.Core.Receipts;
using KioskPos.Core.VietQr;

namespace KioskPos.Firmware.Printing;

/// <summary>A printer's paper and language: what the encoder needs to know.</summary>
/// <param name="PaperWidthMm">58 or 80.</param>
/// <param name="TextMode">Raster (the default) or a text mode.</param>
/// <param name="CodePage">The printer's number for the text mode's table (TCVN-3 lower case, or Windows-1258); null: Epson's.</param>
/// <param name="CapitalsCodePage">TCVN-3 only: the capitals' table; null: <paramref name="CodePage"/> + 1.</param>
/// <param name="CancelDoubleByte">Send <c>FS .</c> first (printers that start in Chinese double-byte mode).</param>
public sealed record PrinterLanguage(int PaperWidthMm = 80, PrinterTextMode TextMode = PrinterTextMode.Raster, byte? CodePage = null, byte? CapitalsCodePage = null, bool CancelDoubleByte = false)
{
    /// <summary>Print the document's reference (the receipt number) under it as a CODE128 barcode, for a counter
    /// that scans receipts back (refunds, voids).</summary>
    public bool ReferenceBarcode { get; init; }

    /// <summary>The cash drawer on the printer's kick-out connector (pin 2 or 5): it opens after each receipt is
    /// cut, for counters that still take cash; null: no drawer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 2 or 5 (checked when the terminal starts, not at the first receipt).</exception>
    public int? CashDrawerPin
    {
        get;
        init => field = value is null or 2 or 5 ? value : throw new ArgumentOutOfRangeException(nameof(CashDrawerPin), value, "the drawer connector has pins 2 and 5");
    }

    /// <summary>
    /// The printer takes <c>GS ( D</c> function 20 (Epson TM models list it): each job starts by turning off the
    /// real-time drawer pulse and power-off (<c>DLE DC4 1</c>, <c>2</c>), so that pixel bytes <c>10 14 01 m t</c> in
    /// a raster receipt cannot open the drawer. Off by default: a printer without it may print the command's bytes.
    /// </summary>
    public bool DisableRealTimePulse { get; init; }

    /// <summary>Dots across the paper.</summary>
    public int WidthDots => PaperWidthMm >= 80 ? RasterRenderer.Width80mm : RasterRenderer.Width58mm;

    /// <summary>Columns of Font A.</summary>
    public int Columns => PaperWidthMm >= 80 ? PlainTextLayout.Columns80mm : PlainTextLayout.Columns58mm;

    /// <summary>A description for test pages and diagnostics.</summary>
    public override string ToString() => $"{PaperWidthMm} mm, {TextMode switch
    {
        PrinterTextMode.Raster => "raster",
        PrinterTextMode.Tcvn3 => $"TCVN-3 ({CodePage ?? 30}/{CapitalsCodePage ?? (CodePage ?? 30) + 1})",
        PrinterTextMode.Windows1258 => $"Windows-1258 ({CodePage ?? 52})",
        _ => "ASCII",
    }}{(ReferenceBarcode ? ", receipt number as CODE128" : string.Empty)}{(CashDrawerPin is { } pin ? $", cash drawer on pin {pin}" : string.Empty)}{(DisableRealTimePulse ? ", real-time pulse off" : string.Empty)}";
}

/// <summary>The bytes of one job, and where in them its raster bands are.</summary>
/// <param name="Bytes">The job.</param>
/// <param name="Preamble">How many bytes come before the content (<c>ESC @</c>, <c>FS .</c>, <c>GS ( D</c>): settings the
/// driver can have the printer obey before a pixel is sent.</param>
/// <param name="Bands">Each <c>GS v 0</c> band as its first byte and the byte after its last, in order.</param>
public sealed record PrintJob(byte[] Bytes, int Preamble, IReadOnlyList<(int Start, int End)> Bands)
{
    /// <summary>
    /// What completes the band that the first <paramref name="written"/> bytes stop inside: the rest of its header as
    /// it is, then blank (zero) rows for the rest of its data; empty when they stop between commands. A printer left
    /// inside a band would take the next job's bytes as pixels, and later pixel bytes as commands.
    /// </summary>
    public byte[] BandPadding(int written)
    {
        foreach (var (start, end) in Bands)
        {
            if (written > start && written < end)
            {
                var padding = new byte[end - written];
                var header = Math.Max(0, start + 8 - written);
                Bytes.AsSpan(written, header).CopyTo(padding);
                return padding;
            }
        }

        return [];
    }
}

/// <summary>
/// Turns a <see cref="PrintDocument"/> into the bytes of one ESC/POS job: initialise, the content (one raster image,
/// or text in the profile's code page with a native QR), feed and cut.
/// </summary>
public sealed class DocumentEncoder
{
    private readonly PrinterLanguage _language;
    private readonly RasterRenderer? _raster;
    private readonly VietnameseTextEncoder? _text;

    /// <summary>An encoder for <paramref name="language"/>; raster mode needs <paramref name="fonts"/>.</summary>
    public DocumentEncoder(PrinterLanguage language, ReceiptFonts? fonts)
    {
        _language = language;
        if (language.TextMode == PrinterTextMode.Raster)
        {
            _raster = new RasterRenderer(fonts ?? throw new ArgumentNullException(nameof(fonts), "raster printing needs fonts"));
        }
        else
        {
            var epson = VietnameseTextEncoder.EpsonDefault(language.TextMode);
            _text = language.CodePage is { } page ? new VietnameseTextEncoder(language.TextMode, page, language.CapitalsCodePage) : epson;
        }
    }

    /// <summary>The language the encoder writes.</summary>
    public PrinterLanguage Language => _language;

    /// <summary>The bytes of <paramref name="document"/> as one job, ending with a cut (and the drawer pulse when the language has a drawer).</summary>
    public byte[] Encode(PrintDocument document) => EncodeJob(document).Bytes;

    /// <summary>
    /// <paramref name="document"/> as one job, ending with a cut; a receipt opens the drawer after it when the language
    /// has one and <paramref name="openDrawer"/> (never on a retry that may follow a pulse already sent).
    /// </summary>
    public PrintJob EncodeJob(PrintDocument document, bool openDrawer = true)
    {
        var output = new MemoryStream(16 * 1024);
        var preamble = Preamble(output);
        var bands = new List<(int Start, int End)>();
        if (_raster is not null)
        {
            WriteRaster(output, _raster.Render(document, _language.WidthDots), bands);
        }
        else
        {
            EncodeText(output, document);
        }

        var receipt = document.Reference is { Length: > 0 } reference && !reference.EndsWith("-tam", StringComparison.Ordinal) ? reference : null;
        if (_language.ReferenceBarcode && receipt is not null && receipt.All(c => c is >= ' ' and <= '~'))
        {
            output.Write(EscPos.Align(Justification.Centre));
            output.Write(EscPos.Code128(receipt, height: 60, moduleWidth: 2));
            output.WriteByte(EscPos.LineFeed);
            output.Write(EscPos.Align(Justification.Left));
        }

        output.Write(EscPos.FeedAndCut(96));
        if (_language.CashDrawerPin is { } pin && receipt is not null && openDrawer)
        {
            // 50 ms on, 500 ms off: within what drawer solenoids take (most want 50-200 ms).
            output.Write(EscPos.CashDrawerPulse(pin, onTime: 25, offTime: 250));
        }

        return new PrintJob(output.ToArray(), preamble, bands);
    }

    /// <summary>A picture as one job (a test pattern, a logo): the preamble, the image in receipt bands, feed and cut.</summary>
    public PrintJob EncodeImage(MonoBitmap image)
    {
        var output = new MemoryStream(image.Rows.Length + 256);
        var preamble = Preamble(output);
        var bands = new List<(int Start, int End)>();
        WriteRaster(output, image, bands);
        output.Write(EscPos.FeedAndCut(96));
        return new PrintJob(output.ToArray(), preamble, bands);
    }

    private int Preamble(MemoryStream output)
    {
        output.Write(EscPos.Initialise());
        if (_language.CancelDoubleByte)
        {
            output.Write(EscPos.CancelDoubleByte());
        }

        if (_language.DisableRealTimePulse)
        {
            output.Write(EscPos.DisableRealTimePulseAndPowerOff());
        }

        return (int)output.Position;
    }

    private static void WriteRaster(MemoryStream output, MonoBitmap image, List<(int Start, int End)> bands)
    {
        var start = (int)output.Position;
        output.Write(EscPos.Raster(image, EscPos.ReceiptBandRows));
        for (var top = 0; top < image.Height; top += EscPos.ReceiptBandRows)
        {
            var end = start + 8 + (Math.Min(EscPos.ReceiptBandRows, image.Height - top) * image.Stride);
            bands.Add((start, end));
            start = end;
        }
    }

    private void EncodeText(MemoryStream output, PrintDocument document)
    {
        var columns = _language.Columns;
        output.Write(_text!.Select());
        void Line(string text)
        {
            output.Write(_text.Encode(text));
            output.WriteByte(EscPos.LineFeed);
        }

        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case TextBlock text:
                    output.Write(EscPos.Align(text.Align switch { TextAlign.Centre => Justification.Centre, TextAlign.Right => Justification.Right, _ => Justification.Left }));
                    if (text.Bold)
                    {
                        output.Write(EscPos.Bold(true));
                    }

                    if (text.Large)
                    {
                        output.Write(EscPos.CharacterSize(2, 2));
                    }

                    foreach (var line in PlainTextLayout.Wrap(text.Text, text.Large ? columns / 2 : columns))
                    {
                        Line(line);
                    }

                    if (text.Large)
                    {
                        output.Write(EscPos.CharacterSize(1, 1));
                    }

                    if (text.Bold)
                    {
                        output.Write(EscPos.Bold(false));
                    }

                    output.Write(EscPos.Align(Justification.Left));
                    break;
                case PairBlock pair:
                    if (pair.Bold)
                    {
                        output.Write(EscPos.Bold(true));
                    }

                    foreach (var line in PlainTextLayout.Pair(pair.Label, pair.Value, columns))
                    {
                        Line(line);
                    }

                    if (pair.Bold)
                    {
                        output.Write(EscPos.Bold(false));
                    }

                    break;
                case RuleBlock:
                    Line(new string('-', columns));
                    break;
                case QrBlock qr:
                    output.Write(EscPos.Align(Justification.Centre));
                    output.Write(EscPos.Qr(qr.Payload, _language.PaperWidthMm >= 80 ? 6 : 4));
                    if (qr.Caption is { } caption)
                    {
                        Line(caption);
                    }

                    output.Write(EscPos.Align(Justification.Left));
                    break;
                case FeedBlock feed:
                    output.Write(EscPos.Feed((byte)Math.Clamp(feed.Lines, 0, 255)));
                    break;
            }
        }
    }
}
