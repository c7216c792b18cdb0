using System.Buffers.Binary;
using System.Text;
using KioskPos.Core.VietQr;

namespace KioskPos.Firmware.Printing;

/// <summary>Justification of text and images (<c>ESC a n</c>).</summary>
public enum Justification : byte
{
    /// <summary>Left.</summary>
    Left = 0,

    /// <summary>Centre.</summary>
    Centre = 1,

    /// <summary>Right.</summary>
    Right = 2,
}

/// <summary>Underline thickness (<c>ESC - n</c>).</summary>
public enum Underline : byte
{
    /// <summary>No underline.</summary>
    Off = 0,

    /// <summary>One dot thick.</summary>
    Thin = 1,

    /// <summary>Two dots thick.</summary>
    Thick = 2,
}

/// <summary>How the paper is cut (<c>GS V</c>).</summary>
public enum CutMode : byte
{
    /// <summary>A full cut.</summary>
    Full = 0x00,

    /// <summary>A partial cut (one point left uncut).</summary>
    Partial = 0x01,
}

/// <summary>QR error correction level (<c>GS ( k</c> function 169).</summary>
public enum QrErrorCorrection : byte
{
    /// <summary>About 7 % recoverable.</summary>
    L = 0x30,

    /// <summary>About 15 % recoverable.</summary>
    M = 0x31,

    /// <summary>About 25 % recoverable.</summary>
    Q = 0x32,

    /// <summary>About 30 % recoverable.</summary>
    H = 0x33,
}

/// <summary>Where a barcode's human-readable text goes (<c>GS H n</c>).</summary>
public enum HriPosition : byte
{
    /// <summary>No text.</summary>
    None = 0,

    /// <summary>Above the bars.</summary>
    Above = 1,

    /// <summary>Below the bars.</summary>
    Below = 2,

    /// <summary>Above and below.</summary>
    Both = 3,
}

/// <summary>Which real-time status <c>DLE EOT n</c> asks for.</summary>
public enum StatusKind : byte
{
    /// <summary>n = 1: printer status (online or offline).</summary>
    Printer = 1,

    /// <summary>n = 2: why the printer is offline (cover, paper end, error).</summary>
    Offline = 2,

    /// <summary>n = 3: which error (cutter, unrecoverable, head temperature).</summary>
    Error = 3,

    /// <summary>n = 4: the paper roll sensor (near end, end).</summary>
    Paper = 4,
}

/// <summary>
/// ESC/POS commands as pure functions returning their bytes (Epson's ESC/POS reference; see
/// <c>../shared/reference/escpos.md</c>). Arguments are checked: a value the printer would misread throws instead
/// of being sent.
/// </summary>
public static class EscPos
{
    /// <summary>ESC.</summary>
    public const byte Esc = 0x1B;

    /// <summary>GS.</summary>
    public const byte Gs = 0x1D;

    /// <summary>DLE.</summary>
    public const byte Dle = 0x10;

    /// <summary>EOT.</summary>
    public const byte Eot = 0x04;

    /// <summary>FS.</summary>
    public const byte Fs = 0x1C;

    /// <summary>LF: print the buffer and feed one line.</summary>
    public const byte LineFeed = 0x0A;

    /// <summary>The most rows sent in one <c>GS v 0</c> command; taller images go in bands (printers' buffers are small).</summary>
    public const int MaxBandRows = 960;

    /// <summary>
    /// The rows of a receipt's raster band: 24 rows (1,152 bytes at 58 mm, 1,728 at 80 mm, about 3 mm of paper). A job
    /// stopped part-way (paper out, a stalled line) leaves at most one small band unfinished, which the driver can
    /// complete with blank rows, instead of a band of hundreds of rows that would swallow the next job as pixels.
    /// </summary>
    public const int ReceiptBandRows = 24;

    /// <summary><c>ESC @</c>: clears the buffer and resets every mode.</summary>
    public static byte[] Initialise() => [Esc, 0x40];

    /// <summary><c>FS .</c>: leaves the double-byte (Kanji/Chinese) mode some printers start in.</summary>
    public static byte[] CancelDoubleByte() => [Fs, 0x2E];

    /// <summary><c>ESC t n</c>: selects a character code table.</summary>
    public static byte[] CodePage(byte table) => [Esc, 0x74, table];

    /// <summary><c>ESC a n</c>.</summary>
    public static byte[] Align(Justification justification) => [Esc, 0x61, (byte)justification];

    /// <summary><c>ESC E n</c>.</summary>
    public static byte[] Bold(bool on) => [Esc, 0x45, on ? (byte)1 : (byte)0];

    /// <summary><c>ESC - n</c>.</summary>
    public static byte[] SetUnderline(Underline underline) => [Esc, 0x2D, (byte)underline];

    /// <summary><c>GS ! n</c>: character size, width and height multipliers 1 to 8.</summary>
    public static byte[] CharacterSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 8);
        return [Gs, 0x21, (byte)(((width - 1) << 4) | (height - 1))];
    }

    /// <summary><c>ESC 3 n</c>: line spacing in dots.</summary>
    public static byte[] LineSpacing(byte dots) => [Esc, 0x33, dots];

    /// <summary><c>ESC 2</c>: the default line spacing (about 1/6 inch).</summary>
    public static byte[] DefaultLineSpacing() => [Esc, 0x32];

    /// <summary><c>ESC d n</c>: prints the buffer and feeds <paramref name="lines"/> lines.</summary>
    public static byte[] Feed(byte lines) => [Esc, 0x64, lines];

    /// <summary><c>GS V m</c>: cuts where the paper is.</summary>
    public static byte[] Cut(CutMode mode = CutMode.Partial) => [Gs, 0x56, (byte)mode];

    /// <summary><c>GS V m n</c> (m = 65 or 66): feeds <paramref name="dots"/> (in motion units) to the cutter, then cuts.</summary>
    public static byte[] FeedAndCut(byte dots, CutMode mode = CutMode.Partial) => [Gs, 0x56, (byte)(mode == CutMode.Full ? 0x41 : 0x42), dots];

    /// <summary><c>ESC p m t1 t2</c>: a pulse to open the cash drawer on pin 2 or 5, on and off times in 2 ms units.</summary>
    public static byte[] CashDrawerPulse(int pin = 2, byte onTime = 25, byte offTime = 250)
    {
        if (pin is not (2 or 5))
        {
            throw new ArgumentOutOfRangeException(nameof(pin), pin, "the drawer connector has pins 2 and 5");
        }

        return [Esc, 0x70, pin == 2 ? (byte)0 : (byte)1, onTime, offTime];
    }

    /// <summary>
    /// A CODE128 barcode through <c>GS k</c> (m = 73, the form with a length): HRI position (<c>GS H</c>), height in
    /// dots (<c>GS h</c>), module width 2-6 (<c>GS w</c>), then the data with its code set: <c>{C</c> (two digits a
    /// symbol character) for an even run of digits, <c>{B</c> for the rest; "{" itself is sent as "{{".
    /// </summary>
    /// <exception cref="ArgumentException">Empty, longer than the printer takes, or a character outside ASCII 32-126.</exception>
    public static byte[] Code128(string data, byte height = 60, byte moduleWidth = 2, HriPosition hri = HriPosition.Below)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(moduleWidth, (byte)2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(moduleWidth, (byte)6);
        ArgumentOutOfRangeException.ThrowIfZero(height);
        if (data.Length == 0 || data.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException("CODE128 here takes 1 or more printable ASCII characters.", nameof(data));
        }

        var symbol = new List<byte>();
        var digits = data.All(char.IsAsciiDigit) ? data.Length & ~1 : 0;
        if (digits >= 2)
        {
            // Set C: one byte (0-99) for each pair of digits; an odd last digit goes in set B.
            symbol.AddRange("{C"u8.ToArray());
            for (var i = 0; i < digits; i += 2)
            {
                symbol.Add((byte)(((data[i] - '0') * 10) + (data[i + 1] - '0')));
            }

            if (digits < data.Length)
            {
                symbol.AddRange("{B"u8.ToArray());
                symbol.Add((byte)data[^1]);
            }
        }
        else
        {
            symbol.AddRange("{B"u8.ToArray());
            foreach (var c in data)
            {
                symbol.Add((byte)c);
                if (c == '{')
                {
                    symbol.Add((byte)'{');
                }
            }
        }

        if (symbol.Count > 255)
        {
            throw new ArgumentException("Too long for one GS k command.", nameof(data));
        }

        return [Gs, 0x48, (byte)hri, Gs, 0x68, height, Gs, 0x77, moduleWidth, Gs, 0x6B, 73, (byte)symbol.Count, .. symbol];
    }

    /// <summary><c>DLE EOT n</c>: real-time status; the printer answers one byte at once, even while busy.</summary>
    public static byte[] StatusRequest(StatusKind kind) => [Dle, Eot, (byte)kind];

    /// <summary>
    /// <c>GS ( D</c> function 20 (Epson): disables the real-time commands <c>DLE DC4 fn 1</c> (drawer pulse) and
    /// <c>fn 2</c> (power off), which printers otherwise find anywhere in the stream, pixel data included.
    /// </summary>
    public static byte[] DisableRealTimePulseAndPowerOff() => [Gs, 0x28, 0x44, 0x05, 0x00, 0x14, 0x01, 0x00, 0x02, 0x00];

    /// <summary>What a printer sends when <c>DLE DC4 fn 8</c> has cleared its buffers (Epson): <c>37 25 00</c>.</summary>
    public static byte[] ClearedResponse() => [0x37, 0x25, 0x00];

    /// <summary><c>GS a n</c>: automatic status back (0 turns it off); the printer then sends 4 bytes on every change.</summary>
    public static byte[] AutomaticStatusBack(byte mask) => [Gs, 0x61, mask];

    /// <summary>
    /// A native QR code through <c>GS ( k</c> (cn = 49): model 2, module size, error correction, store, print. The
    /// store length counts bytes of the payload in <paramref name="encoding"/> (ASCII by default), not characters.
    /// </summary>
    public static byte[] Qr(string payload, int moduleSize = 6, QrErrorCorrection correction = QrErrorCorrection.M, Encoding? encoding = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(moduleSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(moduleSize, 16);
        var data = (encoding ?? Encoding.ASCII).GetBytes(payload);
        if (data.Length == 0 || data.Length > 7089)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), data.Length, "a QR code holds 1 to 7089 bytes");
        }

        var storeLength = data.Length + 3;
        var bytes = new List<byte>(data.Length + 32);
        bytes.AddRange([Gs, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
        bytes.AddRange([Gs, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, (byte)moduleSize]);
        bytes.AddRange([Gs, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, (byte)correction]);
        bytes.AddRange([Gs, 0x28, 0x6B, (byte)(storeLength & 0xFF), (byte)(storeLength >> 8), 0x31, 0x50, 0x30]);
        bytes.AddRange(data);
        bytes.AddRange([Gs, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
        return bytes.ToArray();
    }

    /// <summary>
    /// A raster image through <c>GS v 0</c> (normal density), sent in bands of at most <paramref name="bandRows"/>
    /// rows so that a long receipt does not overflow the printer's buffer.
    /// </summary>
    public static byte[] Raster(MonoBitmap image, int bandRows = MaxBandRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bandRows, 1);
        var stride = image.Stride;
        if (stride > 0xFFFF || image.Height == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(image), "an image is 1 to 65535 bytes wide and at least one row");
        }

        var bands = (image.Height + bandRows - 1) / bandRows;
        var output = new byte[(bands * 8) + image.Rows.Length];
        var at = 0;
        for (var top = 0; top < image.Height; top += bandRows)
        {
            var rows = Math.Min(bandRows, image.Height - top);
            output[at++] = Gs;
            output[at++] = 0x76;
            output[at++] = 0x30;
            output[at++] = 0x00;
            BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(at), (ushort)stride);
            BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(at + 2), (ushort)rows);
            at += 4;
            image.Rows.AsSpan(top * stride, rows * stride).CopyTo(output.AsSpan(at));
            at += rows * stride;
        }

        return output;
    }
}
