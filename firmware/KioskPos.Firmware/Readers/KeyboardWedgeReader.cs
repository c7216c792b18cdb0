using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Interop;
using KioskPos.Firmware.Readers.Iso14443;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KioskPos.Firmware.Readers;

/// <summary>
/// A USB keyboard-wedge reader (RFID or QR) read from its evdev file, <c>/dev/input/by-id/usb-…-event-kbd</c>. The
/// device is grabbed (EVIOCGRAB) so the digits it types never reach the browser on the same screen; it is opened
/// again when it is unplugged and plugged back.
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
    /// <summary>EVIOCGRAB = _IOW('E', 0x90, int) (linux/input.h).</summary>
    private const nuint EviocGrab = 0x40044590;

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <inheritdoc />
    public string Name => $"keyboard wedge {path}";

    /// <summary>True while the device is grabbed exclusively.</summary>
    public bool Grabbed { get; private set; }

    /// <inheritdoc />
    public async IAsyncEnumerable<CardRead> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[24 * 64];
        while (!cancellationToken.IsCancellationRequested)
        {
            var fd = Libc.Open(path, Libc.ORdOnly | Libc.ONonBlock | Libc.OCloExec);
            if (fd < 0)
            {
                _logger.LogWarning("Reader {Reader}: {Path} cannot be opened ({Error}); trying again", Name, path, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
                if (!await time.PauseAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false))
                {
                    yield break;
                }

                continue;
            }

            try
            {
                Grabbed = Libc.Ioctl(fd, EviocGrab, 1) == 0;
                if (!Grabbed)
                {
                    _logger.LogWarning("Reader {Reader}: {Path} could not be grabbed ({Error}); the digits it types may also reach the screen", Name, path, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
                }

                var decoder = new KeyboardWedgeDecoder(recordSize ?? KeyboardWedgeDecoder.NativeRecordSize, keystrokeTimeout ?? TimeSpan.FromMilliseconds(150));
                while (true)
                {
                    Libc.Readiness readiness;
                    try
                    {
                        readiness = await Libc.WaitAsync(fd, Libc.PollIn, DateTime.UtcNow.AddSeconds(1), cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }

                    var count = readiness == Libc.Readiness.Ready ? Libc.Read(fd, buffer) : 0;
                    if (readiness == Libc.Readiness.TimedOut || (count < 0 && Marshal.GetLastPInvokeError() is Libc.EAgain or Libc.EIntr))
                    {
                        continue;
                    }

                    if (count <= 0)
                    {
                        // Unplugged (ENODEV) or the writer went away: open it again.
                        _logger.LogWarning("Reader {Reader}: {Path} went away; waiting for it", Name, path);
                        break;
                    }

                    foreach (var text in decoder.Feed(buffer.AsSpan(0, count)))
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
            finally
            {
                Grabbed = false;
                Libc.Close(fd);
            }

            if (!await time.PauseAsync(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }
        }
    }
}
