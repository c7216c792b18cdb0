using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace KioskPos.Tests.Shared;

/// <summary>What the proxy does to one connection.</summary>
public enum Fault
{
    /// <summary>Forward both ways untouched.</summary>
    None,

    /// <summary>Wait up to a second before forwarding anything.</summary>
    Delay,

    /// <summary>Close the connection as soon as it is accepted.</summary>
    Drop,

    /// <summary>Read some of the request, then reset the connection (RST).</summary>
    Reset,

    /// <summary>Forward the request, let the server answer (and commit), then cut the answer short.</summary>
    CutResponse,

    /// <summary>Answer 500 without reaching the server.</summary>
    ServerError,
}

/// <summary>
/// A TCP proxy on 127.0.0.1 that sits between the terminal and the province server and misbehaves on purpose,
/// one fault per connection, chosen at random from a seed.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Dictionary<Fault, int> _counts = Enum.GetValues<Fault>().ToDictionary(f => f, _ => 0);

    public FaultProxy(Uri upstream, int seed)
    {
        _upstream = new IPEndPoint(IPAddress.Loopback, upstream.Port);
        _random = new Random(seed);
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<TcpClient, bool> _open = new();
    private volatile bool _down;

    /// <summary>While true, connections get faults; set false to let the backlog drain cleanly.</summary>
    public bool Faulty { get; set; } = true;

    /// <summary>While true the network is down: open connections are cut and new ones dropped.</summary>
    public bool Down
    {
        get => _down;
        set
        {
            // Under the lock the accept loop decides a connection's fault and registers it under, so a connection
            // accepted just before is either cut here or sees the network down (CI once saw a long poll accepted
            // that instant ride through the outage, the terminal still online 20 s later).
            lock (_counts)
            {
                _down = value;
                if (value)
                {
                    foreach (var client in _open.Keys)
                    {
                        client.Close();
                    }
                }
            }
        }
    }

    public IReadOnlyDictionary<Fault, int> Counts
    {
        get
        {
            lock (_counts)
            {
                return new Dictionary<Fault, int>(_counts);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Fault fault;
            int delay, cut;
            lock (_counts)
            {
                var roll = _random.Next(100);
                fault = _down ? Fault.Drop : !Faulty ? Fault.None : roll switch
                {
                    < 30 => Fault.None,
                    < 45 => Fault.Delay,
                    < 55 => Fault.Drop,
                    < 65 => Fault.Reset,
                    < 85 => Fault.CutResponse,
                    _ => Fault.ServerError,
                };
                delay = _random.Next(50, 1000);
                cut = _random.Next(0, 120);
                _counts[fault]++;
                _open[client] = true;
            }

            _ = Task.Run(() => HandleAsync(client, fault, delay, cut));
        }
    }

    private async Task HandleAsync(TcpClient client, Fault fault, int delay, int cut)
    {
        using (client)
        {
            try
            {
                var downstream = client.GetStream();
                switch (fault)
                {
                    case Fault.Drop:
                        return;
                    case Fault.Reset:
                        _ = await downstream.ReadAsync(new byte[64], _stop.Token); // some of the request, whatever arrives
                        client.Client.LingerState = new LingerOption(true, 0); // close → RST
                        return;
                    case Fault.ServerError:
                        _ = await downstream.ReadAsync(new byte[8192], _stop.Token); // the request, or enough of it
                        await downstream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
                        return;
                    case Fault.Delay:
                        await Task.Delay(delay, _stop.Token);
                        break;
                }

                using var server = new TcpClient();
                await server.ConnectAsync(_upstream, _stop.Token);
                var upstream = server.GetStream();
                using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                // One exchange per connection: once an answer has gone back, a new request on the same connection
                // closes it, so that every request meets a fault of its own rather than riding a kept-alive one.
                var answered = new StrongBox<bool>(false);
                var up = PumpAsync(downstream, upstream, long.MaxValue, stopIf: answered, setWhenPassed: null, done.Token);
                var down = PumpAsync(upstream, downstream, fault == Fault.CutResponse ? cut : long.MaxValue, stopIf: null, setWhenPassed: answered, done.Token);
                await Task.WhenAny(up, down);
                await done.CancelAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A broken connection is what this proxy is for.
            }
            finally
            {
                _open.TryRemove(client, out _);
            }
        }
    }

    /// <summary>
    /// Copies until the source closes or <paramref name="limit"/> bytes have passed (then stops: a cut answer), or,
    /// when data arrives while <paramref name="stopIf"/> is set, stops without passing it on.
    /// </summary>
    private static async Task PumpAsync(Stream from, Stream to, long limit, StrongBox<bool>? stopIf, StrongBox<bool>? setWhenPassed, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        long passed = 0;
        while (passed < limit)
        {
            var read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - passed)), cancellationToken);
            if (read == 0 || (stopIf is not null && Volatile.Read(ref stopIf.Value)))
            {
                return;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            passed += read;
            if (setWhenPassed is not null)
            {
                Volatile.Write(ref setWhenPassed.Value, true);
            }
        }
    }
}
