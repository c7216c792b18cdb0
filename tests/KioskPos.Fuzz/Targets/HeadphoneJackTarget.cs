using KioskPos.Firmware.Audio;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// The <c>input_event</c> stream of a sound card's jack (<see cref="SwitchEventDecoder"/>), in the record size and read
/// sizes the first byte picks: never an exception, and the same states whatever the read size.
/// </summary>
internal sealed class HeadphoneJackTarget : IFuzzTarget
{
    public string Name => "headphone-jack";

    public string Parser => "SwitchEventDecoder.Feed (evdev EV_SW records of a headphone jack)";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var size = (input[0] & 1) == 0 ? 24 : 16;
        var read = ((input[0] >> 1) & 0x3F) + 1; // a read() returns 1-64 bytes here
        var events = input[1..];
        var whole = new SwitchEventDecoder(size).Feed(events);
        var decoder = new SwitchEventDecoder(size);
        var pieces = new List<bool>();
        for (var at = 0; at < events.Length; at += read)
        {
            pieces.AddRange(decoder.Feed(events.Slice(at, Math.Min(read, events.Length - at))));
        }

        if (!whole.SequenceEqual(pieces))
        {
            throw new FuzzFinding($"{whole.Count} states read whole, {pieces.Count} read {read} bytes at a time");
        }
    }
}
