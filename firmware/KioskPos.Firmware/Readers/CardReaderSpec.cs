using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using KioskPos.Firmware.Devices;

namespace KioskPos.Firmware.Readers;

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
    /// a citizen-ID card's QR, not a card's UID (<see cref="KeyboardWedgeScanner"/>).
    /// </summary>
    Scanner,
}

/// <summary>
/// One card reader as configured: <c>simulated</c>, <c>mfrc522:/dev/spidev0.0[:reset=25]</c>,
/// <c>evdev:/dev/input/by-id/usb-…-event-kbd[:decimal-be|decimal-le|hex]</c>,
/// <c>serial:/dev/ttyUSB0[:9600][:em4100|line][:decimal-be|decimal-le|hex]</c>, and the 2D scanner beside them,
/// <c>scanner:/dev/input/by-id/usb-…-event-kbd</c>.
/// </summary>
public sealed record CardReaderSpec(CardReaderKind Kind, string Path = "", int BaudRate = 9600, SerialFraming Framing = SerialFraming.Line, CardNumberFormat Format = CardNumberFormat.DecimalBigEndian, int ResetPin = -1)
{
    /// <summary>The SPI bus and chip select of a <c>/dev/spidevB.C</c> path.</summary>
    public (int Bus, int ChipSelect) SpiAddress
    {
        get
        {
            var name = System.IO.Path.GetFileName(Path);
            var parts = name.StartsWith("spidev", StringComparison.Ordinal) ? name[6..].Split('.') : [];
            return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var bus) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var cs)
                ? (bus, cs)
                : throw new FormatException($"'{Path}' is not a SPI device file like /dev/spidev0.0.");
        }
    }

    /// <summary>Parses one reader; a comma-separated list gives several (see <see cref="ParseList"/>).</summary>
    /// <exception cref="FormatException">With what a valid value looks like.</exception>
    public static CardReaderSpec Parse(string text)
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

                var spec = new CardReaderSpec(CardReaderKind.Mfrc522, parts[1], ResetPin: reset);
                _ = spec.SpiAddress;
                return spec;
            case "evdev" when parts.Length is 2 or 3:
                return new(CardReaderKind.Evdev, parts[1], Format: CardNumberText.ParseFormat(parts.Length == 3 ? parts[2] : null));
            case "scanner" when parts.Length == 2:
                return new(CardReaderKind.Scanner, parts[1]);
            case "serial" when parts.Length is >= 2 and <= 5:
                var serial = new CardReaderSpec(CardReaderKind.Serial, parts[1]);
                foreach (var option in parts.Skip(2))
                {
                    serial = option.ToLowerInvariant() switch
                    {
                        "em4100" => serial with { Framing = SerialFraming.Em4100 },
                        "line" => serial with { Framing = SerialFraming.Line },
                        _ when int.TryParse(option, CultureInfo.InvariantCulture, out var baud) && baud > 0 => serial with { BaudRate = baud },
                        _ => serial with { Format = CardNumberText.ParseFormat(option) },
                    };
                }

                return serial;
            default:
                throw new FormatException($"Card reader '{text}' is not simulated, mfrc522:/dev/spidevB.C, evdev:/dev/input/…, scanner:/dev/input/… or serial:/dev/tty…[:baud][:em4100|line].");
        }
    }

    /// <summary>Parses a comma-separated list of readers.</summary>
    public static IReadOnlyList<CardReaderSpec> ParseList(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];
}

/// <summary>Several readers seen as one stream, as the application wants: every tap, whichever reader read it.</summary>
/// <param name="readers">The readers; each runs until the stream is cancelled.</param>
public sealed class MergedCardReader(IReadOnlyList<ICardReader> readers) : ICardReader
{
    /// <summary>The readers merged.</summary>
    public IReadOnlyList<ICardReader> Readers => readers;

    /// <inheritdoc />
    public string Name => string.Join(", ", readers.Select(r => r.Name));

    /// <inheritdoc />
    public async IAsyncEnumerable<CardRead> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<CardRead>(new BoundedChannelOptions(32) { FullMode = BoundedChannelFullMode.DropOldest });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pumps = readers.Select(reader => PumpAsync(reader, channel.Writer, stop.Token)).ToList();
        try
        {
            await foreach (var read in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return read;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(pumps).ConfigureAwait(false);
        }
    }

    private static async Task PumpAsync(ICardReader reader, ChannelWriter<CardRead> writer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var read in reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(read, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
