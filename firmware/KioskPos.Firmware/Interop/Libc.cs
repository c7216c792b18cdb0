using System.Runtime.InteropServices;

namespace KioskPos.Firmware.Interop;

/// <summary>The few libc calls the device files need (open, poll, read, write, ioctl, termios), non-blocking.</summary>
internal static class Libc
{
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
}
