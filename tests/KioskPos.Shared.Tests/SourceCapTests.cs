using KioskPos.Shared.Security;

namespace KioskPos.Shared.Tests;

/// <summary>
/// The cap on the sources a per-source limiter keeps a budget for (<see cref="SourceCap"/>): past it new sources share
/// the overflow key, a place is freed a window and the idle allowance after its source was last seen, and the loopback
/// is never capped.
/// </summary>
public sealed class SourceCapTests
{
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(1);

    [Fact]
    public void Sources_past_the_cap_share_the_overflow_key_and_tracked_ones_keep_their_own()
    {
        var cap = new SourceCap(3, s_window, new ManualTime());

        Assert.Equal(["192.0.2.1", "192.0.2.2", "2001:db8:1:2::/64"], [cap.KeyFor("192.0.2.1"), cap.KeyFor("192.0.2.2"), cap.KeyFor("2001:db8:1:2::/64")]);
        Assert.Equal(SourceCap.Overflow, cap.KeyFor("192.0.2.4"));
        Assert.Equal(SourceCap.Overflow, cap.KeyFor("2001:db8:1:3::/64"));
        Assert.Equal("192.0.2.2", cap.KeyFor("192.0.2.2"));
        Assert.Equal(3, cap.TrackedSources);
    }

    [Fact]
    public void A_place_is_freed_a_window_and_the_idle_allowance_after_its_source_was_last_seen()
    {
        var time = new ManualTime();
        var cap = new SourceCap(2, s_window, time);
        Assert.Equal(s_window + SourceCap.IdleAllowance, cap.Hold);
        cap.KeyFor("192.0.2.1");
        time.Advance(TimeSpan.FromSeconds(30));
        cap.KeyFor("192.0.2.2");
        Assert.Equal(SourceCap.Overflow, cap.KeyFor("192.0.2.3"));

        // Seen again, 192.0.2.1 holds its place from now; 192.0.2.2's place is the first to be freed.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("192.0.2.1", cap.KeyFor("192.0.2.1"));
        time.Advance(cap.Hold - TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(SourceCap.Overflow, cap.KeyFor("192.0.2.3"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("192.0.2.3", cap.KeyFor("192.0.2.3"));
        Assert.Equal(SourceCap.Overflow, cap.KeyFor("192.0.2.4"));

        time.Advance(cap.Hold);
        Assert.Equal(0, cap.TrackedSources);
        Assert.Equal("192.0.2.4", cap.KeyFor("192.0.2.4"));
    }

    [Fact]
    public void The_loopback_never_takes_a_place_nor_goes_to_the_overflow()
    {
        var cap = new SourceCap(1, s_window, new ManualTime());
        Assert.Equal("192.0.2.1", cap.KeyFor("192.0.2.1"));
        Assert.Equal(SourceCap.Overflow, cap.KeyFor("192.0.2.2"));

        Assert.Equal("127.0.0.1", cap.KeyFor("127.0.0.1"));
        Assert.Equal("::1", cap.KeyFor(SourceAddress.LimitKey(System.Net.IPAddress.IPv6Loopback)));
        Assert.Equal("127.0.0.1", cap.KeyFor(SourceAddress.LimitKey(System.Net.IPAddress.Parse("::ffff:127.0.0.1"))));
        Assert.Equal(1, cap.TrackedSources);
    }

    [Fact]
    public void An_address_is_keyed_by_its_limit_key()
    {
        var cap = new SourceCap(2, s_window, new ManualTime());

        Assert.Equal("192.0.2.1", cap.KeyFor(System.Net.IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.Equal("2001:db8:1:2::/64", cap.KeyFor(System.Net.IPAddress.Parse("2001:db8:1:2::7")));
        Assert.Equal("2001:db8:1:2::/64", cap.KeyFor(System.Net.IPAddress.Parse("2001:db8:1:2::8")));
        Assert.Equal(SourceCap.Overflow, cap.KeyFor((System.Net.IPAddress?)null));
        Assert.Equal("::1", cap.KeyFor(System.Net.IPAddress.IPv6Loopback));
        Assert.Equal(2, cap.TrackedSources);
    }

    [Fact]
    public void A_cap_of_zero_or_less_is_one_place()
    {
        var cap = new SourceCap(0, s_window, new ManualTime());
        Assert.Equal(1, cap.MaxSources);
        Assert.Equal("192.0.2.1", cap.KeyFor("192.0.2.1"));
        Assert.Equal(SourceCap.Overflow, cap.KeyFor("192.0.2.2"));
    }

    [Fact]
    public async Task Many_threads_of_new_sources_fill_exactly_the_cap()
    {
        const int Cap = 100;
        const int Threads = 8;
        const int PerThread = 5_000;
        var cap = new SourceCap(Cap, s_window, new ManualTime());
        var own = new int[Threads];
        var overflow = new int[Threads];
        var ownKeys = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                // Every thread meets the same 300 sources, each in its own order, and the loopback among them.
                var source = i % 7 == 0 ? "::1" : $"2001:db8:{(i + (t * 37)) % 300:x}::/64";
                var key = cap.KeyFor(source);
                if (key == SourceCap.Overflow)
                {
                    overflow[t]++;
                }
                else
                {
                    Assert.Equal(source, key);
                    own[t]++;
                    ownKeys.TryAdd(key, 0);
                }
            }
        })));

        Assert.Equal(Cap, cap.TrackedSources);
        Assert.Equal(Cap + 1, ownKeys.Count); // the places and the loopback
        Assert.Equal(Threads * PerThread, own.Sum() + overflow.Sum());
        Assert.True(overflow.Sum() > 0);
    }

    /// <summary>A clock the test moves: monotonic timestamps in ticks.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
