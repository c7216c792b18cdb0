using System.Text;
using KioskPos.Core.VietQr;
using KioskPos.Firmware.Imaging;
using KioskPos.Firmware.Printing;

namespace KioskPos.Hardware.Simulators.Printer;

/// <summary>A stretch of paper between two cuts, as the emulator printed it.</summary>
/// <param name="Number">1 for the first page since the emulator started.</param>
/// <param name="Image">The paper, 1 bit a dot.</param>
/// <param name="Text">The text lines printed in text mode (raster images have none).</param>
/// <param name="QrCodes">The payloads of native QR codes printed.</param>
/// <param name="Complete">False for paper torn off without a cut (paper ran out, or a flush).</param>
public sealed record PrintedPage(int Number, MonoBitmap Image, IReadOnlyList<string> Text, IReadOnlyList<string> QrCodes, bool Complete)
{
    /// <summary>The 1D barcodes printed, as "symbology:data" (their HRI text whether printed or not).</summary>
    public IReadOnlyList<string> Barcodes { get; init; } = [];

    /// <summary>The page as a PNG (white paper, black dots).</summary>
    public byte[] ToPng() => Png.Encode(Image);
}

/// <summary>
/// A virtual ESC/POS printer that consumes a byte stream as a real one does (Epson TM-T82/T88, Xprinter and the common
/// 80 mm clones): it parses the command set of Epson's ESC/POS reference that receipt printers accept, draws text
/// (Epson's ESC t code pages, ESC R international sets, sizes and styles, margins, tabs, user-defined characters),
/// bit images (ESC *, GS v 0, GS ( L / GS 8 L stored and printed graphics), barcodes (GS k, both forms) and QR codes
/// onto paper, counts the buzzer and the drawer pulses, answers the real-time and automatic status from a settable
/// state, holds its buffer while out of paper (printing the backlog when paper returns unless told to clear it, as
/// real printers do), and reports every byte sequence it does not understand, with its offset, instead of skipping it
/// silently.
/// Thread-safe: bytes may arrive from a transport thread while a test changes the state.
/// </summary>
public sealed partial class EscPosEmulator
{
    private const int CellWidth = 12;
    private const int CellHeight = 24;

    private readonly Lock _gate = new();
    private readonly ByteQueue _input = new();
    private readonly List<byte[]> _rows = [];
    private readonly List<string> _pageText = [];
    private readonly List<string> _pageQr = [];

    // The most recent pages only (a day of receipts in make run would otherwise stay in memory), and counts of all.
    private readonly Queue<PrintedPage> _pages = new();
    private int _pagesPrinted;
    private int _completePages;
    private readonly List<string> _unknown = [];
    private readonly StringBuilder _line = new();
    private readonly List<Cell> _lineCells = [];
    private readonly List<string> _pageBarcodes = [];
    private readonly FontFace _regularFace;
    private readonly FontFace _boldFace;
    private Action<byte[]>? _respond;
    private bool _waitingForMore;
    private readonly List<byte> _scanTail = [];

    // GS ( D function 20: the real-time drawer pulse (DLE DC4 1) and power off (DLE DC4 2), on until turned off.
    private bool _realTimePulse = true;
    private long _offset;
    private int? _paperLeftRows;

    // Print modes, reset by ESC @.
    private int _codePage;
    private int _international;
    private int _align;
    private bool _bold;
    private bool _underline;
    private bool _italic;
    private bool _reverse;
    private bool _upsideDown;
    private bool _fontB;
    private int _widthMul = 1;
    private int _heightMul = 1;
    private int _lineSpacing = 30;
    private int _charSpacing;
    private int _leftMargin;
    private int _printWidth;
    private int[] _tabs = DefaultTabs();
    private int _qrModule = 3;
    private char _qrLevel = 'L';
    private byte[]? _qrData;
    private int _barHeight = 162;
    private int _barModule = 3;
    private int _hriPosition;
    private bool _hriFontB;
    private byte _asb;
    private byte[]? _asbSent;

    /// <summary>
    /// An emulator printing <paramref name="widthDots"/> dots across (576 for 80 mm, 384 for 58 mm), keeping the last
    /// <paramref name="pagesKept"/> pages in memory (each is the paper's image: 70 kB and more for a receipt).
    /// </summary>
    public EscPosEmulator(int widthDots = RasterRenderer.Width80mm, ReceiptFonts? fonts = null, int pagesKept = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pagesKept, 1);
        WidthDots = widthDots;
        PagesKept = pagesKept;
        _printWidth = widthDots;
        fonts ??= ReceiptFonts.Load();
        _regularFace = fonts.Regular;
        _boldFace = fonts.Bold;
    }

    /// <summary>Raised (outside the lock) for every page cut off.</summary>
    public event Action<PrintedPage>? PagePrinted;

    /// <summary>Dots across the paper.</summary>
    public int WidthDots { get; }

    /// <summary>How many of the last pages <see cref="Pages"/> holds.</summary>
    public int PagesKept { get; }

    /// <summary>No paper: nothing prints, data waits in the buffer, status says paper end.</summary>
    public bool PaperOut { get => Read(() => _paperOut); set => ChangeState(() => _paperOut = value); }

    /// <summary>The roll is nearly used up (still prints).</summary>
    public bool PaperNearEnd { get => Read(() => _nearEnd); set => ChangeState(() => _nearEnd = value); }

    /// <summary>The cover is open: nothing prints.</summary>
    public bool CoverOpen { get => Read(() => _coverOpen); set => ChangeState(() => _coverOpen = value); }

    /// <summary>Offline (e.g. a button held, an error): nothing prints.</summary>
    public bool Offline { get => Read(() => _offline); set => ChangeState(() => _offline = value); }

    /// <summary>Cash drawer pulses received (ESC p, DLE DC4 1).</summary>
    public int DrawerPulses { get; private set; }

    /// <summary>The last drawer pulse: the connector pin (2 or 5) and its on and off times in milliseconds.</summary>
    public (int Pin, int OnMs, int OffMs)? LastDrawerPulse { get; private set; }

    /// <summary>Beeps of the buzzer (BEL, ESC B n t, ESC ( A).</summary>
    public int Beeps { get; private set; }

    /// <summary>Where ESC t numbers mean another vendor's table (Citizen 32, Bixolon 41 for Windows-1258...): number
    /// to .NET code page (1258, 437...) or -30 / -31 for TCVN-3 lower case / capitals. Epson's table otherwise.</summary>
    public IDictionary<int, int> CodePageOverrides { get; } = new Dictionary<int, int>();

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

    /// <summary>
    /// The receive buffer's size in bytes (null: unbounded, the default). With a size, <see cref="ReceiveAsync"/> takes
    /// bytes only while there is room: a printer that stops (paper out) fills its buffer and then holds the sender back,
    /// as a USB printer does by refusing packets and a serial one by its flow control. Real printers keep 4 to 64 kB.
    /// A command larger than the buffer still goes through while the printer prints (it prints a band as it comes).
    /// </summary>
    public int? ReceiveBufferBytes { get; init; }

    /// <summary>
    /// Behave as many clones do with <c>DLE DC4 8</c>: no <c>37 25 00</c>, the buffer kept, and the rest of a job stopped
    /// by paper end printed (drawer pulse and all) once paper is loaded. Epson's printers clear and answer.
    /// </summary>
    public bool IgnoresClear { get; set; }

    /// <summary>How many bytes a second <see cref="ReceiveAsync"/> takes (null: as fast as they come): a serial line's
    /// speed (960 at 9600 baud), or a slow printer's.</summary>
    public int? BytesPerSecond { get; init; }

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

    /// <summary>
    /// Feeds bytes as a printer with <see cref="ReceiveBufferBytes"/> and <see cref="BytesPerSecond"/> takes them: at
    /// that rate, and only while its buffer has room. A real-time command sent on its own goes in at once, full buffer
    /// or not (printers answer <c>DLE EOT</c> while busy). Returns how many bytes went in: all, or fewer when
    /// <paramref name="cancellationToken"/> ended the wait (a sender's stall limit).
    /// </summary>
    public async Task<int> ReceiveAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if ((ReceiveBufferBytes is null && BytesPerSecond is null) || IsRealTimeCommand(data.Span))
        {
            Receive(data.Span);
            return data.Length;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var offset = 0;
        while (offset < data.Length)
        {
            int room;
            lock (_gate)
            {
                room = ReceiveBufferBytes is { } size && !(_waitingForMore && CanPrint) ? Math.Max(0, size - _input.Count) : int.MaxValue;
            }

            var allowed = BytesPerSecond is { } rate
                ? (int)Math.Min(int.MaxValue, (rate * System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds) - offset)
                : int.MaxValue;
            var count = Math.Min(data.Length - offset, Math.Min(room, allowed));
            if (count <= 0)
            {
                try
                {
                    await Task.Delay(5, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return offset;
                }

                continue;
            }

            Receive(data.Span.Slice(offset, count));
            offset += count;
        }

        return offset;
    }

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
            // in the buffer; inside a stream it is obeyed as it arrives, wherever it is (pixel data included), as
            // Epson's, Citizen's and NCR's manuals say printers do.
            if (RealTime(data))
            {
                _offset += data.Length;
                _scanTail.Clear();
            }
            else
            {
                Accept(data);
            }

            Process(cut);
        }

        return cut;
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
            SendAutomaticStatus(force: false);
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
        _waitingForMore = false;
        while (_input.Count > 0 && CanPrint)
        {
            var used = Step(cut);
            if (used == 0)
            {
                _waitingForMore = true;
                break; // an incomplete command: wait for more bytes
            }

            _input.Consume(used);
            _offset += used;
            if (_paperLeftRows is { } left && _rows.Count >= left)
            {
                _paperLeftRows = null;
                _paperOut = true;
                AddPage(complete: false, cut);
                SendAutomaticStatus(force: false);
            }
        }
    }

    private static bool IsRealTimeCommand(ReadOnlySpan<byte> data) =>
        (data.Length == 3 && data[0] == EscPos.Dle && data[1] == EscPos.Eot && data[2] is >= 1 and <= 4)
        || (data.Length == 5 && data[0] == EscPos.Dle && data[1] == 0x14 && data[2] == 0x01)
        || (data.Length == 8 && data[0] == EscPos.Dle && data[1] == 0x14 && data[2] == 0x03)
        || data.SequenceEqual(EscPosPrinter.ClearBuffers);

    // DLE EOT n (answered), DLE DC4 1 (drawer pulse) or DLE DC4 8 (buffers cleared) as a whole chunk.
    private bool RealTime(ReadOnlySpan<byte> data)
    {
        if (data.Length == 3 && data[0] == EscPos.Dle && data[1] == EscPos.Eot && data[2] is >= 1 and <= 4)
        {
            Respond(StatusByte(data[2]));
            return true;
        }

        if (data.Length == 5 && data[0] == EscPos.Dle && data[1] == 0x14 && data[2] == 0x01)
        {
            DrawerPulse(data[3] & 1, data[4] * 100, data[4] * 100);
            return true;
        }

        if (data.Length == 8 && data[0] == EscPos.Dle && data[1] == 0x14 && data[2] == 0x03)
        {
            Beeps += RealTimeBeeps(data[3], data[5]);
            return true;
        }

        if (data.SequenceEqual(EscPosPrinter.ClearBuffers) && !IgnoresClear)
        {
            ClearBuffers();
            return true;
        }

        return false;
    }

    // Appends received bytes to the buffer, obeying the real-time commands among them on arrival: DLE EOT n (answered
    // with the state of this moment), DLE DC4 1 (drawer pulse) and 2 (power off) unless GS ( D turned them off,
    // DLE DC4 3 (buzzer), DLE DC4 8 (clear: what came before it goes). A command split across two arrivals is found
    // too (its start is kept in _scanTail). The parser passes over them later.
    private void Accept(ReadOnlySpan<byte> data)
    {
        var tail = _scanTail.Count;
        var length = tail + data.Length;
        var appended = 0;
        var keepFrom = length;
        byte W(int i, ReadOnlySpan<byte> d) => i < tail ? _scanTail[i] : d[i - tail];
        for (var p = 0; p < length;)
        {
            if (W(p, data) != EscPos.Dle)
            {
                p++;
                continue;
            }

            var size = RealTimeSize(p, length, data, W);
            if (size < 0)
            {
                keepFrom = p;
                break;
            }

            if (size == 0)
            {
                p++;
                continue;
            }

            var end = p + size;
            if (end > tail)
            {
                switch (W(p + 1, data), W(p + 2, data))
                {
                    case (EscPos.Eot, var n):
                        Respond(StatusByte(n));
                        break;
                    case (0x14, 0x01) when _realTimePulse:
                        DrawerPulse(W(p + 3, data) & 1, W(p + 4, data) * 100, W(p + 4, data) * 100);
                        break;
                    case (0x14, 0x03):
                        Beeps += RealTimeBeeps(W(p + 3, data), W(p + 5, data));
                        break;
                    case (0x14, 0x08) when !IgnoresClear:
                        _input.AddRange(data[appended..(end - tail)]);
                        appended = end - tail;
                        ClearBuffers();
                        break;
                }
            }

            p = end;
        }

        _input.AddRange(data[appended..]);
        var kept = new List<byte>();
        for (var i = keepFrom; i < length; i++)
        {
            kept.Add(W(i, data));
        }

        _scanTail.Clear();
        _scanTail.AddRange(kept);
    }

    // The size of the real-time command at p: 0 when there is none, -1 when its bytes have not all arrived.
    private int RealTimeSize(int p, int length, ReadOnlySpan<byte> data, AtFunction at)
    {
        if (p + 2 >= length)
        {
            return p + 1 < length && at(p + 1, data) is not (EscPos.Eot or 0x14) ? 0 : -1;
        }

        var kind = at(p + 1, data);
        var fn = at(p + 2, data);
        int size = (kind, fn) switch
        {
            (EscPos.Eot, >= 1 and <= 4) => 3,
            (0x14, 0x01 or 0x02) => 5,
            (0x14, 0x03) => 8,
            (0x14, 0x08) => EscPosPrinter.ClearBuffers.Length,
            _ => 0,
        };
        if (size == 0)
        {
            return 0;
        }

        for (var i = 3; i < size; i++)
        {
            if (p + i >= length)
            {
                return -1;
            }

            if (fn == 0x08 && at(p + i, data) != EscPosPrinter.ClearBuffers[i])
            {
                return 0;
            }
        }

        return size;
    }

    private delegate byte AtFunction(int i, ReadOnlySpan<byte> data);

    // DLE DC4 8 (Epson): the receive and print buffers emptied, the line being built dropped, and 37 25 00 sent back.
    private void ClearBuffers()
    {
        _offset += _input.Count;
        _input.Clear();
        _lineCells.Clear();
        _waitingForMore = false;
        Respond(0x37, 0x25, 0x00);
    }

    // Parses one command or character at the start of the buffer; returns the bytes it used, 0 when incomplete.
    private int Step(List<PrintedPage> cut)
    {
        var b = _input[0];
        switch (b)
        {
            case EscPos.LineFeed:
                FlushLine(feed: true);
                return 1;
            case 0x0D:
                // CR: ignored with automatic line feed off (the printers' default).
                return 1;
            case 0x09:
                Tab();
                return 1;
            case 0x07:
                Beeps++;
                return 1;
            case EscPos.Esc:
                return _input.Count < 2 ? 0 : Escape(cut);
            case EscPos.Gs:
                return _input.Count < 2 ? 0 : GroupSeparator(cut);
            case EscPos.Fs:
                return _input.Count < 2 ? 0 : FileSeparator();
            case EscPos.Dle:
                return _input.Count < 3 ? 0 : DataLinkEscape();
            case < 0x20:
                return Unknown(1);
            default:
                if (!TryAddUserCharacter(b))
                {
                    AddChar(Decode(b));
                }

                return 1;
        }
    }

    private int Need(int count) => _input.Count >= count ? count : 0;

    private byte At(int i) => _input[i];

    /// <summary>A command of <paramref name="length"/> bytes: run <paramref name="action"/> once they are all there.</summary>
    private int Command(int length, Action action)
    {
        if (_input.Count < length)
        {
            return 0;
        }

        action();
        return length;
    }

    private int Escape(List<PrintedPage> cut)
    {
        switch (At(1))
        {
            case 0x40: Reset(); return 2;                                                   // ESC @
            case 0x74: return Command(3, () => SelectCodePage(At(2)));                     // ESC t n
            case 0x52: return Command(3, () => SelectInternational(At(2)));                // ESC R n
            case 0x61: return Command(3, () => Justify(At(2)));                             // ESC a n
            case 0x45: return Command(3, () => _bold = (At(2) & 1) != 0);                  // ESC E n
            case 0x47: return Command(3, () => _bold = (At(2) & 1) != 0);                  // ESC G n (double-strike)
            case 0x2D: return Command(3, () => _underline = At(2) % 48 != 0);              // ESC - n
            case 0x34: return Command(3, () => _italic = (At(2) & 1) != 0);                // ESC 4 n (italic, on the models that have it)
            case 0x4D: return Command(3, () => _fontB = At(2) % 48 == 1);                  // ESC M n
            case 0x20: return Command(3, () => _charSpacing = At(2));                       // ESC SP n
            case 0x21:                                                                        // ESC ! n
                return Command(3, () =>
                {
                    _fontB = (At(2) & 0x01) != 0;
                    _bold = (At(2) & 0x08) != 0;
                    _heightMul = (At(2) & 0x10) != 0 ? 2 : 1;
                    _widthMul = (At(2) & 0x20) != 0 ? 2 : 1;
                    _underline = (At(2) & 0x80) != 0;
                });
            case 0x33: return Command(3, () => _lineSpacing = At(2));                       // ESC 3 n
            case 0x32: _lineSpacing = 30; return 2;                                          // ESC 2
            case 0x64: return Command(3, () => FeedLines(At(2)));                            // ESC d n
            case 0x4A: return Command(3, () => { FlushLine(); FeedDots(At(2)); });          // ESC J n
            case 0x65: return Command(3, FlushLine);                                         // ESC e n: reverse feed (the paper does not go back here)
            case 0x24: return Command(4, () => MoveTo(At(2) | (At(3) << 8)));              // ESC $ nL nH
            case 0x5C: return Command(4, () => MoveBy((short)(At(2) | (At(3) << 8))));     // ESC \ nL nH
            case 0x44: return TabStops();                                                    // ESC D n1 ... NUL
            case 0x2A: return BitImage();                                                    // ESC * m nL nH d...
            case 0x7B: return Command(3, () => _upsideDown = (At(2) & 1) != 0);            // ESC { n
            case 0x56: return Command(3, () => { });                                         // ESC V n: 90° rotation (not drawn)
            case 0x55: return Command(3, () => { });                                         // ESC U n: unidirectional printing
            case 0x72: return Command(3, () => { });                                         // ESC r n: second colour (one-colour paper)
            case 0x3D: return Command(3, () => { });                                         // ESC = n: peripheral device
            case 0x25: return Command(3, () => _userCharactersSelected = (At(2) & 1) != 0); // ESC % n: user-defined characters on/off
            case 0x26: return DefineUserCharacters();                                        // ESC & y c1 c2 [x d...]...
            case 0x3F: return Command(3, () => DeleteUserCharacter(At(2)));                 // ESC ? n: delete a user-defined character
            case 0x53: return 2;                                                              // ESC S: standard mode (the only one)
            case 0x63 when _input.Count >= 3 && At(2) is 0x33 or 0x34 or 0x35: return Need(4); // ESC c 3/4/5 n: sensors, panel
            case 0x63 when _input.Count < 3: return 0;
            case 0x70: return Command(5, () => DrawerPulse(At(2) & 1, At(3) * 2, At(4) * 2)); // ESC p m t1 t2
            case 0x69: return Command(2, () => Cut(cut));                                    // ESC i: partial cut (one point left)
            case 0x6D: return Command(2, () => Cut(cut));                                    // ESC m: partial cut (three points left)
            case 0x42: return Command(4, () => Beeps += At(2));                              // ESC B n t: buzzer n times
            case 0x28 when _input.Count >= 3 && At(2) == 0x41: return Buzzer();             // ESC ( A: buzzer (TM models)
            case 0x28 when _input.Count < 3: return 0;
            default: return Unknown(2);
        }
    }

    private int GroupSeparator(List<PrintedPage> cut)
    {
        switch (At(1))
        {
            case 0x21: return Command(3, () => { _widthMul = ((At(2) >> 4) & 7) + 1; _heightMul = (At(2) & 7) + 1; }); // GS ! n
            case 0x42: return Command(3, () => _reverse = (At(2) & 1) != 0);                                          // GS B n
            case 0x56: return CutCommand(cut);                                                                          // GS V
            case 0x76: return Raster();                                                                                 // GS v 0
            case 0x28 when _input.Count >= 3 && At(2) == 0x4C: return Graphics(lengthBytes: 2);                       // GS ( L
            case 0x38 when _input.Count >= 3 && At(2) == 0x4C: return Graphics(lengthBytes: 4);                       // GS 8 L
            case 0x28 or 0x38 when _input.Count < 3: return 0;
            case 0x28: return Function();                                                                               // GS ( k and others
            case 0x2A: return DefineDownloadedImage();                                                                  // GS * x y d...
            case 0x2F: return Command(3, PrintDownloadedImage);                                                         // GS / m
            case 0x6B: return Barcode();                                                                                // GS k
            case 0x48: return Command(3, () => _hriPosition = At(2) % 48 & 3);                                        // GS H n
            case 0x66: return Command(3, () => _hriFontB = At(2) % 48 == 1);                                          // GS f n
            case 0x68: return Command(3, () => _barHeight = Math.Max(1, (int)At(2)));                                 // GS h n
            case 0x77: return Command(3, () => _barModule = Math.Clamp((int)At(2), 1, 6));                            // GS w n
            case 0x4C: return Command(4, () => _leftMargin = Math.Min(WidthDots - 1, At(2) | (At(3) << 8)));          // GS L nL nH
            case 0x57: return Command(4, () => _printWidth = Math.Max(1, At(2) | (At(3) << 8)));                      // GS W nL nH
            case 0x50: return Command(4, () => { });                                                                    // GS P x y: motion units (dots here)
            case 0x62: return Command(3, () => { });                                                                    // GS b n: smoothing
            case 0x54: return Command(3, FlushLine);                                                                    // GS T n: to the start of the line
            case 0x61: return Command(3, () => { _asb = At(2); SendAutomaticStatus(force: true); });                  // GS a n
            case 0x72: return Command(3, () => Respond(At(2) % 48 == 2 ? (byte)0x00 : (byte)((_nearEnd ? 0x03 : 0) | (_paperOut ? 0x0C : 0)))); // GS r n
            case 0x49: return Command(3, () => PrinterId(At(2)));                                                       // GS I n
            default: return Unknown(2);
        }
    }

    private int FileSeparator() => At(1) switch
    {
        0x2E or 0x26 => 2,                                  // FS . / FS &: leave / enter double-byte mode
        0x21 or 0x2D or 0x43 or 0x57 => Need(3),            // FS ! n, FS - n, FS C n, FS W n: double-byte styles
        0x53 => Need(4),                                    // FS S n1 n2: double-byte spacing
        _ => Unknown(2),
    };

    private int DataLinkEscape()
    {
        switch (At(1))
        {
            case EscPos.Eot when At(2) is >= 1 and <= 4:            // DLE EOT n: answered as it arrived
                return 3;
            case EscPos.Eot when At(2) is 7 or 8:                   // DLE EOT 7/8 a: ink, peripheral
                return Command(4, () => Respond(0x12));
            case 0x05 when At(2) is >= 1 and <= 2:                  // DLE ENQ n: recover from an error
                return 3;
            case 0x14:                                               // DLE DC4 fn ...
                return At(2) switch
                {
                    0x01 => Need(5),                                 // drawer pulse: obeyed as it arrived
                    0x02 => Need(5),                                 // power-off sequence
                    0x03 => Need(8),                                 // sound the buzzer: obeyed as it arrived
                    0x07 => Need(4),                                 // transmit a status
                    0x08 => Need(EscPosPrinter.ClearBuffers.Length), // clear: obeyed as it arrived (still here: ignored, or not quite it)
                    _ => Unknown(3),
                };
            default:
                return Unknown(3);
        }
    }

    // DLE DC4 fn=3 a n r t1 t2 (Epson, "Sound buzzer in real-time"): pattern a (0 stops the buzzer) r times (0: until
    // stopped, counted once here).
    private static int RealTimeBeeps(byte pattern, byte repeats) => pattern == 0 ? 0 : Math.Max(1, (int)repeats);

    private int Buzzer()
    {
        // ESC ( A pL pH fn ...: one sound pattern.
        if (_input.Count < 5)
        {
            return 0;
        }

        var length = 5 + (At(3) | (At(4) << 8));
        return Command(length, () => Beeps++);
    }

    private void DrawerPulse(int connector, int onMs, int offMs)
    {
        DrawerPulses++;
        LastDrawerPulse = (connector == 0 ? 2 : 5, onMs, offMs);
    }

    private int CutCommand(List<PrintedPage> cut)
    {
        // GS V m (m = 0, 1, 48, 49) or GS V m n: feed n then cut (65, 66), feed to the cut position + n and cut
        // (97, 98), and the same with a reverse feed after (103, 104).
        if (_input.Count < 3)
        {
            return 0;
        }

        return At(2) switch
        {
            0x00 or 0x01 or 0x30 or 0x31 => Command(3, () => Cut(cut)),
            0x41 or 0x42 or 0x61 or 0x62 or 0x67 or 0x68 => Command(4, () => { FlushLine(); FeedDots(At(3)); Cut(cut); }),
            _ => Unknown(3),
        };
    }

    private void PrinterId(byte n)
    {
        switch (n)
        {
            case 1 or 49: Respond(0x20); break;  // model ID
            case 2 or 50: Respond(0x02); break;  // type ID: autocutter, no multi-byte fonts
            case 3 or 51: Respond(0x10); break;  // version ID
            default: Respond([0x5F, .. "KIOSKPOS-EMULATOR"u8, 0x00]); break; // 65-69: text answers
        }
    }

    /// <summary>Automatic status back (GS a n): the four bytes now when enabled, then on every change.</summary>
    private void SendAutomaticStatus(bool force)
    {
        if (_asb == 0)
        {
            _asbSent = null;
            return;
        }

        byte[] status =
        [
            (byte)(0x10 | (CanPrint ? 0 : 0x08) | (_coverOpen ? 0x20 : 0)),
            0x00,
            (byte)((_nearEnd ? 0x03 : 0) | (_paperOut ? 0x0C : 0)),
            0x00,
        ];
        if (force || _asbSent is null || !status.AsSpan().SequenceEqual(_asbSent))
        {
            _asbSent = status;
            Respond(status);
        }
    }

    private void Report(int length, string? why = null)
    {
        var shown = string.Join(' ', _input.Slice(0, Math.Min(_input.Count, Math.Min(length, 12))).Select(x => x.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        _unknown.Add($"@{_offset}: {shown}{(length > 12 ? " ..." : string.Empty)} ({why ?? "not emulated"}, {length} bytes skipped)");
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
        _international = 0;
        _align = 0;
        _bold = false;
        _underline = false;
        _italic = false;
        _reverse = false;
        _upsideDown = false;
        _fontB = false;
        _widthMul = 1;
        _heightMul = 1;
        _lineSpacing = 30;
        _charSpacing = 0;
        _leftMargin = 0;
        _printWidth = WidthDots;
        _tabs = DefaultTabs();
        _barHeight = 162;
        _barModule = 3;
        _hriPosition = 0;
        _hriFontB = false;
        ClearUserCharacters();
        _userCharactersSelected = false;
    }

    private void SelectCodePage(byte n)
    {
        _codePage = n;
        if (CharacterTables.Table(n, CodePageOverrides) is null)
        {
            _unknown.Add($"@{_offset}: 1B 74 {n:X2} (code page {n} not emulated: its bytes print as PC437)");
        }
    }

    private void SelectInternational(byte n)
    {
        _international = n;
        if (n > 15)
        {
            _unknown.Add($"@{_offset}: 1B 52 {n:X2} (international set {n} not emulated: prints as U.S.A.)");
        }
    }

    private char Decode(byte b)
    {
        if (b < 0x80)
        {
            return CharacterTables.International(_international, b);
        }

        return CharacterTables.Table(_codePage, CodePageOverrides) switch
        {
            -30 => VietnameseTextEncoder.DecodeTcvn3(b, capitals: false),
            -31 => VietnameseTextEncoder.DecodeTcvn3(b, capitals: true),
            { } page => CharacterTables.Decode(page, b),
            null => CharacterTables.Decode(437, b),
        };
    }

    /// <summary>One printed position of a line: a character, a gap of <see cref="Dots"/> (ESC $, ESC \, HT), or a bit image (ESC *).</summary>
    private readonly record struct Cell(char Char, bool Bold, bool Underline, bool Italic, bool Reverse, bool FontB, int W, int H, int Dots, MonoBitmap? Image = null)
    {
        public int Height => Image?.Height ?? (FontB ? 17 : CellHeight) * H;
    }

    private int LineDots => _lineCells.Sum(c => c.Dots);

    /// <summary>The dots a line holds: the print width (GS W) cut to what the left margin (GS L) leaves of the paper
    /// (the GS W notes, as ESC/POS manuals give them: "if [left margin + printing area width] exceeds the printable
    /// area, [printable area width − left margin] is used").</summary>
    private int PrintArea => Math.Min(_printWidth, WidthDots - _leftMargin);

    private int CharWidth => ((_fontB ? 9 : CellWidth) * _widthMul) + _charSpacing;

    private void AddChar(char c)
    {
        // Windows-1258 tone marks combine with the letter before them.
        if (_lineCells.Count > 0 && char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark)
        {
            var last = _lineCells[^1];
            var combined = KioskPos.Core.Text.LatinNormalization.ToFormC(last.Char.ToString() + c);
            if (combined.Length == 1)
            {
                _lineCells[^1] = last with { Char = combined[0] };
                return;
            }
        }

        if (_lineCells.Count > 0 && LineDots + CharWidth > PrintArea)
        {
            // The line is full: it prints, and the character starts the next one. A first character wider than the
            // area still prints: the area is extended to hold one character (the GS W notes).
            FlushLine(feed: true);
        }

        _lineCells.Add(new Cell(c, _bold, _underline, _italic, _reverse, _fontB, _widthMul, _heightMul, CharWidth));
    }

    private void AddGap(int dots)
    {
        if (dots > 0)
        {
            _lineCells.Add(new Cell(' ', false, _underline, false, false, _fontB, 1, _heightMul, Math.Min(dots, Math.Max(0, PrintArea - LineDots))));
        }
    }

    private static int[] DefaultTabs() => [.. Enumerable.Range(1, 32).Select(i => i * 8)];

    private int TabStops()
    {
        // ESC D n1 ... nk NUL: up to 32 increasing columns; NUL alone clears them.
        for (var i = 2; i < _input.Count && i < 2 + 33; i++)
        {
            if (At(i) == 0)
            {
                _tabs = [.. Enumerable.Range(2, i - 2).Select(j => (int)At(j))];
                return i + 1;
            }
        }

        return _input.Count >= 2 + 33 ? Unknown(2) : 0;
    }

    private void Tab()
    {
        var column = CellWidth + _charSpacing;
        var next = _tabs.Select(t => t * column).FirstOrDefault(x => x > LineDots);
        if (next > 0)
        {
            AddGap(next - LineDots);
        }
    }

    private void MoveTo(int dots) => AddGap(dots - LineDots);

    private void MoveBy(int dots) => AddGap(dots);

    /// <summary>ESC a is obeyed only at the start of a line (Epson: "enabled only when processed at the beginning of
    /// the line"); in the middle of one it is ignored.</summary>
    private void Justify(byte n)
    {
        if (_lineCells.Count == 0)
        {
            _align = n % 48 % 3;
        }
    }

    private void FlushLine() => FlushLine(feed: false);

    private void FlushLine(bool feed)
    {
        if (_lineCells.Count == 0)
        {
            if (feed)
            {
                FeedDots(_lineSpacing);
            }

            return;
        }

        var height = _lineCells.Max(c => c.Height);
        var width = LineDots;
        var left = AlignOffset(width);
        var line = new GrayPicture(WidthDots, height);
        line.Clear(Rgb.White);
        var x = left;
        foreach (var cell in _lineCells)
        {
            if (cell.Image is { } image)
            {
                DrawImage(line, image, x, height - image.Height);
            }
            else
            {
                DrawCharacter(line, cell, x, height);
            }

            x += cell.Dots;
        }

        if (_upsideDown)
        {
            // ESC {: each line turned 180° about its own box.
            line = TurnedOver(line, left, width);
        }

        var text = new StringBuilder(new string(' ', Math.Max(0, left - _leftMargin) / CellWidth));
        foreach (var cell in _lineCells.Where(c => c.Image is null))
        {
            text.Append(cell.Char);
            if (cell.Dots > cell.W * CellWidth + _charSpacing && cell.Char == ' ')
            {
                // A gap (HT, ESC $): as many spaces as columns it spans.
                text.Append(' ', (cell.Dots / CellWidth) - 1);
            }
        }

        _pageText.Add(text.ToString().TrimEnd());
        _lineCells.Clear();
        AddRows(line.Threshold(), 0);
        if (feed)
        {
            FeedDots(Math.Max(0, _lineSpacing - height));
        }
    }

    private void DrawCharacter(GrayPicture line, Cell cell, int x, int height)
    {
        var cellHeight = cell.Height;
        var glyphWidth = cell.Dots - _charSpacing;
        var (ink, paper) = cell.Reverse ? (Rgb.White, Rgb.Black) : (Rgb.Black, Rgb.White);
        if (cell.Reverse)
        {
            line.FillRect(x, height - cellHeight, cell.Dots, cellHeight, paper);
        }

        var face = cell.Bold ? _boldFace : _regularFace;
        var size = (cell.FontB ? 15 : 21) * cell.H;
        var stretch = (float)cell.W / cell.H;
        var text = cell.Char.ToString();
        var advance = face.Measure(text, size) * stretch;
        line.DrawText(text, face, size, x + ((glyphWidth - advance) / 2f), height - (5 * cell.H), ink, stretch, cell.Italic ? 0.25f : 0);
        if (cell.Underline)
        {
            line.FillRect(x, height - 2, cell.Dots, 2, ink);
        }
    }

    private static void DrawImage(GrayPicture line, MonoBitmap image, int left, int top)
    {
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                if (image[x, y])
                {
                    line.Blend(left + x, top + y, 1, Rgb.Black);
                }
            }
        }
    }

    /// <summary>The line turned 180° about the centre of its box (<paramref name="left"/>, <paramref name="width"/> dots wide, the line's height).</summary>
    private static GrayPicture TurnedOver(GrayPicture line, int left, int width)
    {
        var turned = new GrayPicture(line.Width, line.Height);
        turned.Clear(Rgb.White);
        for (var y = 0; y < line.Height; y++)
        {
            for (var x = 0; x < line.Width; x++)
            {
                var tx = (2 * left) + width - 1 - x;
                if ((uint)tx < (uint)line.Width)
                {
                    turned.Pixels[((line.Height - 1 - y) * line.Width) + tx] = line.Pixels[(y * line.Width) + x];
                }
            }
        }

        return turned;
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

        var page = new PrintedPage(++_pagesPrinted, new MonoBitmap(WidthDots, _rows.Count, data), _pageText.ToArray(), _pageQr.ToArray(), complete)
        {
            Barcodes = _pageBarcodes.ToArray(),
        };
        _rows.Clear();
        _pageText.Clear();
        _pageQr.Clear();
        _pageBarcodes.Clear();
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

    /// <summary>Where something <paramref name="width"/> dots wide starts, by the justification, inside the margins (GS L, GS W).</summary>
    private int AlignOffset(int width)
    {
        var area = PrintArea;
        if (width > area)
        {
            // Wider than the area: it is extended to the right, and where the paper ends the left margin gives way
            // (the GS W notes: "the left margin is reduced to accommodate one character", and so for bit images).
            return Math.Max(0, Math.Min(_leftMargin, WidthDots - width));
        }

        return _leftMargin + _align switch
        {
            1 => Math.Max(0, (area - width) / 2),
            2 => Math.Max(0, area - width),
            _ => 0,
        };
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
                if (left + x >= 0 && image[x, y])
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
