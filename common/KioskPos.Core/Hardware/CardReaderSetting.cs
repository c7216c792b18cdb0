using System.Globalization;

namespace KioskPos.Core.Hardware;

/// <summary>The kinds of card reader a terminal can drive.</summary>
public enum CardReaderKind
{
    /// <summary>The MFRC522 chip emulator with virtual cards (make run, tests).</summary>
    Simulated,

    /// <summary>An MFRC522 (RC522 module) on a SPI device file.</summary>
    Mfrc522,

    /// <summary>A USB keyboard-wedge reader's evdev file.</summary>
    Evdev,

    /// <summary>A serial reader.</summary>
    Serial,

    /// <summary>
    /// A 2D scanner in keyboard-wedge mode on an evdev file (<c>scanner:/dev/input/by-id/…-event-kbd</c>): it reads
    /// a citizen-ID card's QR, not a card's UID (the firmware's <c>KeyboardWedgeScanner</c>).
    /// </summary>
    Scanner,
}

/// <summary>How a serial reader frames a card.</summary>
public enum SerialFraming
{
    /// <summary>One card per line of ASCII (CR, LF or CR LF).</summary>
    Line,

    /// <summary>The common 125 kHz module frame: STX, 10 hex digits, 2 hex digits of XOR checksum, ETX (optionally CR LF).</summary>
    Em4100,
}

/// <summary>
/// How a reader that types or sends text writes a card's UID. Cheap readers differ by model (and often by a DIP
/// switch): the technician picks the one that shows a known card's UID in the self-test.
/// </summary>
public enum CardNumberFormat
{
    /// <summary>The UID in hex (8, 10, 14 or 20 digits).</summary>
    Hex,

    /// <summary>The 4-byte UID as a 10-digit zero-padded decimal, first UID byte most significant ("10 digit dec").</summary>
    DecimalBigEndian,

    /// <summary>The 4-byte UID as a 10-digit zero-padded decimal, first UID byte least significant.</summary>
    DecimalLittleEndian,
}

/// <summary>
/// One card reader as written (<c>Hardware:CardReader</c>, a profile's <c>cardReader</c>, a comma-separated list):
/// <c>simulated</c>, <c>mfrc522:/dev/spidev0.0[:reset=25]</c>,
/// <c>evdev:/dev/input/by-id/usb-…-event-kbd[:decimal-be|decimal-le|hex]</c>,
/// <c>serial:/dev/ttyUSB0[:9600][:em4100|line][:decimal-be|decimal-le|hex]</c>, and the 2D scanner beside them,
/// <c>scanner:/dev/input/by-id/usb-…-event-kbd</c>. One reading of the text for the terminal that opens the readers
/// and the province that checks a profile before pushing it.
/// </summary>
/// <param name="Kind">Which reader.</param>
/// <param name="Path">Its device file (<c>simulated</c> for the scanner emulator), else empty.</param>
/// <param name="BaudRate">A serial reader's speed.</param>
/// <param name="Framing">How a serial reader frames a card.</param>
/// <param name="Format">How an evdev or serial reader writes a card's UID.</param>
/// <param name="ResetPin">An MFRC522's reset GPIO (BCM); a negative number is none.</param>
public sealed record CardReaderSetting(CardReaderKind Kind, string Path = "", int BaudRate = 9600, SerialFraming Framing = SerialFraming.Line, CardNumberFormat Format = CardNumberFormat.DecimalBigEndian, int ResetPin = -1)
{
    /// <summary>The SPI bus and chip select of a <c>/dev/spidevB.C</c> path.</summary>
    /// <exception cref="FormatException">The path is not a spidev file.</exception>
    public (int Bus, int ChipSelect) SpiAddress => SpiDeviceFile.Address(Path);

    /// <summary>
    /// True for an MFRC522, whose bus then holds GPIO 7-11 (<see cref="HeaderPins"/>). Any MFRC522, whichever
    /// <c>/dev/spidevB.C</c> it names: the terminal has always reserved SPI0 for one (hardware/README wires it there).
    /// </summary>
    public bool UsesSpi0 => Kind == CardReaderKind.Mfrc522;

    /// <summary>Parses one reader; a comma-separated list gives several (see <see cref="ParseList"/>).</summary>
    /// <exception cref="FormatException">With what a valid value looks like.</exception>
    public static CardReaderSetting Parse(string text)
    {
        var parts = text.Trim().Split(':');
        switch (parts[0].ToLowerInvariant())
        {
            case "simulated" when parts.Length == 1:
                return new(CardReaderKind.Simulated);
            case "mfrc522" when parts.Length is 2 or 3:
                var reset = -1;
                if (parts.Length == 3 && !(parts[2].StartsWith("reset=", StringComparison.Ordinal) && int.TryParse(parts[2][6..], CultureInfo.InvariantCulture, out reset)))
                {
                    throw new FormatException($"Card reader '{text}': after the SPI device comes reset=<GPIO number>.");
                }

                var setting = new CardReaderSetting(CardReaderKind.Mfrc522, parts[1], ResetPin: reset);
                _ = setting.SpiAddress;
                return setting;
            case "evdev" when parts.Length is 2 or 3:
                return new(CardReaderKind.Evdev, parts[1], Format: ParseFormat(parts.Length == 3 ? parts[2] : null));
            case "scanner" when parts.Length == 2:
                return new(CardReaderKind.Scanner, parts[1]);
            case "serial" when parts.Length is >= 2 and <= 5:
                var serial = new CardReaderSetting(CardReaderKind.Serial, parts[1]);
                foreach (var option in parts.Skip(2))
                {
                    serial = option.ToLowerInvariant() switch
                    {
                        "em4100" => serial with { Framing = SerialFraming.Em4100 },
                        "line" => serial with { Framing = SerialFraming.Line },
                        _ when int.TryParse(option, CultureInfo.InvariantCulture, out var baud) && baud > 0 => serial with { BaudRate = baud },
                        _ => serial with { Format = ParseFormat(option) },
                    };
                }

                return serial;
            default:
                throw new FormatException($"Card reader '{text}' is not simulated, mfrc522:/dev/spidevB.C, evdev:/dev/input/…, scanner:/dev/input/… or serial:/dev/tty…[:baud][:em4100|line].");
        }
    }

    /// <summary>Parses a comma-separated list of readers.</summary>
    /// <exception cref="FormatException">What is wrong with the first reader that does not read.</exception>
    public static IReadOnlyList<CardReaderSetting> ParseList(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];

    /// <summary>The header pins the reader takes (BCM), for the profile's check of pins (<see cref="HeaderPins"/>).</summary>
    public IEnumerable<(int Pin, string Use)> Pins()
    {
        if (Kind == CardReaderKind.Mfrc522 && ResetPin >= 0)
        {
            yield return (ResetPin, "reader reset");
        }
    }

    // The name of a format: hex, decimal-be (also when left out), decimal-le.
    private static CardNumberFormat ParseFormat(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "decimal-be" => CardNumberFormat.DecimalBigEndian,
        "decimal-le" => CardNumberFormat.DecimalLittleEndian,
        "hex" => CardNumberFormat.Hex,
        _ => throw new FormatException($"Card number format '{name}' is not hex, decimal-be or decimal-le."),
    };
}
