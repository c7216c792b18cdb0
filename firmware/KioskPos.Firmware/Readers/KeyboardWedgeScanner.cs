using System.Runtime.CompilerServices;
using KioskPos.Firmware.Devices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KioskPos.Firmware.Readers;

/// <summary>
/// A USB 2D scanner in keyboard-wedge mode (HID keyboard, US layout, Enter as suffix) read from its evdev file,
/// <c>/dev/input/by-id/usb-…-event-kbd</c>, grabbed so the QR's text never reaches the browser (a citizen-ID card's
/// QR carries the holder's name and address). The scanner should be set to send ASCII only: a US layout cannot type
/// Vietnamese letters, and each one that arrives becomes <c>?</c> (<see cref="WedgeCharacters.Ascii"/>); the ASCII
/// parts — the card's number, the dates, the <c>|</c> between fields — come through whole.
/// </summary>
/// <param name="path">The evdev file.</param>
/// <param name="time">Clock for scan times and reopen delays.</param>
/// <param name="keystrokeTimeout">A longer pause between keys drops a partial read.</param>
/// <param name="recordSize">The kernel's input_event size; defaults to this machine's.</param>
/// <param name="logger">Diagnostics (never the scanned text: it is personal data).</param>
public sealed class KeyboardWedgeScanner(string path, TimeProvider time, TimeSpan? keystrokeTimeout = null, int? recordSize = null, ILogger? logger = null) : ICodeScanner
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private EvdevKeyboard? _device;

    /// <inheritdoc />
    public string Name => $"2D scanner {path}";

    /// <summary>True while the device is grabbed exclusively.</summary>
    public bool Grabbed => _device?.Grabbed ?? false;

    /// <inheritdoc />
    public async IAsyncEnumerable<ScannedCode> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _device = new EvdevKeyboard(path, Name, time, _logger);
        KeyboardWedgeDecoder? decoder = null;
        await foreach (var chunk in _device.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (chunk.IsEmpty || decoder is null)
            {
                // A QR of a few hundred characters takes the scanner a second or more; the pause between its keys is
                // still milliseconds.
                decoder = new KeyboardWedgeDecoder(recordSize ?? KeyboardWedgeDecoder.NativeRecordSize, keystrokeTimeout ?? TimeSpan.FromMilliseconds(150), WedgeCharacters.Ascii);
            }

            foreach (var text in decoder.Feed(chunk.Span))
            {
                yield return new ScannedCode(text, time.GetUtcNow(), Name);
            }
        }
    }
}
