using System.Buffers.Binary;
using System.Text;

namespace KioskPos.Firmware.Readers;

/// <summary>What a keyboard-wedge device is expected to type before its Enter.</summary>
public enum WedgeCharacters
{
    /// <summary>A card reader: digits and hex letters only, at most 20; any other key spoils the read.</summary>
    CardDigits,

    /// <summary>
    /// A 2D scanner set to a US keyboard layout: printable ASCII (Shift for capitals and symbols such as the <c>|</c>
    /// of a citizen-ID card's QR), at most <see cref="KeyboardWedgeDecoder.MaxTextLength"/> characters. A US layout
    /// cannot type Vietnamese letters: a scanner left in its "Alt + keypad code" mode (a Windows convention Linux does
    /// not follow) sends each as Alt held over keypad digits, and a key the layout has no character for arrives too;
    /// each such character becomes one <c>?</c>, so the fields after it keep their places.
    /// </summary>
    Ascii,
}

/// <summary>
/// Decodes the <c>input_event</c> stream of a USB keyboard-wedge reader (<c>linux/input.h</c>): records of
/// { struct timeval; u16 type; u16 code; s32 value } — 24 bytes on 64-bit, 16 on 32-bit ARM. Key presses
/// (EV_KEY, value 1) are collected until Enter: digits and hex letters for a card reader, printable ASCII for a 2D
/// scanner (<see cref="WedgeCharacters"/>). A pause between keys longer than the keystroke timeout drops what was
/// collected (a partial read, or a person typing); so does, for a card reader, any other key. Bytes may arrive in
/// any chunks: a record split across reads is kept until it is whole.
/// </summary>
public sealed class KeyboardWedgeDecoder
{
    /// <summary>The longest text a scanner's read may be; a longer one is dropped (a CCCD's QR is well under it).</summary>
    public const int MaxTextLength = 512;

    private const ushort EvKey = 1;
    private const int Press = 1;
    private const int Release = 0;
    private const ushort KeyLeftShift = 42;
    private const ushort KeyRightShift = 54;
    private const ushort KeyEnter = 28;
    private const ushort KeyKeypadEnter = 96;
    private const ushort KeyLeftAlt = 56;
    private const ushort KeyRightAlt = 100;
    private const int MaxCardLength = 20;

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

    // The US layout (linux/input-event-codes.h): each key's character without and with Shift. KEY_MINUS 12,
    // KEY_EQUAL 13, KEY_TAB 15, KEY_Q..KEY_P 16..25, KEY_LEFTBRACE 26, KEY_RIGHTBRACE 27, KEY_A..KEY_L 30..38,
    // KEY_SEMICOLON 39, KEY_APOSTROPHE 40, KEY_GRAVE 41, KEY_BACKSLASH 43, KEY_Z..KEY_M 44..50, KEY_COMMA 51,
    // KEY_DOT 52, KEY_SLASH 53, KEY_KPASTERISK 55, KEY_SPACE 57, keypad 71..83 and KEY_KPSLASH 98.
    private static readonly Dictionary<ushort, (char Plain, char Shifted)> s_us = BuildUs();

    // Keys that type nothing by themselves: Ctrl, Caps Lock, Num Lock, Scroll Lock, the Windows keys.
    private static readonly HashSet<ushort> s_silent = [29, 97, 58, 69, 70, 125, 126];

    private readonly WedgeCharacters _characters;
    private readonly int _recordSize;
    private readonly TimeSpan _keystrokeTimeout;
    private readonly byte[] _pending;
    private readonly StringBuilder _text = new();
    private int _pendingLength;
    private bool _shift;
    private bool _garbled;
    private bool _alt;
    private int _altDigits;
    private TimeSpan _lastKey;

    /// <param name="recordSize">24 (64-bit kernel) or 16 (32-bit ARM).</param>
    /// <param name="keystrokeTimeout">Readers type a key every few milliseconds; a longer pause ends a read.</param>
    /// <param name="characters">A card reader's digits (default) or a scanner's ASCII text.</param>
    public KeyboardWedgeDecoder(int recordSize, TimeSpan keystrokeTimeout, WedgeCharacters characters = WedgeCharacters.CardDigits)
    {
        if (recordSize is not (16 or 24))
        {
            throw new ArgumentOutOfRangeException(nameof(recordSize), recordSize, "An input_event is 24 bytes on 64-bit and 16 bytes on 32-bit ARM.");
        }

        _characters = characters;
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

        if (_characters == WedgeCharacters.Ascii && code is KeyLeftAlt or KeyRightAlt)
        {
            // Alt released after keypad digits: one character the layout could not type.
            _alt = value != Release;
            if (!_alt && _altDigits > 0)
            {
                _altDigits = 0;
                Append('?');
            }

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

        if (_characters == WedgeCharacters.Ascii)
        {
            if (_alt && code is >= 71 and <= 82 && s_keys.ContainsKey(code))
            {
                _altDigits++;
            }
            else if (!s_silent.Contains(code))
            {
                Append(s_us.TryGetValue(code, out var key) ? (_shift ? key.Shifted : key.Plain) : '?');
            }

            return null;
        }

        // Shift with a digit is a symbol, not a card digit; with a letter it only changes the case.
        if (!s_keys.TryGetValue(code, out var c) || (_shift && char.IsAsciiDigit(c)) || _text.Length >= MaxCardLength)
        {
            _garbled = true;
            return null;
        }

        _text.Append(c);
        return null;
    }

    private void Append(char c)
    {
        if (_text.Length >= MaxTextLength)
        {
            _garbled = true;
            return;
        }

        _text.Append(c);
    }

    private static Dictionary<ushort, (char, char)> BuildUs()
    {
        var keys = new Dictionary<ushort, (char, char)>();
        void Row(ushort first, string plain, string shifted)
        {
            for (var i = 0; i < plain.Length; i++)
            {
                keys[(ushort)(first + i)] = (plain[i], shifted[i]);
            }
        }

        Row(2, "1234567890-=", "!@#$%^&*()_+");
        Row(15, "\tqwertyuiop[]", "\tQWERTYUIOP{}");
        Row(30, "asdfghjkl;'`", "ASDFGHJKL:\"~");
        Row(43, "\\zxcvbnm,./", "|ZXCVBNM<>?");
        Row(55, "*", "*");
        Row(57, " ", " ");
        Row(71, "789-456+1230.", "789-456+1230.");
        Row(98, "/", "/");
        return keys;
    }

    private void Drop()
    {
        Dropped++;
        _text.Clear();
        _garbled = false;
        _altDigits = 0;
    }
}
