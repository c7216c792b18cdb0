using System.Runtime.CompilerServices;
using KioskPos.Core.Hardware;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Readers.Iso14443;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KioskPos.Firmware.Readers;

/// <summary>
/// A USB keyboard-wedge RFID reader read from its evdev file, <c>/dev/input/by-id/usb-…-event-kbd</c> (grabbed, and
/// opened again after an unplug: <see cref="EvdevKeyboard"/>). A 2D scanner on the same kind of file is
/// <see cref="KeyboardWedgeScanner"/>.
/// </summary>
/// <param name="path">The evdev file.</param>
/// <param name="format">How the reader writes a UID.</param>
/// <param name="time">Clock for tap times and reopen delays.</param>
/// <param name="keystrokeTimeout">A longer pause between keys drops a partial read.</param>
/// <param name="recordSize">The kernel's input_event size; defaults to this machine's.</param>
/// <param name="logger">Diagnostics.</param>
public sealed class KeyboardWedgeReader(
    string path, CardNumberFormat format, TimeProvider time, TimeSpan? keystrokeTimeout = null, int? recordSize = null, ILogger? logger = null) : ICardReader
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private EvdevKeyboard? _device;

    /// <inheritdoc />
    public string Name => $"keyboard wedge {path}";

    /// <summary>True while the device is grabbed exclusively.</summary>
    public bool Grabbed => _device?.Grabbed ?? false;

    /// <inheritdoc />
    public async IAsyncEnumerable<CardRead> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _device = new EvdevKeyboard(path, Name, time, _logger);
        KeyboardWedgeDecoder? decoder = null;
        await foreach (var chunk in _device.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (chunk.IsEmpty || decoder is null)
            {
                decoder = new KeyboardWedgeDecoder(recordSize ?? KeyboardWedgeDecoder.NativeRecordSize, keystrokeTimeout ?? TimeSpan.FromMilliseconds(150));
            }

            foreach (var text in decoder.Feed(chunk.Span))
            {
                if (CardNumberText.TryToUid(text, format, out var uid))
                {
                    yield return new CardRead(uid, time.GetUtcNow(), Name) { Type = CardType.Typed, CardNumber = text };
                }
                else
                {
                    _logger.LogInformation("Reader {Reader}: typed {Length} characters that are not a card in format {Format}", Name, text.Length, format);
                }
            }
        }
    }
}
