using System.Text;
using KioskPos.Core.VietQr;
using KioskPos.Firmware.Printing;
using SkiaSharp;

namespace KioskPos.Hardware.Simulators.Printer;

/// <summary>A stretch of paper between two cuts, as the emulator printed it.</summary>
/// <param name="Number">1 for the first page since the emulator started.</param>
/// <param name="Image">The paper, 1 bit a dot.</param>
/// <param name="Text">The text lines printed in text mode (raster images have none).</param>
/// <param name="QrCodes">The payloads of native QR codes printed.</param>
/// <param name="Complete">False for paper torn off without a cut (paper ran out, or a flush).</param>
public sealed record PrintedPage(int Number, MonoBitmap Image, IReadOnlyList<string> Text, IReadOnlyList<string> QrCodes, bool Complete)
{
    /// <summary>The page as a PNG (white paper, black dots).</summary>
    public byte[] ToPng() => EscPosEmulator.Png(Image);
}

/// <summary>
/// A virtual ESC/POS printer that consumes a byte stream as a real one does: it parses every command the driver sends
/// (and those of common other encoders), draws text and images onto paper, answers the real-time status requests
/// from a settable state, holds its buffer while out of paper (printing the backlog when paper returns unless told to
/// clear it, as real printers do), and reports every byte sequence it does not understand instead of skipping it
/// silently. Thread-safe: bytes may arrive from a transport thread while a test changes the state.
/// </summary>
public sealed class EscPosEmulator
{
    private const int CellWidth = 12;
    private const int CellHeight = 24;

    private readonly Lock _gate = new();
    private readonly ByteQueue _input = new();
    private readonly List<byte[]> _rows = [];
    private readonly List<string> _pageText = [];
    private readonly List<string> _pageQr = [];
    private const int PagesKept = 32;

    // The most recent pages only (a day of receipts in make run would otherwise stay in memory), and counts of all.
    private readonly Queue<PrintedPage> _pages = new();
    private int _pagesPrinted;
    private int _completePages;
    private readonly List<string> _unknown = [];
    private readonly StringBuilder _line = new();
    private readonly List<(char Char, bool Bold, bool Underline, int W, int H)> _lineCells = [];
    private readonly SKTypeface _regularFace;
    private readonly SKTypeface _boldFace;
    private Action<byte[]>? _respond;
    private long _offset;
    private int? _paperLeftRows;

    // Print modes, reset by ESC @.
    private int _codePage;
    private int _align;
    private bool _bold;
    private bool _underline;
    private int _widthMul = 1;
    private int _heightMul = 1;
    private int _lineSpacing = 30;
    private int _qrModule = 3;
    private char _qrLevel = 'L';
    private byte[]? _qrData;

    /// <summary>An emulator printing <paramref name="widthDots"/> dots across (576 for 80 mm, 384 for 58 mm).</summary>
    public EscPosEmulator(int widthDots = RasterRenderer.Width80mm, ReceiptFonts? fonts = null)
    {
        WidthDots = widthDots;
        fonts ??= ReceiptFonts.Load();
        _regularFace = fonts.Regular;
        _boldFace = fonts.Bold;
    }

    /// <summary>Raised (outside the lock) for every page cut off.</summary>
    public event Action<PrintedPage>? PagePrinted;

    /// <summary>Dots across the paper.</summary>
    public int WidthDots { get; }

    /// <summary>No paper: nothing prints, data waits in the buffer, status says paper end.</summary>
    public bool PaperOut { get => Read(() => _paperOut); set => ChangeState(() => _paperOut = value); }

    /// <summary>The roll is nearly used up (still prints).</summary>
    public bool PaperNearEnd { get => Read(() => _nearEnd); set => ChangeState(() => _nearEnd = value); }

    /// <summary>The cover is open: nothing prints.</summary>
    public bool CoverOpen { get => Read(() => _coverOpen); set => ChangeState(() => _coverOpen = value); }

    /// <summary>Offline (e.g. a button held, an error): nothing prints.</summary>
    public bool Offline { get => Read(() => _offline); set => ChangeState(() => _offline = value); }

    /// <summary>Cash drawer pulses received.</summary>
    public int DrawerPulses { get; private set; }

    /// <summary>Every byte received so far.</summary>
    public long BytesReceived => Read(() => _offset + _input.Count);

    /// <summary>The most recent pages (up to 32), oldest first.</summary>
    public IReadOnlyList<PrintedPage> Pages => Read(() => _pages.ToArray());

    /// <summary>Pages torn or cut off since the emulator started.</summary>
    public int PagesPrinted => Read(() => _pagesPrinted);

    /// <summary>Pages that ended with a cut (whole jobs) since the emulator started.</summary>
    public int CompletePages => Read(() => _completePages);

    /// <summary>Byte sequences not understood, with their offset in the stream ("@123: 1B 99 ...").</summary>
    public IReadOnlyList<string> NotUnderstood => Read(() => _unknown.ToArray());

    /// <summary>True while unprocessed print data waits (paper out, cover open).</summary>
    public bool HasBacklog => Read(() => _input.Count > 0);

    private bool _paperOut;
    private bool _nearEnd;
    private bool _coverOpen;
    private bool _offline;

    /// <summary>Where answers to status requests go (the transport back to the driver).</summary>
    public void Connect(Action<byte[]>? respond)
    {
        lock (_gate)
        {
            _respond = respond;
        }
    }

    /// <summary>The paper runs out after <paramref name="rows"/> more dot rows are printed: a failure in the middle of a job.</summary>
    public void RunOutOfPaperAfter(int rows)
    {
        lock (_gate)
        {
            _paperLeftRows = rows;
        }
    }

    /// <summary>Feeds bytes as they arrive from the transport.</summary>
    public void Receive(ReadOnlySpan<byte> data) => Raise(ReceiveCore(data));

    /// <summary>Renders a whole captured byte stream; returns its pages (a last page without a cut included).</summary>
    public IReadOnlyList<PrintedPage> RenderAll(ReadOnlySpan<byte> stream)
    {
        var pages = ReceiveCore(stream);
        lock (_gate)
        {
            if (_rows.Count > 0 || _lineCells.Count > 0)
            {
                FlushLine();
                AddPage(complete: false, pages);
            }
        }

        Raise(pages);
        return pages;
    }

    private List<PrintedPage> ReceiveCore(ReadOnlySpan<byte> data)
    {
        var cut = new List<PrintedPage>();
        lock (_gate)
        {
            // A real-time command sent on its own is obeyed at once, even while printing is stopped and data waits
            // in the buffer (inside a stream it is obeyed when the parser reaches it).
            if (RealTime(data))
            {
                _offset += data.Length;
            }
            else
            {
                _input.AddRange(data);
            }

            Process(cut);
        }

        return cut;
    }

    /// <summary>A PNG of a 1-bit image.</summary>
    public static byte[] Png(MonoBitmap image)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, Math.Max(1, image.Height), SKColorType.Gray8, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        var rowBytes = bitmap.RowBytes;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                pixels[(y * rowBytes) + x] = image[x, y] ? (byte)0 : (byte)255;
            }
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    private void ChangeState(Action change)
    {
        var cut = new List<PrintedPage>();
        lock (_gate)
        {
            change();
            Process(cut);
        }

        Raise(cut);
    }

    private void Raise(List<PrintedPage> cut)
    {
        foreach (var page in cut)
        {
            PagePrinted?.Invoke(page);
        }
    }

    private bool CanPrint => !_paperOut && !_coverOpen && !_offline;

    private byte StatusByte(int n) => n switch
    {
        1 => (byte)(0x12 | (CanPrint ? 0 : 0x08)),
        2 => (byte)(0x12 | (_coverOpen ? 0x04 : 0) | (_paperOut ? 0x20 : 0) | (_offline && !_paperOut && !_coverOpen ? 0x40 : 0)),
        3 => 0x12,
        4 => (byte)(0x12 | (_nearEnd ? 0x0C : 0) | (_paperOut ? 0x60 : 0)),
        _ => 0x12,
    };

    private void Respond(params byte[] answer) => _respond?.Invoke(answer);

    // Runs the parser over the buffered input while the printer can print; pages cut are added to <paramref name="cut"/>.
    private void Process(List<PrintedPage> cut)
    {
        while (_input.Count > 0 && CanPrint)
        {
            var used = Step(cut);
            if (used == 0)
            {
                break; // an incomplete command: wait for more bytes
            }

            _input.Consume(used);
            _offset += used;
            if (_paperLeftRows is { } left && _rows.Count >= left)
            {
                _paperLeftRows = null;
                _paperOut = true;
                AddPage(complete: false, cut);
            }
        }
    }

    // DLE EOT n (answered) or DLE DC4 8 (buffers cleared) as a whole chunk.
    private bool RealTime(ReadOnlySpan<byte> data)
    {
        if (data.Length == 3 && data[0] == EscPos.Dle && data[1] == EscPos.Eot && data[2] is >= 1 and <= 4)
        {
            Respond(StatusByte(data[2]));
            return true;
        }

        if (data.SequenceEqual(EscPosPrinter.ClearBuffers))
        {
            _offset += _input.Count;
            _input.Clear();
            _lineCells.Clear();
            return true;
        }

        return false;
    }

    // Parses one command or character at the start of the buffer; returns the bytes it used, 0 when incomplete.
    private int Step(List<PrintedPage> cut)
    {
        var b = _input[0];
        int Need(int count) => _input.Count >= count ? count : 0;
        byte At(int i) => _input[i];
        switch (b)
        {
            case EscPos.LineFeed:
                FlushLine(feed: true);
                return 1;
            case 0x0D:
                return 1;
            case 0x09:
                AddChar(' ');
                return 1;
            case EscPos.Esc:
                if (_input.Count < 2)
                {
                    return 0;
                }

                switch (At(1))
                {
                    case 0x40: Reset(); return 2;
                    case 0x74: return Need(3) == 0 ? 0 : Set(3, () => _codePage = At(2));
                    case 0x61: return Need(3) == 0 ? 0 : Set(3, () => _align = At(2) % 48 % 3);
                    case 0x45: return Need(3) == 0 ? 0 : Set(3, () => _bold = (At(2) & 1) != 0);
                    case 0x47: return Need(3) == 0 ? 0 : Set(3, () => _bold = (At(2) & 1) != 0);
                    case 0x2D: return Need(3) == 0 ? 0 : Set(3, () => _underline = At(2) % 48 != 0);
                    case 0x33: return Need(3) == 0 ? 0 : Set(3, () => _lineSpacing = At(2));
                    case 0x32: _lineSpacing = 30; return 2;
                    case 0x64: return Need(3) == 0 ? 0 : Set(3, () => FeedLines(At(2)));
                    case 0x4A: return Need(3) == 0 ? 0 : Set(3, () => FeedDots(At(2)));
                    case 0x4D: return Need(3);
                    case 0x20: return Need(3);
                    case 0x56: return Need(3);
                    case 0x21:
                        return Need(3) == 0 ? 0 : Set(3, () =>
                        {
                            _bold = (At(2) & 0x08) != 0;
                            _heightMul = (At(2) & 0x10) != 0 ? 2 : 1;
                            _widthMul = (At(2) & 0x20) != 0 ? 2 : 1;
                            _underline = (At(2) & 0x80) != 0;
                        });
                    case 0x70: return Need(5) == 0 ? 0 : Set(5, () => DrawerPulses++);
                    case 0x63 when _input.Count >= 3 && At(2) is 0x34 or 0x35: return Need(4);
                    default: return Unknown(2);
                }

            case EscPos.Gs:
                if (_input.Count < 2)
                {
                    return 0;
                }

                switch (At(1))
                {
                    case 0x21: return Need(3) == 0 ? 0 : Set(3, () => { _widthMul = ((At(2) >> 4) & 7) + 1; _heightMul = (At(2) & 7) + 1; });
                    case 0x56:
                        if (_input.Count < 3)
                        {
                            return 0;
                        }

                        if (At(2) is 0x41 or 0x42 or 0x61 or 0x62 or 0x67 or 0x68)
                        {
                            return Need(4) == 0 ? 0 : Set(4, () => { FeedDots(At(3)); Cut(cut); });
                        }

                        return Set(3, () => Cut(cut));
                    case 0x76: return Raster();
                    case 0x28: return Function();
                    case 0x72: return Need(3) == 0 ? 0 : Set(3, () => Respond((byte)((_nearEnd ? 0x03 : 0) | (_paperOut ? 0x0C : 0))));
                    case 0x61: return Need(3);
                    case 0x42: return Need(3);
                    case 0x4C: return Need(4);
                    case 0x57: return Need(4);
                    case 0x48 or 0x66 or 0x68 or 0x77: return Need(3);
                    default: return Unknown(2);
                }

            case EscPos.Fs:
                if (_input.Count < 2)
                {
                    return 0;
                }

                return At(1) is 0x2E or 0x26 ? 2 : Unknown(2);
            case EscPos.Dle:
                if (_input.Count < 3)
                {
                    return 0;
                }

                if (At(1) == EscPos.Eot && At(2) is >= 1 and <= 4)
                {
                    Respond(StatusByte(At(2)));
                    return 3;
                }

                if (At(1) == 0x14)
                {
                    return Need(EscPosPrinter.ClearBuffers.Length); // in-stream, after what came before it: nothing left to clear
                }

                return Unknown(3);
            case < 0x20:
                return Unknown(1);
            default:
                AddChar(Decode(b));
                return 1;
        }
    }

    private static int Set(int used, Action action)
    {
        action();
        return used;
    }

    private void Report(int length)
    {
        var shown = string.Join(' ', _input.Slice(0, Math.Min(_input.Count, Math.Min(length, 12))).Select(x => x.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        _unknown.Add($"@{_offset}: {shown}{(length > 12 ? " ..." : string.Empty)} (not emulated, {length} bytes skipped)");
    }

    private int Unknown(int length)
    {
        var shown = string.Join(' ', _input.Slice(0, Math.Min(_input.Count, length + 2)).Select(x => x.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        _unknown.Add($"@{_offset}: {shown}");

        // Skip the introducer only: the rest is parsed again (it may be ordinary text).
        return 1;
    }

    private void Reset()
    {
        FlushLine();
        _codePage = 0;
        _align = 0;
        _bold = false;
        _underline = false;
        _widthMul = 1;
        _heightMul = 1;
        _lineSpacing = 30;
    }

    private char Decode(byte b)
    {
        if (b < 0x80)
        {
            return (char)b;
        }

        return _codePage switch
        {
            30 => VietnameseTextEncoder.DecodeTcvn3(b, capitals: false),
            31 => VietnameseTextEncoder.DecodeTcvn3(b, capitals: true),
            52 or 32 or 41 or 27 or 35 or 94 => Cp1258.GetString([b])[0],
            16 => Encoding.Latin1.GetString([b])[0],
            _ => Cp437(b),
        };
    }

    private static readonly Encoding Cp1258 = VietnameseTextEncoder.LoadCp1258();

    // Code page 0, the printers' default (PC437); the provider is registered by LoadCp1258 above.
    private static readonly Encoding Pc437 = Encoding.GetEncoding(437);

    private static char Cp437(byte b) => Pc437.GetString([b])[0];

    private void AddChar(char c)
    {
        // Windows-1258 tone marks combine with the letter before them.
        if (_lineCells.Count > 0 && char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark)
        {
            var last = _lineCells[^1];
            var combined = (last.Char.ToString() + c).Normalize(NormalizationForm.FormC);
            if (combined.Length == 1)
            {
                _lineCells[^1] = last with { Char = combined[0] };
                return;
            }
        }

        _lineCells.Add((c, _bold, _underline, _widthMul, _heightMul));
    }

    private void FlushLine(bool feed = false)
    {
        if (_lineCells.Count == 0)
        {
            if (feed)
            {
                FeedDots(_lineSpacing);
            }

            return;
        }

        var height = _lineCells.Max(c => c.H) * CellHeight;
        var width = _lineCells.Sum(c => c.W * CellWidth);
        var left = _align switch
        {
            1 => Math.Max(0, (WidthDots - width) / 2),
            2 => Math.Max(0, WidthDots - width),
            _ => 0,
        };
        using var bitmap = new SKBitmap(new SKImageInfo(WidthDots, height, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            canvas.Clear(SKColors.White);
            var x = left;
            foreach (var cell in _lineCells)
            {
                using var font = new SKFont(cell.Bold ? _boldFace : _regularFace, 21 * cell.H) { ScaleX = (float)cell.W / cell.H, Edging = SKFontEdging.Antialias };
                canvas.DrawText(cell.Char.ToString(), x + ((cell.W * CellWidth) / 2f), height - (5 * cell.H), SKTextAlign.Center, font, paint);
                if (cell.Underline)
                {
                    canvas.DrawRect(x, height - 2, cell.W * CellWidth, 2, paint);
                }

                x += cell.W * CellWidth;
            }
        }

        _pageText.Add(new string(' ', left / CellWidth) + new string(_lineCells.Select(c => c.Char).ToArray()));
        _lineCells.Clear();
        AddRows(RasterRenderer.Threshold(bitmap), 0);
        if (feed)
        {
            FeedDots(Math.Max(0, _lineSpacing - CellHeight));
        }
    }

    private void FeedLines(int lines)
    {
        FlushLine();
        FeedDots(lines * _lineSpacing);
    }

    private void FeedDots(int dots)
    {
        for (var i = 0; i < dots; i++)
        {
            _rows.Add(new byte[(WidthDots + 7) / 8]);
        }
    }

    private void Cut(List<PrintedPage> cut)
    {
        FlushLine();
        AddPage(complete: true, cut);
    }

    // Tears the paper printed so far off as a page.
    private void AddPage(bool complete, List<PrintedPage> cut)
    {
        var stride = (WidthDots + 7) / 8;
        var data = new byte[_rows.Count * stride];
        for (var y = 0; y < _rows.Count; y++)
        {
            _rows[y].CopyTo(data, y * stride);
        }

        var page = new PrintedPage(++_pagesPrinted, new MonoBitmap(WidthDots, _rows.Count, data), _pageText.ToArray(), _pageQr.ToArray(), complete);
        _rows.Clear();
        _pageText.Clear();
        _pageQr.Clear();
        if (complete)
        {
            _completePages++;
        }

        _pages.Enqueue(page);
        if (_pages.Count > PagesKept)
        {
            _pages.Dequeue();
        }

        cut.Add(page);
    }

    // GS v 0 m xL xH yL yH d...
    private int Raster()
    {
        if (_input.Count < 8)
        {
            return 0;
        }

        if (_input[2] != 0x30)
        {
            return Unknown(3);
        }

        var stride = _input[4] | (_input[5] << 8);
        var height = _input[6] | (_input[7] << 8);
        var length = 8 + (stride * height);
        if (_input.Count < length)
        {
            return 0;
        }

        FlushLine();
        var scale = _input[3] & 3; // 1: double width, 2: double height, 3: both
        var rowBytes = (WidthDots + 7) / 8;
        for (var y = 0; y < height; y++)
        {
            var row = new byte[rowBytes];
            for (var x = 0; x < stride * 8; x++)
            {
                if ((_input[8 + (y * stride) + (x >> 3)] & (0x80 >> (x & 7))) == 0)
                {
                    continue;
                }

                var tx = ((scale & 1) != 0 ? x * 2 : x) + AlignOffset((scale & 1) != 0 ? stride * 16 : stride * 8);
                for (var d = 0; d < ((scale & 1) != 0 ? 2 : 1); d++)
                {
                    if (tx + d < WidthDots)
                    {
                        row[(tx + d) >> 3] |= (byte)(0x80 >> ((tx + d) & 7));
                    }
                }
            }

            _rows.Add(row);
            if ((scale & 2) != 0)
            {
                _rows.Add((byte[])row.Clone());
            }
        }

        return length;
    }

    private int AlignOffset(int width) => _align switch
    {
        1 => Math.Max(0, (WidthDots - width) / 2),
        2 => Math.Max(0, WidthDots - width),
        _ => 0,
    };

    // GS ( k pL pH cn fn ...: QR (cn 49). Other functions are reported.
    private int Function()
    {
        if (_input.Count < 5)
        {
            return 0;
        }

        var length = _input[3] | (_input[4] << 8);
        if (_input.Count < 5 + length)
        {
            return 0;
        }

        if (_input[2] != 0x6B || length < 2 || _input[5] != 0x31)
        {
            // A whole function we do not emulate (another symbol, graphics): reported and skipped as one command.
            Report(5 + length);
            return 5 + length;
        }

        var fn = _input[6];
        switch (fn)
        {
            case 0x41:
                break; // model
            case 0x43 when length >= 3:
                _qrModule = Math.Clamp((int)_input[7], 1, 16);
                break;
            case 0x45 when length >= 3:
                _qrLevel = "LMQH"[Math.Clamp(_input[7] - 0x30, 0, 3)];
                break;
            case 0x50 when length >= 3:
                _qrData = _input.Slice(8, length - 3);
                break;
            case 0x51:
                PrintQr();
                break;
            default:
                Report(5 + length);
                break;
        }

        return 5 + length;
    }

    private void PrintQr()
    {
        FlushLine();
        if (_qrData is not { Length: > 0 } data)
        {
            _unknown.Add($"@{_offset}: QR print with no data stored");
            return;
        }

        var image = QrImages.RasterOfBytes(data, _qrModule, _qrLevel);
        _pageQr.Add(Encoding.UTF8.GetString(data));
        AddRows(image, AlignOffset(image.Width));
    }

    // Puts an image on the paper <paramref name="left"/> dots from the edge (what falls off the paper is lost).
    private void AddRows(MonoBitmap image, int left)
    {
        var rowBytes = (WidthDots + 7) / 8;
        for (var y = 0; y < image.Height; y++)
        {
            var row = new byte[rowBytes];
            for (var x = 0; x < image.Width && left + x < WidthDots; x++)
            {
                if (image[x, y])
                {
                    row[(left + x) >> 3] |= (byte)(0x80 >> ((left + x) & 7));
                }
            }

            _rows.Add(row);
        }
    }

    /// <summary>The bytes not yet parsed: read from the front without moving the rest (a long capture stays linear).</summary>
    private sealed class ByteQueue
    {
        private byte[] _buffer = new byte[4096];
        private int _head;
        private int _tail;

        public int Count => _tail - _head;

        public byte this[int index] => _buffer[_head + index];

        public void AddRange(ReadOnlySpan<byte> data)
        {
            if (_tail + data.Length > _buffer.Length)
            {
                // Compact first; grow only when the unread bytes need it.
                var needed = Count + data.Length;
                var target = needed > _buffer.Length ? new byte[Math.Max(needed, _buffer.Length * 2)] : _buffer;
                Buffer.BlockCopy(_buffer, _head, target, 0, Count);
                _tail = Count;
                _head = 0;
                _buffer = target;
            }

            data.CopyTo(_buffer.AsSpan(_tail));
            _tail += data.Length;
        }

        public void Consume(int count) => _head += count;

        public byte[] Slice(int start, int count) => _buffer.AsSpan(_head + start, count).ToArray();

        public void Clear() => _head = _tail = 0;
    }
}
