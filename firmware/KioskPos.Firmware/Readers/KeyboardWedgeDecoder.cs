using System.Buffers.Binary;
using System.Text;

namespace KioskPos.Firmware.Readers;

/// <summary>
/// Decodes the <c>input_event</c> stream of a USB keyboard-wedge reader (<c>linux/input.h</c>): records of
/// { struct timeval; u16 type; u16 code; s32 value } — 24 bytes on 64-bit, 16 on 32-bit ARM. Key presses
/// (EV_KEY, value 1) of digits and hex letters are collected until Enter; a pause between keys longer than the
/// keystroke timeout drops what was collected (a partial read, or a person typing), and so does any other key.
/// Bytes may arrive in any chunks: a record split across reads is kept until it is whole.
/// </summary>
public sealed class KeyboardWedgeDecoder
{
    private const ushort EvKey = 1;
    private const int Press = 1;
    private const int Release = 0;
    private const ushort KeyLeftShift = 42;
    private const ushort KeyRightShift = 54;
    private const ushort KeyEnter = 28;
    private const ushort KeyKeypadEnter = 96;
    private const int MaxLength = 20;

    // About 14,600 years either way: a clamped seconds and microseconds field added stay inside TimeSpan's range.
    private const long MaxSeconds = 1L << 38;

    // KEY_1..KEY_9 = 2..10, KEY_0 = 11; keypad 7 8 9 = 71 72 73, 4 5 6 = 75 76 77, 1 2 3 = 79 80 81, 0 = 82;
    // KEY_A 30, B 48, C 46, D 32, E 18, F 33 (linux/input-event-codes.h).
    private static readonly Dictionary<ushort, char> s_keys = new()
    {
        [2] = '1', [3] = '2', [4] = '3', [5] = '4', [6] = '5', [7] = '6', [8] = '7', [9] = '8', [10] = '9', [11] = '0',
        [71] = '7', [72] = '8', [73] = '9', [75] = '4', [76] = '5', [77] = '6', [79] = '1', [80] = '2', [81] = '3', [82] = '0',
        [30] = 'A', [48] = 'B', [46] = 'C', [32] = 'D', [18] = 'E', [33] = 'F',
    };

    private readonly int _recordSize;
    private readonly TimeSpan _keystrokeTimeout;
    private readonly byte[] _pending;
    private readonly StringBuilder _text = new();
    private int _pendingLength;
    private bool _shift;
    private bool _garbled;
    private TimeSpan _lastKey;

    /// <param name="recordSize">24 (64-bit kernel) or 16 (32-bit ARM).</param>
    /// <param name="keystrokeTimeout">Readers type a key every few milliseconds; a longer pause ends a read.</param>
    public KeyboardWedgeDecoder(int recordSize, TimeSpan keystrokeTimeout)
    {
        if (recordSize is not (16 or 24))
        {
            throw new ArgumentOutOfRangeException(nameof(recordSize), recordSize, "An input_event is 24 bytes on 64-bit and 16 bytes on 32-bit ARM.");
        }

        _recordSize = recordSize;
        _keystrokeTimeout = keystrokeTimeout;
        _pending = new byte[recordSize];
    }

    /// <summary>The record size of this machine's kernel.</summary>
    public static int NativeRecordSize => IntPtr.Size == 8 ? 24 : 16;

    /// <summary>Reads dropped so far (timeouts, keys that are not card digits, too long).</summary>
    public int Dropped { get; private set; }

    /// <summary>Feeds bytes read from the device; returns each complete card text they finish.</summary>
    public IReadOnlyList<string> Feed(ReadOnlySpan<byte> bytes)
    {
        var frames = new List<string>();
        while (!bytes.IsEmpty)
        {
            var take = Math.Min(_recordSize - _pendingLength, bytes.Length);
            bytes[..take].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += take;
            bytes = bytes[take..];
            if (_pendingLength == _recordSize)
            {
                _pendingLength = 0;
                if (Record(_pending) is { } frame)
                {
                    frames.Add(frame);
                }
            }
        }

        return frames;
    }

    private string? Record(ReadOnlySpan<byte> record)
    {
        long seconds = _recordSize == 24 ? BinaryPrimitives.ReadInt64LittleEndian(record) : BinaryPrimitives.ReadInt32LittleEndian(record);
        long micros = _recordSize == 24 ? BinaryPrimitives.ReadInt64LittleEndian(record[8..]) : BinaryPrimitives.ReadInt32LittleEndian(record[4..]);
        var body = record[(_recordSize - 8)..];
        var type = BinaryPrimitives.ReadUInt16LittleEndian(body);
        var code = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
        var value = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
        if (type != EvKey)
        {
            // EV_SYN, EV_MSC (scan codes), EV_LED: not keys.
            return null;
        }

        if (code is KeyLeftShift or KeyRightShift)
        {
            _shift = value != Release;
            return null;
        }

        if (value != Press)
        {
            // Releases and autorepeat.
            return null;
        }

        // The kernel's timestamps are sane, but the bytes come from a device file: a timeval out of TimeSpan's range
        // (or a microseconds field beyond a second) must not throw, so it is clamped to the range instead.
        var at = TimeSpan.FromTicks(Math.Clamp(seconds, -MaxSeconds, MaxSeconds) * TimeSpan.TicksPerSecond
            + (Math.Clamp(micros, -MaxSeconds, MaxSeconds) * TimeSpan.TicksPerMicrosecond));
        if ((_text.Length > 0 || _garbled) && at - _lastKey > _keystrokeTimeout)
        {
            Drop();
        }

        _lastKey = at;
        if (code is KeyEnter or KeyKeypadEnter)
        {
            if (_garbled)
            {
                Drop();
                return null;
            }

            var frame = _text.Length > 0 ? _text.ToString() : null;
            _text.Clear();
            return frame;
        }

        // Shift with a digit is a symbol, not a card digit; with a letter it only changes the case.
        if (!s_keys.TryGetValue(code, out var c) || (_shift && char.IsAsciiDigit(c)) || _text.Length >= MaxLength)
        {
            _garbled = true;
            return null;
        }

        _text.Append(c);
        return null;
    }

    private void Drop()
    {
        Dropped++;
        _text.Clear();
        _garbled = false;
    }
}
