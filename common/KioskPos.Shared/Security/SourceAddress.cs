using System.Net;
using System.Net.Sockets;

namespace KioskPos.Shared.Security;

/// <summary>
/// The source a per-source limit is kept for, from a connection's remote address: what the terminal's PIN checks and
/// payer look-ups and the province's sign-ins, webhooks and enrolments are counted by.
/// </summary>
/// <remarks>
/// An IPv4 address is its own source, written as IPv4 also when it arrives IPv4-mapped on a dual-stack socket
/// (<c>::ffff:192.0.2.7</c> is <c>192.0.2.7</c>). Any other IPv6 address counts for its /64, written as the prefix
/// (<c>2001:db8:1:2::/64</c>): a host on an IPv6 network usually holds a whole /64 and may take a new address from it
/// for every request (privacy extensions do so daily on their own), so a limit per exact address would give it a fresh
/// budget each time, and a table of them without end. The price is that hosts sharing one /64 (a LAN's subnet) share
/// one budget. A scope id (<c>fe80::1%eth0</c>) is not part of the source. The loopback <c>::1</c> stays itself: it is
/// the machine's own (the kiosk's browser), never a network client. No address at all (a test server, a Unix socket)
/// is <see cref="Unknown"/>.
/// </remarks>
public static class SourceAddress
{
    /// <summary>The source of a connection with no remote address.</summary>
    public const string Unknown = "unknown";

    /// <summary>The limiter key of <paramref name="remote"/>: an IPv4 address exactly, an IPv6 one's /64, <c>::1</c> itself.</summary>
    public static string LimitKey(IPAddress? remote)
    {
        if (remote is null)
        {
            return Unknown;
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            return remote.MapToIPv4().ToString();
        }

        if (remote.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return remote.ToString();
        }

        if (IPAddress.IsLoopback(remote))
        {
            return IPAddress.IPv6Loopback.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        remote.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64"; // a new address from the bytes alone: no scope id
    }
}
