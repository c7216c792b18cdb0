using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace KioskPos.Hardware.Simulators.Scanner;

/// <summary>
/// A USB 2D scanner in keyboard-wedge mode, emulated at its evdev file: a FIFO the terminal's real scanner reader
/// (<c>KeyboardWedgeScanner</c>, as for <c>scanner:/dev/input/…</c>) reads, into which each scan is typed as the kernel
/// reports a US-layout keyboard — MSC_SCAN, the key, SYN_REPORT per press and release, Shift around capitals and
/// symbols, Enter last, a few milliseconds between keys. Like a scanner set to send ASCII, it types Vietnamese letters
/// without their marks (Đ as D). The FIFO is held open for writing (and reading, so opening it does not wait for the
/// terminal), so the reader never sees its writer go and no scan falls between two opens.
/// </summary>
public sealed class EmulatedScanner : IDisposable
{
    private const string Plain = "1234567890-=qwertyuiop[]asdfghjkl;'`\\zxcvbnm,./ ";
    private const string Shifted = "!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:\"~|ZXCVBNM<>? ";

    // KEY_1..KEY_EQUAL 2..13, KEY_Q..KEY_RIGHTBRACE 16..27, KEY_A..KEY_GRAVE 30..41, KEY_BACKSLASH..KEY_SLASH 43..53,
    // KEY_SPACE 57 (linux/input-event-codes.h).
    private static readonly int[] s_codes = [.. Enumerable.Range(2, 12), .. Enumerable.Range(16, 12), .. Enumerable.Range(30, 12), .. Enumerable.Range(43, 11), 57];
    private const ushort EvSyn = 0, EvKey = 1, EvMsc = 4, MscScan = 4, KeyLeftShift = 42, KeyEnter = 28;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly FileStream _fifo;
    private readonly TimeProvider _time;
    private readonly int _recordSize;

    /// <param name="path">The FIFO to make (if missing) and write, e.g. <c>scanner-event-kbd</c> under the data folder.</param>
    /// <param name="time">Clock for the events' timestamps.</param>
    /// <param name="recordSize">The kernel's input_event size: 24 on 64-bit, 16 on 32-bit ARM.</param>
    public EmulatedScanner(string path, TimeProvider time, int? recordSize = null)
    {
        Path = path;
        _time = time;
        _recordSize = recordSize ?? (IntPtr.Size == 8 ? 24 : 16);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            if (MakeFifo(path, 0x180) != 0) // 0600
            {
                throw new IOException($"mkfifo {path} failed ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}).");
            }
        }

        // O_RDWR on a FIFO opens at once on Linux, with or without a reader; the terminal's reader opens it beside.
        _fifo = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
    }

    /// <summary>The FIFO the terminal reads as the scanner's evdev file.</summary>
    public string Path { get; }

    /// <summary>Scans done.</summary>
    public int Scans { get; private set; }

    /// <summary>What a scanner sending ASCII types for <paramref name="text"/>: marks dropped, Đ as D, other letters as <c>?</c>; line ends dropped.</summary>
    public static string Ascii(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var c in KioskPos.Core.Text.LatinNormalization.ToFormD(text.Replace('Đ', 'D').Replace('đ', 'd')))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark || c is '\r' or '\n')
            {
                continue;
            }

            folded.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return folded.ToString();
    }

    /// <summary>The evdev bytes of <paramref name="text"/> typed and Enter pressed, keys <paramref name="gap"/> apart from <paramref name="start"/>.</summary>
    public byte[] Events(string text, DateTimeOffset start, TimeSpan gap)
    {
        var bytes = new List<byte>();
        var clock = start;
        void Record(ushort type, ushort code, int value)
        {
            var record = new byte[_recordSize];
            var micros = clock.ToUnixTimeMilliseconds() * 1000;
            if (_recordSize == 24)
            {
                BinaryPrimitives.WriteInt64LittleEndian(record, micros / 1_000_000);
                BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), micros % 1_000_000);
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(record, (int)(micros / 1_000_000));
                BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(4), (int)(micros % 1_000_000));
            }

            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(_recordSize - 8), type);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(_recordSize - 6), code);
            BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(_recordSize - 4), value);
            bytes.AddRange(record);
        }

        void Key(ushort code, int value)
        {
            Record(EvMsc, MscScan, 0x70000 + code);
            Record(EvKey, code, value);
            Record(EvSyn, 0, 0);
        }

        void Press(ushort code)
        {
            Key(code, 1);
            clock += gap;
            Key(code, 0);
            clock += gap;
        }

        foreach (var c in Ascii(text))
        {
            var plain = Plain.IndexOf(c, StringComparison.Ordinal);
            if (plain >= 0)
            {
                Press((ushort)s_codes[plain]);
                continue;
            }

            var shifted = Shifted.IndexOf(c, StringComparison.Ordinal);
            Key(KeyLeftShift, 1);
            Press((ushort)s_codes[shifted >= 0 ? shifted : Shifted.IndexOf('?', StringComparison.Ordinal)]);
            Key(KeyLeftShift, 0);
        }

        Press(KeyEnter);
        return [.. bytes];
    }

    /// <summary>Scans <paramref name="text"/>: types its events into the FIFO, one scan at a time.</summary>
    public async Task ScanAsync(string text, CancellationToken cancellationToken)
    {
        var bytes = Events(text, _time.GetUtcNow(), TimeSpan.FromMilliseconds(2));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _fifo.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _fifo.FlushAsync(cancellationToken).ConfigureAwait(false);
            Scans++;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _fifo.Dispose();
        _gate.Dispose();
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
