using System.IO.Ports;

namespace KioskPos.Firmware.Transports;

/// <summary>
/// Reads from a <see cref="SerialPort"/> without holding a thread while the line is silent: the port is asked how many
/// bytes wait (FIONREAD) and read only when some do; between asks a timer waits (1 ms, doubling up to 20 ms).
/// SerialPort's own blocking Read would hold a thread-pool thread for its whole timeout, which on a 2-core Pi starves
/// the rest of the terminal.
/// </summary>
internal static class SerialReads
{
    /// <summary>Reads what arrives before <paramref name="deadline"/>; 0 when nothing did.</summary>
    /// <exception cref="IOException">The port went away.</exception>
    /// <exception cref="InvalidOperationException">The port was closed.</exception>
    public static async Task<int> ReadAvailableAsync(SerialPort port, Memory<byte> buffer, DateTime deadline, CancellationToken cancellationToken)
    {
        var pause = 1;
        while (true)
        {
            if (port.BytesToRead > 0)
            {
                return await port.BaseStream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return 0;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(pause, Math.Max(1, left.TotalMilliseconds))), cancellationToken).ConfigureAwait(false);
            pause = Math.Min(pause * 2, 20);
        }
    }
}
