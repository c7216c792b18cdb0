using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KioskPos.Firmware.Interop;
using KioskPos.Firmware.Readers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KioskPos.Firmware.Audio;

/// <summary>
/// Decodes the switch events of a sound card's jack input device (<c>linux/input.h</c>): records of
/// { struct timeval; u16 type; u16 code; s32 value } — 24 bytes on 64-bit, 16 on 32-bit ARM — of which the ones that
/// matter are EV_SW (0x05) with SW_HEADPHONE_INSERT (0x02): value 1 plugged in, 0 pulled out
/// (<c>linux/input-event-codes.h</c>). Everything else the device sends (EV_SYN, other switches, a headset's keys) is
/// passed over; a record split across reads is kept until it is whole.
/// </summary>
public sealed class SwitchEventDecoder
{
    /// <summary>EV_SW: a binary switch changed.</summary>
    public const ushort EvSw = 0x05;

    /// <summary>SW_HEADPHONE_INSERT: set when headphones are plugged into the jack.</summary>
    public const ushort SwHeadphoneInsert = 0x02;

    private readonly int _recordSize;
    private readonly byte[] _pending;
    private int _pendingLength;

    /// <param name="recordSize">24 (64-bit kernel) or 16 (32-bit ARM).</param>
    public SwitchEventDecoder(int recordSize)
    {
        if (recordSize is not (16 or 24))
        {
            throw new ArgumentOutOfRangeException(nameof(recordSize), recordSize, "An input_event is 24 bytes on 64-bit and 16 bytes on 32-bit ARM.");
        }

        _recordSize = recordSize;
        _pending = new byte[recordSize];
    }

    /// <summary>Feeds bytes read from the device; returns each headphone state (true: plugged) they report, in order.</summary>
    public IReadOnlyList<bool> Feed(ReadOnlySpan<byte> bytes)
    {
        var states = new List<bool>();
        while (!bytes.IsEmpty)
        {
            var take = Math.Min(_recordSize - _pendingLength, bytes.Length);
            bytes[..take].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += take;
            bytes = bytes[take..];
            if (_pendingLength < _recordSize)
            {
                break;
            }

            _pendingLength = 0;
            var header = _recordSize - 8; // type, code and value follow the timeval
            var type = BinaryPrimitives.ReadUInt16LittleEndian(_pending.AsSpan(header));
            var code = BinaryPrimitives.ReadUInt16LittleEndian(_pending.AsSpan(header + 2));
            var value = BinaryPrimitives.ReadInt32LittleEndian(_pending.AsSpan(header + 4));
            if (type == EvSw && code == SwHeadphoneInsert)
            {
                states.Add(value != 0);
            }
        }

        return states;
    }
}

/// <summary>
/// The headphone jack of the terminal's sound card, read from its evdev input device (ALSA's jack detection makes one
/// per card, named like <c>"bcm2835 Headphones Headphone Jack"</c> or <c>"HDA Intel PCH Headphone"</c>): whether
/// headphones are plugged in, when it starts (EVIOCGSW) and at each change. The device is not grabbed, so the sound
/// system hears the jack too. <see cref="Find"/> picks the device by its capability (SW_HEADPHONE_INSERT in its
/// switch bits) from <c>/proc/bus/input/devices</c>, as the kernel lists them.
/// </summary>
/// <param name="path">The evdev file (<c>/dev/input/event3</c>, <c>/dev/input/by-path/…</c>).</param>
/// <param name="time">Clock for reopen delays.</param>
/// <param name="recordSize">The kernel's input_event size; defaults to this machine's.</param>
/// <param name="logger">Diagnostics.</param>
public sealed class HeadphoneJack(string path, TimeProvider time, int? recordSize = null, ILogger? logger = null)
{
    /// <summary>Where the kernel lists its input devices.</summary>
    public const string DevicesList = "/proc/bus/input/devices";

    // EVIOCGSW(len) = _IOC(_IOC_READ, 'E', 0x1b, len) (linux/input.h): the switches' current state as a bitmap.
    private const int SwitchBytes = 8;
    private const nuint EviocGsw = (2u << 30) | (SwitchBytes << 16) | ('E' << 8) | 0x1b;

    /// <summary>The jack's name for diagnostics.</summary>
    public string Name => $"headphone jack {path}";

    /// <summary>
    /// True when headphones are plugged in, false when not: the state when the device is opened (when the kernel tells
    /// it), then each change.
    /// </summary>
    public async IAsyncEnumerable<bool> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool? initial = null;
        var device = new EvdevKeyboard(path, Name, time, logger ?? NullLogger.Instance, grab: false, opened: fd => initial = CurrentState(fd));
        SwitchEventDecoder? decoder = null;
        await foreach (var chunk in device.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (chunk.IsEmpty || decoder is null)
            {
                decoder = new SwitchEventDecoder(recordSize ?? (IntPtr.Size == 8 ? 24 : 16));
                if (chunk.IsEmpty && initial is { } state)
                {
                    yield return state;
                }
            }

            foreach (var plugged in decoder.Feed(chunk.Span))
            {
                yield return plugged;
            }
        }
    }

    // The jack's state now, or null when the file is not an input device (a FIFO in tests, an old kernel).
    private static bool? CurrentState(int fd)
    {
        var bits = Marshal.AllocHGlobal(SwitchBytes);
        try
        {
            for (var i = 0; i < SwitchBytes; i++)
            {
                Marshal.WriteByte(bits, i, 0);
            }

            return Libc.Ioctl(fd, EviocGsw, bits) < 0 ? null : (Marshal.ReadByte(bits, SwitchEventDecoder.SwHeadphoneInsert / 8) & (1 << (SwitchEventDecoder.SwHeadphoneInsert % 8))) != 0;
        }
        finally
        {
            Marshal.FreeHGlobal(bits);
        }
    }

    /// <summary>
    /// The evdev file of the first input device in <paramref name="devices"/> (the text of <see cref="DevicesList"/>)
    /// that reports SW_HEADPHONE_INSERT, one named for headphones first; null when there is none.
    /// </summary>
    public static string? Find(string devices)
    {
        string? first = null;
        foreach (var block in devices.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null, handler = null;
            var headphone = false;
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("N: Name=", StringComparison.Ordinal))
                {
                    name = line["N: Name=".Length..].Trim('"');
                }
                else if (line.StartsWith("H: Handlers=", StringComparison.Ordinal))
                {
                    handler = line["H: Handlers=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(h => h.StartsWith("event", StringComparison.Ordinal));
                }
                else if (line.StartsWith("B: SW=", StringComparison.Ordinal))
                {
                    // The bitmap as the kernel prints it: hexadecimal words, the highest first; bit 2 is in the last.
                    var words = line["B: SW=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    headphone = words.Length > 0 && ulong.TryParse(words[^1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var low) && (low & (1UL << SwitchEventDecoder.SwHeadphoneInsert)) != 0;
                }
            }

            if (!headphone || handler is null)
            {
                continue;
            }

            var file = "/dev/input/" + handler;
            if (name?.Contains("Headphone", StringComparison.OrdinalIgnoreCase) == true)
            {
                return file;
            }

            first ??= file;
        }

        return first;
    }
}
