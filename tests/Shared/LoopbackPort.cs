using System.Net;
using System.Net.Sockets;

namespace KioskPos.Tests.Shared;

/// <summary>Loopback ports for the servers the tests and benchmarks start as processes.</summary>
internal static class LoopbackPort
{
    private static readonly HashSet<int> s_handedOut = [];

    /// <summary>
    /// A loopback port for a server process the test starts (and may restart on the same port). Chosen below the
    /// kernel's ephemeral range: a port from that range (what binding port 0 gives) can be taken by any outgoing
    /// connection between this check and the server's bind, and under a full test run one was.
    /// </summary>
    public static int Next()
    {
        var ephemeralStart = 32768;
        if (File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
            && int.TryParse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var first))
        {
            ephemeralStart = first;
        }

        var low = Math.Max(1024, Math.Min(20_000, ephemeralStart - 4_000));
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(low, ephemeralStart);
            lock (s_handedOut)
            {
                if (!s_handedOut.Add(port))
                {
                    continue;
                }
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken by something else on this machine: another one.
            }
        }

        throw new InvalidOperationException($"No free loopback port between {low} and {ephemeralStart}.");
    }
}
