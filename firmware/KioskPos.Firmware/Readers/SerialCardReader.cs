using System.IO.Ports;
using System.Runtime.CompilerServices;
using System.Text;
using KioskPos.Core.Hardware;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Readers.Iso14443;
using KioskPos.Firmware.Transports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KioskPos.Firmware.Readers;

/// <summary>A card text from a serial reader, or why a frame was refused.</summary>
/// <param name="Text">The card text (hex for EM4100 frames), or null when refused.</param>
/// <param name="Refused">Why the frame was refused.</param>
public readonly record struct SerialFrame(string? Text, string? Refused = null);

/// <summary>
/// Decodes a serial reader's byte stream into card texts. Bytes come in any chunks; garbage between frames is
/// skipped and counted; an EM4100 frame whose checksum does not match is refused, never turned into a card.
/// </summary>
/// <param name="framing">The reader's framing.</param>
public sealed class SerialCardDecoder(SerialFraming framing)
{
    private const byte Stx = 0x02;
    private const byte Etx = 0x03;
    private const int MaxLine = 32;

    private readonly StringBuilder _frame = new();
    private bool _inFrame;
    private bool _lineBad;

    /// <summary>Bytes outside any frame, or frames refused.</summary>
    public int Discarded { get; private set; }

    /// <summary>Feeds received bytes; returns the frames they complete.</summary>
    public IReadOnlyList<SerialFrame> Feed(ReadOnlySpan<byte> bytes)
    {
        var frames = new List<SerialFrame>();
        foreach (var b in bytes)
        {
            if ((framing == SerialFraming.Em4100 ? Em4100(b) : Line(b)) is { } frame)
            {
                frames.Add(frame);
            }
        }

        return frames;
    }

    /// <summary>The checksum of an EM4100 frame: XOR of the 5 data bytes equals the sixth.</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> sixBytes)
    {
        byte xor = 0;
        foreach (var b in sixBytes[..5])
        {
            xor ^= b;
        }

        return xor == sixBytes[5];
    }

    private SerialFrame? Em4100(byte b)
    {
        if (b == Stx)
        {
            if (_inFrame)
            {
                Discarded++;
            }

            _inFrame = true;
            _frame.Clear();
            return null;
        }

        if (!_inFrame)
        {
            // CR LF after ETX, noise on the line.
            if (b is not ((byte)'\r' or (byte)'\n'))
            {
                Discarded++;
            }

            return null;
        }

        if (b != Etx)
        {
            if (_frame.Length >= 12 || !char.IsAsciiHexDigit((char)b))
            {
                _inFrame = false;
                Discarded++;
                return new SerialFrame(null, "not 12 hex digits between STX and ETX");
            }

            _frame.Append((char)b);
            return null;
        }

        _inFrame = false;
        if (_frame.Length != 12)
        {
            Discarded++;
            return new SerialFrame(null, $"{_frame.Length} hex digits between STX and ETX, not 12");
        }

        var bytes = Convert.FromHexString(_frame.ToString());
        if (!ChecksumMatches(bytes))
        {
            Discarded++;
            return new SerialFrame(null, "checksum does not match");
        }

        return new SerialFrame(Convert.ToHexString(bytes, 0, 5));
    }

    private SerialFrame? Line(byte b)
    {
        if (b is (byte)'\r' or (byte)'\n')
        {
            if (_frame.Length == 0)
            {
                return null;
            }

            var text = _frame.ToString();
            _frame.Clear();
            if (_lineBad)
            {
                _lineBad = false;
                Discarded++;
                return new SerialFrame(null, "line too long or not printable");
            }

            // A line of spaces is no card (and not worth a refusal: readers pad with them).
            return text.Trim() is { Length: > 0 } card ? new SerialFrame(card) : null;
        }

        if (b is < 0x20 or > 0x7E || _frame.Length >= MaxLine)
        {
            // The line is refused at its end.
            _lineBad = true;
            if (_frame.Length < MaxLine)
            {
                _frame.Append('?');
            }

            return null;
        }

        _frame.Append((char)b);
        return null;
    }
}

/// <summary>
/// A serial card reader (USB-serial or UART): line-based ASCII or EM4100 125 kHz frames, through System.IO.Ports.
/// The port is opened again if it goes away.
/// </summary>
/// <param name="portName">e.g. <c>/dev/ttyUSB0</c> or <c>/dev/serial0</c>.</param>
/// <param name="baudRate">9600 for most modules.</param>
/// <param name="framing">The reader's framing.</param>
/// <param name="format">How a line-based reader writes the UID (EM4100 frames are always hex).</param>
/// <param name="time">Clock for tap times and reopen delays.</param>
/// <param name="logger">Diagnostics.</param>
public sealed class SerialCardReader(
    string portName, int baudRate, SerialFraming framing, CardNumberFormat format, TimeProvider time, ILogger? logger = null) : ICardReader
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <inheritdoc />
    public string Name => $"serial {portName}";

    /// <inheritdoc />
    public async IAsyncEnumerable<CardRead> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        do
        {
            using var port = TryOpen();
            if (port is null)
            {
                continue;
            }

            var decoder = new SerialCardDecoder(framing);
            while (!cancellationToken.IsCancellationRequested)
            {
                int count;
                try
                {
                    count = await SerialReads.ReadAvailableAsync(port, buffer, DateTime.UtcNow.AddSeconds(1), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                    _logger.LogWarning("Reader {Reader}: {Port} went away ({Error})", Name, portName, e.Message);
                    break;
                }

                foreach (var frame in decoder.Feed(buffer.AsSpan(0, count)))
                {
                    if (ToRead(frame) is { } read)
                    {
                        yield return read;
                    }
                }
            }
        }
        while (await time.PauseAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false));
    }

    private SerialPort? TryOpen()
    {
        SerialPort? port = null;
        try
        {
            port = new SerialPort(portName, baudRate);
            port.Open();
            return port;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _logger.LogWarning("Reader {Reader}: {Port} cannot be opened ({Error}); trying again", Name, portName, e.Message);
            port?.Dispose();
            return null;
        }
    }

    private CardRead? ToRead(SerialFrame frame)
    {
        if (frame.Text is null)
        {
            _logger.LogInformation("Reader {Reader}: frame refused: {Reason}", Name, frame.Refused);
            return null;
        }

        var uid = frame.Text;
        if (framing == SerialFraming.Line && !CardNumberText.TryToUid(frame.Text, format, out uid))
        {
            _logger.LogInformation("Reader {Reader}: a line of {Length} characters is not a card in format {Format}", Name, frame.Text.Length, format);
            return null;
        }

        return new CardRead(uid, time.GetUtcNow(), Name)
        {
            Type = framing == SerialFraming.Em4100 ? CardType.Em4100 : CardType.Typed,
            CardNumber = frame.Text,
        };
    }
}
