using KioskPos.Core.Hardware;
using KioskPos.Firmware.Readers;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// The <c>input_event</c> stream of a keyboard-wedge card reader (<see cref="KeyboardWedgeDecoder"/>), in the record
/// size and the read sizes the first byte picks: never an exception, and a card text is 1-20 card digits.
/// </summary>
internal sealed class EvdevTarget : IFuzzTarget
{
    public string Name => "evdev";

    public string Parser => "KeyboardWedgeDecoder.Feed (evdev input_event records of a USB reader)";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var decoder = new KeyboardWedgeDecoder((input[0] & 1) == 0 ? 24 : 16, TimeSpan.FromMilliseconds(100));
        var read = ((input[0] >> 1) & 0x3F) + 1; // a read() returns 1-64 bytes here
        var events = input[1..];
        for (var at = 0; at < events.Length; at += read)
        {
            foreach (var text in decoder.Feed(events.Slice(at, Math.Min(read, events.Length - at))))
            {
                if (text.Length is < 1 or > 20 || !text.All(c => char.IsAsciiDigit(c) || c is >= 'A' and <= 'F'))
                {
                    throw new FuzzFinding($"card text '{text}' is not 1-20 card digits");
                }

                foreach (var format in Enum.GetValues<CardNumberFormat>())
                {
                    _ = CardNumberText.TryToUid(text, format, out _);
                }
            }
        }
    }
}
