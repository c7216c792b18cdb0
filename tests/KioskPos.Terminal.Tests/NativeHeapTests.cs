using System.Runtime.InteropServices;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The terminal limits glibc's malloc arenas itself (issue #26); an operator's MALLOC_ARENA_MAX still rules. And it
/// hands freed pages back (MemoryTrimmer): what free() keeps in the middle of the heap, malloc_trim returns.
/// </summary>
public class NativeHeapTests
{
    [Fact]
    public void Glibc_takes_the_arena_limit_and_an_operators_own_setting_is_left_alone()
    {
        Assert.True(OperatingSystem.IsLinux(), "the terminal runs on Linux, with glibc's malloc");
        if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 })
        {
            Assert.False(NativeHeap.LimitArenas());
            return;
        }

        // mallopt answers 1 when glibc accepted the parameter; a C library without it would answer 0 or be missing.
        Assert.True(NativeHeap.LimitArenas());
        Environment.SetEnvironmentVariable("MALLOC_ARENA_MAX", "4");
        try
        {
            Assert.False(NativeHeap.LimitArenas());
        }
        finally
        {
            Environment.SetEnvironmentVariable("MALLOC_ARENA_MAX", null);
        }
    }

    [Fact]
    public void Trimming_returns_the_pages_freed_in_the_middle_of_the_heap()
    {
        // 400 blocks of 64 kB (under glibc's mmap threshold: they come from the heap), written to, then all but every
        // tenth freed: the survivors pin the heap's top, so free() alone returns nothing.
        const int Block = 64 * 1024;
        var blocks = new IntPtr[400];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(Block);
            for (var offset = 0; offset < Block; offset += 4096)
            {
                Marshal.WriteByte(blocks[i], offset, 1);
            }
        }

        try
        {
            for (var i = 0; i < blocks.Length; i++)
            {
                if (i % 10 != 9)
                {
                    Marshal.FreeHGlobal(blocks[i]);
                    blocks[i] = IntPtr.Zero;
                }
            }

            var before = ResidentKb();
            Assert.True(NativeHeap.Trim(), "malloc_trim returned nothing");
            var after = ResidentKb();
            Assert.True(before - after > 12 * 1024, $"resident {before} kB before the trim, {after} kB after: 22 MB were free");
        }
        finally
        {
            foreach (var block in blocks.Where(b => b != IntPtr.Zero))
            {
                Marshal.FreeHGlobal(block);
            }
        }
    }

    [Fact]
    public void Usage_counts_what_is_allocated_and_what_is_freed_but_held()
    {
        // 200 blocks of 64 kB from the heap (each written to), then all but the last freed: it pins the heap's top, so
        // malloc keeps the freed 12.4 MB as free-held until a trim. Other tests allocate beside this one: margins of 2 MB.
        const int Block = 64 * 1024;
        var (inUseBefore, _) = NativeHeap.Usage() ?? throw new Xunit.Sdk.XunitException("mallinfo2 missing: not glibc 2.33 or later");
        var blocks = Enumerable.Range(0, 200).Select(_ => Marshal.AllocHGlobal(Block)).ToArray();
        try
        {
            var (inUse, _) = NativeHeap.Usage()!.Value;
            Assert.InRange(inUse - inUseBefore, 200L * Block - (2 << 20), 200L * Block + (2 << 20));
            var (_, freeBefore) = NativeHeap.Usage()!.Value;
            for (var i = 0; i < blocks.Length - 1; i++)
            {
                Marshal.FreeHGlobal(blocks[i]);
                blocks[i] = IntPtr.Zero;
            }

            var (inUseAfter, freeAfter) = NativeHeap.Usage()!.Value;
            Assert.InRange(inUse - inUseAfter, 199L * Block - (2 << 20), 199L * Block + (2 << 20));
            Assert.True(freeAfter - freeBefore > 199L * Block - (2 << 20), $"free-held {freeBefore} → {freeAfter} bytes after freeing 12.4 MB");
        }
        finally
        {
            foreach (var block in blocks.Where(b => b != IntPtr.Zero))
            {
                Marshal.FreeHGlobal(block);
            }
        }
    }

    private static long ResidentKb() =>
        long.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
