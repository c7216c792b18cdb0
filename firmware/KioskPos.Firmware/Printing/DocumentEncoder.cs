using KioskPos.Core.Receipts;

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
    }}{(ReferenceBarcode ? ", receipt number as CODE128" : string.Empty)}{(CashDrawerPin is { } pin ? $", cash drawer on pin {pin}" : string.Empty)}";
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

    /// <summary>The bytes of <paramref name="document"/> as one job, ending with a cut.</summary>
    public byte[] Encode(PrintDocument document)
    {
        var output = new MemoryStream(16 * 1024);
        output.Write(EscPos.Initialise());
        if (_language.CancelDoubleByte)
        {
            output.Write(EscPos.CancelDoubleByte());
        }

        if (_raster is not null)
        {
            output.Write(EscPos.Raster(_raster.Render(document, _language.WidthDots)));
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
        if (_language.CashDrawerPin is { } pin && receipt is not null)
        {
            // 50 ms on, 500 ms off: within what drawer solenoids take (most want 50-200 ms).
            output.Write(EscPos.CashDrawerPulse(pin, onTime: 25, offTime: 250));
        }

        return output.ToArray();
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
