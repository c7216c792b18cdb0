namespace KioskPos.Terminal.Tests;

/// <summary>The terminal limits glibc's malloc arenas itself (issue #26); an operator's MALLOC_ARENA_MAX still rules.</summary>
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
}
