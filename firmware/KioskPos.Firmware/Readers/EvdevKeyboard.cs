using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KioskPos.Firmware.Interop;
using Microsoft.Extensions.Logging;

namespace KioskPos.Firmware.Readers;

/// <summary>
/// The byte stream of a USB keyboard-wedge device's evdev file (<c>/dev/input/by-id/usb-…-event-kbd</c>), shared by
/// the card reader and the 2D scanner. The device is grabbed (EVIOCGRAB) so what it types never reaches the browser
/// on the same screen; it is opened again when it is unplugged and plugged back.
/// </summary>
/// <param name="path">The evdev file.</param>
/// <param name="name">The device's name in the log.</param>
/// <param name="time">Clock for the reopen delays.</param>
/// <param name="logger">Diagnostics.</param>
/// <param name="grab">
/// Grab the device (a reader or scanner, whose keys must not reach the browser); false for a device others must still
/// hear, such as a sound card's headphone jack.
/// </param>
/// <param name="opened">Called with the open file descriptor each time the device is (re)opened, before its empty chunk.</param>
internal sealed class EvdevKeyboard(string path, string name, TimeProvider time, ILogger logger, bool grab = true, Action<int>? opened = null)
{
    /// <summary>EVIOCGRAB = _IOW('E', 0x90, int) (linux/input.h).</summary>
    private const nuint EviocGrab = 0x40044590;

    /// <summary>True while the device is grabbed exclusively.</summary>
    public bool Grabbed { get; private set; }

    /// <summary>
    /// Each chunk of bytes read, valid until the next is asked for; an empty chunk each time the device was (re)opened,
    /// so the caller starts a fresh decoder (a record half-read before an unplug is not joined to the next one).
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[24 * 64];
        while (!cancellationToken.IsCancellationRequested)
        {
            var fd = Libc.Open(path, Libc.ORdOnly | Libc.ONonBlock | Libc.OCloExec);
            if (fd < 0)
            {
                logger.LogWarning("{Device}: {Path} cannot be opened ({Error}); trying again", name, path, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
                if (!await time.PauseAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false))
                {
                    yield break;
                }

                continue;
            }

            try
            {
                Grabbed = grab && Libc.Ioctl(fd, EviocGrab, 1) == 0;
                if (grab && !Grabbed)
                {
                    logger.LogWarning("{Device}: {Path} could not be grabbed ({Error}); what it types may also reach the screen", name, path, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
                }

                opened?.Invoke(fd);
                yield return ReadOnlyMemory<byte>.Empty;
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
                        logger.LogWarning("{Device}: {Path} went away; waiting for it", name, path);
                        break;
                    }

                    yield return buffer.AsMemory(0, count);
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
