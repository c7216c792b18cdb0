using KioskPos.Core.Hardware;
using KioskPos.Firmware.Readers;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// A serial card reader's byte stream (<see cref="SerialCardDecoder"/>), line-based or EM4100 as the first byte picks,
/// in the read sizes it picks: never an exception; a card is printable text of at most 32 characters, an EM4100 card 10
/// hex digits; every refusal says why.
/// </summary>
internal sealed class SerialReaderTarget : IFuzzTarget
{
    public string Name => "serial-reader";

    public string Parser => "SerialCardDecoder.Feed (line and EM4100 frames), then CardNumberText.TryToUid";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var framing = (input[0] & 1) == 0 ? SerialFraming.Line : SerialFraming.Em4100;
        var decoder = new SerialCardDecoder(framing);
        var read = ((input[0] >> 1) & 0x1F) + 1;
        var bytes = input[1..];
        for (var at = 0; at < bytes.Length; at += read)
        {
            foreach (var frame in decoder.Feed(bytes.Slice(at, Math.Min(read, bytes.Length - at))))
            {
                if (frame.Text is null)
                {
                    if (string.IsNullOrEmpty(frame.Refused))
                    {
                        throw new FuzzFinding("a frame refused without a reason");
                    }

                    continue;
                }

                var good = framing == SerialFraming.Em4100
                    ? frame.Text.Length == 10 && frame.Text.All(char.IsAsciiHexDigitUpper)
                    : frame.Text.Length is >= 1 and <= 32 && frame.Text.All(c => c is >= ' ' and <= '~');
                if (!good)
                {
                    throw new FuzzFinding($"{framing} card text '{frame.Text}' is not what a reader sends");
                }

                foreach (var format in Enum.GetValues<CardNumberFormat>())
                {
                    _ = CardNumberText.TryToUid(frame.Text, format, out _);
                }
            }
        }
    }
}
