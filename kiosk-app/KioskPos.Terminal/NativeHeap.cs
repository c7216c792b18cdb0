using System.Runtime.InteropServices;

namespace KioskPos.Terminal;

/// <summary>
/// The C heap under the terminal (SQLite, OpenSSL and the runtime allocate there): glibc's malloc limited
/// to <see cref="ArenaMax"/> arenas (issue #26). By default glibc gives threads up to eight arenas per core, each
/// keeping what was freed into it for its own threads; measured on the native terminal that was 4 to 8 MB resident
/// more after 1,000 payments than with two (bench/README.md, <c>payments</c>). A terminal serves one payer at a
/// time, so two arenas are not a queue. Set before anything else starts: threads take their arena at their first
/// allocation. <c>MALLOC_ARENA_MAX</c> in the environment, where an operator sets it, is left to rule.
/// </summary>
internal static class NativeHeap
{
    /// <summary>The most arenas glibc's malloc may make.</summary>
    public const int ArenaMax = 2;

    // mallopt's parameter for the arena limit (glibc's malloc.h).
    private const int MArenaMax = -8;

    /// <summary>Limits the arenas; false where that is not glibc's to do (not Linux, another C library, an operator's own setting).</summary>
    public static bool LimitArenas()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 })
        {
            return false;
        }

        try
        {
            return Mallopt(MArenaMax, ArenaMax) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Gives the kernel back the C heap's free pages, in the middle of the heap as well as at its top (glibc's
    /// <c>malloc_trim(0)</c>; free() alone returns only the top, and a heap that SQLite, OpenSSL and zlib allocate in
    /// and free from keeps its high-water mark otherwise). True if anything was returned; false where it is not glibc.
    /// </summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return MallocTrim(0) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// What glibc's malloc holds, over all its arenas (<c>mallinfo2</c>, glibc 2.33 on): bytes the process has allocated
    /// and not freed (including blocks mapped on their own), and bytes freed but still held in the arenas. Null where that
    /// is not glibc's to say. What grows here and not in the GC is SQLite's, OpenSSL's, zlib's or the runtime's.
    /// </summary>
    public static (long InUse, long FreeHeld)? Usage()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var info = Mallinfo2();
            return ((long)(info.Uordblks + info.Hblkhd), (long)info.Fordblks);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    // glibc's struct mallinfo2 (malloc.h): ten size_t fields in this order.
    [StructLayout(LayoutKind.Sequential)]
    private struct MallocInfo
    {
        public nuint Arena;
        public nuint Ordblks;
        public nuint Smblks;
        public nuint Hblks;
        public nuint Hblkhd;
        public nuint Usmblks;
        public nuint Fsmblks;
        public nuint Uordblks;
        public nuint Fordblks;
        public nuint Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallocInfo Mallinfo2();

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
