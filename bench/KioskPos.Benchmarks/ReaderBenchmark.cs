using System.Diagnostics;
using System.Threading.Channels;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Readers.Mfrc522;
using KioskPos.Hardware.Simulators.Rfid;

namespace KioskPos.Benchmarks;

/// <summary>
/// make bench's reader run, on the real MFRC522 driver and polling reader over the chip emulator (in-process, so the
/// emulator's work counts where a Pi's SPI driver would). Tap latency: a card placed at a random moment until the
/// tap comes out of the reader's stream (what the application reads), at the default 100 ms poll and at 20 ms,
/// against the read itself (one poll that activates and reads the card) measured in the same run. Idle CPU: the
/// polling loop with nothing on the reader at several poll rates, against the same process doing nothing.
/// </summary>
internal static class ReaderBenchmark
{
    private const int Taps = 40;
    private static readonly TimeSpan s_cpuWindow = TimeSpan.FromSeconds(4);

    public static async Task<int> RunAsync()
    {
        var read = MeasureRead();
        Console.WriteLine($"the read itself (WUPA, anticollision, SELECT, HLTA on the emulator): median {read.Median:0.000} ms, p99 {read.P99:0.000} ms");
        var empty = MeasureEmptyPoll();
        Console.WriteLine($"one poll of an empty field (WUPA, no answer): median {empty.Median:0.000} ms, p99 {empty.P99:0.000} ms");
        foreach (var pollMs in new[] { 100, 20 })
        {
            var latency = await MeasureTapLatencyAsync(TimeSpan.FromMilliseconds(pollMs)).ConfigureAwait(false);
            Console.WriteLine($"tap -> application event at a {pollMs} ms poll ({Taps} taps): median {latency.Median:0.0} ms, p99 {latency.P99:0.0} ms, max {latency.Max:0.0} ms; " +
                $"median / poll interval {latency.Median / pollMs:0.00} (expected about 0.5: a tap waits for the next poll), median / read itself {latency.Median / read.Median:0}x");
        }

        var idle = await MeasureCpuAsync(null).ConfigureAwait(false);
        Console.WriteLine($"idle process, no polling (baseline): {idle.Percent:0.000} % of one core");
        foreach (var pollMs in new[] { 10, 20, 50, 100, 250 })
        {
            var cpu = await MeasureCpuAsync(TimeSpan.FromMilliseconds(pollMs)).ConfigureAwait(false);
            var perPoll = cpu.Polls == 0 ? 0 : (cpu.Percent - idle.Percent) / 100 * s_cpuWindow.TotalMicroseconds / cpu.Polls;
            Console.WriteLine($"polling an empty field every {pollMs,3} ms: {cpu.Percent:0.000} % of one core, {cpu.Polls} polls, {perPoll:0} us CPU per poll above the baseline, {cpu.Percent / Math.Max(idle.Percent, 0.001):0.0}x the idle baseline");
        }

        Console.WriteLine($"the poll's own work is {empty.Median * 1000:0.0} us: the rest of a poll's CPU is waking a thread for it (timer, thread pool)");

        Console.WriteLine("chosen rate: 100 ms (Hardware:ReaderPollMs) - a tap is seen in about 50 ms, well under the 200 ms a person notices");
        return 0;
    }

    private static Mfrc522CardReader NewReader(Mfrc522Emulator emulator, TimeSpan poll)
    {
        var chip = new Mfrc522(emulator);
        chip.Initialise();
        return new Mfrc522CardReader(chip, poll, TimeProvider.System);
    }

    // One poll that finds a new card and reads it, warm, over and over (a fresh card each time so each is a tap).
    private static (double Median, double P99) MeasureRead()
    {
        var emulator = new Mfrc522Emulator();
        var reader = NewReader(emulator, TimeSpan.FromMilliseconds(100));
        var times = new List<double>();
        for (var i = 0; i < 600; i++)
        {
            var card = new MifareClassicCard(Uid(i));
            emulator.Place(card);
            var start = Stopwatch.GetTimestamp();
            var tap = reader.Poll();
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (tap?.UidHex is null)
            {
                throw new InvalidOperationException($"poll {i} did not read the card");
            }

            emulator.Remove(card);
            while (reader.Present is not null)
            {
                reader.Poll();
            }

            if (i >= 100)
            {
                times.Add(elapsed);
            }
        }

        return (Stats.Percentile(times, 0.5), Stats.Percentile(times, 0.99));
    }

    private static (double Median, double P99) MeasureEmptyPoll()
    {
        var reader = NewReader(new Mfrc522Emulator(), TimeSpan.FromMilliseconds(100));
        var times = new List<double>();
        for (var i = 0; i < 600; i++)
        {
            var start = Stopwatch.GetTimestamp();
            reader.Poll();
            if (i >= 100)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        return (Stats.Percentile(times, 0.5), Stats.Percentile(times, 0.99));
    }

    private static async Task<(double Median, double P99, double Max)> MeasureTapLatencyAsync(TimeSpan poll)
    {
        var emulator = new Mfrc522Emulator();
        var reader = NewReader(emulator, poll);
        var events = Channel.CreateUnbounded<(CardRead Read, long At)>();
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            try
            {
                await foreach (var tap in reader.ReadAsync(stop.Token).ConfigureAwait(false))
                {
                    events.Writer.TryWrite((tap, Stopwatch.GetTimestamp()));
                }
            }
            catch (OperationCanceledException)
            {
                // Done.
            }
        });

        var random = new Random(2026);
        var latencies = new List<double>();
        for (var i = 0; i < Taps; i++)
        {
            // A hand arrives at any moment of the poll cycle.
            await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * poll.TotalMilliseconds)).ConfigureAwait(false);
            var card = new MifareClassicCard(Uid(i));
            var placed = Stopwatch.GetTimestamp();
            emulator.Place(card);
            var (tap, at) = await events.Reader.ReadAsync().ConfigureAwait(false);
            if (tap.UidHex != Convert.ToHexString(card.Uid))
            {
                throw new InvalidOperationException($"tap {i}: read {tap.UidHex ?? tap.Problem?.ToString()}, placed {Convert.ToHexString(card.Uid)}");
            }

            latencies.Add(Stopwatch.GetElapsedTime(placed, at).TotalMilliseconds);
            emulator.Remove(card);
            while (reader.Present is not null)
            {
                await Task.Delay(poll).ConfigureAwait(false);
            }
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        return (Stats.Percentile(latencies, 0.5), Stats.Percentile(latencies, 0.99), latencies.Max());
    }

    private static async Task<(double Percent, long Polls)> MeasureCpuAsync(TimeSpan? poll)
    {
        using var stop = new CancellationTokenSource();
        Mfrc522CardReader? reader = null;
        Task loop = Task.CompletedTask;
        if (poll is { } interval)
        {
            reader = NewReader(new Mfrc522Emulator(), interval);
            loop = Task.Run(async () =>
            {
                try
                {
                    await foreach (var _ in reader.ReadAsync(stop.Token).ConfigureAwait(false))
                    {
                        throw new InvalidOperationException("a tap on an empty reader");
                    }
                }
                catch (OperationCanceledException)
                {
                    // Done.
                }
            });
            await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false); // warm: JIT, first timers
        }

        using var process = Process.GetCurrentProcess();
        var polls = reader?.Polls ?? 0;
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(s_cpuWindow).ConfigureAwait(false);
        process.Refresh();
        var used = process.TotalProcessorTime - cpu;
        var elapsed = wall.Elapsed;
        var count = (reader?.Polls ?? 0) - polls;
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        return (100 * used / elapsed, count);
    }

    private static byte[] Uid(int i) => [0x04, (byte)(i >> 8), (byte)i, 0xC3];
}
