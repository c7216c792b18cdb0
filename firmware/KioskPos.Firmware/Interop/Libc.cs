using System.Runtime.InteropServices;

namespace KioskPos.Firmware.Interop;

/// <summary>The few libc calls the device files need (open, poll, read, write, ioctl, termios), non-blocking.</summary>
internal static class Libc
{
    public const int ORdOnly = 0x0;
    public const int ORdWr = 0x2;
    public const int ONoCtty = 0x100;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;
    public const short PollIn = 0x1;
    public const short PollOut = 0x4;
    public const int EIntr = 4;
    public const int EAgain = 11;

    private const short PollErr = 0x8;
    private const short PollHup = 0x10;
    private const short PollNval = 0x20;

    /// <summary>What waiting on a descriptor found.</summary>
    public enum Readiness
    {
        /// <summary>The events asked for are ready.</summary>
        Ready,

        /// <summary>The deadline passed first.</summary>
        TimedOut,

        /// <summary>The device hung up or went away (unplugged, the other end closed).</summary>
        Gone,
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static extern int Poll(ref PollFd fds, nuint count, int timeoutMs);

    [DllImport("libc", EntryPoint = "isatty")]
    public static extern int IsATty(int fd);

    [DllImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    public static extern int TcGetAttr(int fd, byte[] termios);

    [DllImport("libc", EntryPoint = "cfmakeraw")]
    public static extern void CfMakeRaw(byte[] termios);

    [DllImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    public static extern int TcSetAttr(int fd, int optionalActions, byte[] termios);

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static extern int Ioctl(int fd, nuint request, nint argument);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint ReadRaw(int fd, ref byte buffer, nuint count);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint WriteRaw(int fd, in byte buffer, nuint count);

    public static int Read(int fd, Span<byte> buffer) => (int)ReadRaw(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);

    public static int Write(int fd, ReadOnlySpan<byte> data) => (int)WriteRaw(fd, in MemoryMarshal.GetReference(data), (nuint)data.Length);

    /// <summary>
    /// Waits until <paramref name="fd"/> is ready for <paramref name="events"/> or <paramref name="deadline"/> passes.
    /// poll(2) is asked without blocking and the wait between asks is a timer (1 ms, doubling up to 20 ms), so no
    /// thread-pool thread is held while a device is silent: on a 2-core Pi a few blocked threads starve everything
    /// else. Readiness wins over a hang-up reported with it, so the last bytes before one are still read.
    /// </summary>
    /// <exception cref="IOException">poll(2) itself failed.</exception>
    public static async Task<Readiness> WaitAsync(int fd, short events, DateTime deadline, CancellationToken cancellationToken)
    {
        var pause = 1;
        while (true)
        {
            var poll = new PollFd { Fd = fd, Events = events };
            var ready = Poll(ref poll, 1, 0);
            if (ready > 0)
            {
                if ((poll.REvents & events) != 0)
                {
                    return Readiness.Ready;
                }

                if ((poll.REvents & (PollErr | PollHup | PollNval)) != 0)
                {
                    return Readiness.Gone;
                }
            }
            else if (ready < 0 && Marshal.GetLastPInvokeError() != EIntr)
            {
                throw new IOException($"poll failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return Readiness.TimedOut;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(pause, Math.Max(1, left.TotalMilliseconds))), cancellationToken).ConfigureAwait(false);
            pause = Math.Min(pause * 2, 20);
        }
    }
}
