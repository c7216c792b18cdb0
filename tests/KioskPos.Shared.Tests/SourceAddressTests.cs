using System.Net;
using KioskPos.Shared.Security;

namespace KioskPos.Shared.Tests;

/// <summary>
/// The limiter key of a remote address (<see cref="SourceAddress.LimitKey"/>): IPv4 exactly (also IPv4-mapped), any
/// other IPv6 address by its /64, so that rotating addresses inside one /64 is one source; <c>::1</c> itself.
/// </summary>
public sealed class SourceAddressTests
{
    private static string Key(string address) => SourceAddress.LimitKey(IPAddress.Parse(address));

    [Fact]
    public void An_ipv4_address_is_its_own_source_also_when_mapped_to_ipv6()
    {
        Assert.Equal("192.0.2.7", Key("192.0.2.7"));
        Assert.Equal("192.0.2.7", Key("::ffff:192.0.2.7"));
        Assert.Equal("127.0.0.1", Key("::ffff:127.0.0.1"));
        Assert.NotEqual(Key("192.0.2.7"), Key("192.0.2.8"));
    }

    [Fact]
    public void Ipv6_loopback_is_kept_as_itself()
    {
        Assert.Equal("::1", Key("::1"));
        Assert.Equal("::1", SourceAddress.LimitKey(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void No_address_is_the_unknown_source() => Assert.Equal(SourceAddress.Unknown, SourceAddress.LimitKey(null));

    [Fact]
    public void Addresses_inside_one_64_are_one_source_written_as_the_prefix()
    {
        Assert.Equal("2001:db8:1:2::/64", Key("2001:db8:1:2::1"));
        Assert.Equal("2001:db8:1:2::/64", Key("2001:db8:1:2:a1b2:c3d4:e5f6:789a"));
        Assert.Equal("2001:db8:1:2::/64", Key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        Assert.Equal("fd00::/64", Key("fd00::2"));
    }

    [Fact]
    public void Different_64s_are_different_sources()
    {
        Assert.NotEqual(Key("2001:db8:1:2::1"), Key("2001:db8:1:3::1"));
        Assert.NotEqual(Key("2001:db8:1:2::1"), Key("2001:db9:1:2::1"));
        Assert.Equal("2001:db8:1:3::/64", Key("2001:db8:1:3::1"));
    }

    [Fact]
    public void A_scope_id_is_not_part_of_the_source()
    {
        var onEth0 = IPAddress.Parse("fe80::fc:ff:fe00:1%2");
        Assert.Equal(2, onEth0.ScopeId);
        Assert.Equal("fe80::/64", SourceAddress.LimitKey(onEth0));
        Assert.Equal(SourceAddress.LimitKey(onEth0), SourceAddress.LimitKey(new IPAddress(onEth0.GetAddressBytes(), 3)));
        Assert.Equal(SourceAddress.LimitKey(onEth0), Key("fe80::1"));
    }
}
