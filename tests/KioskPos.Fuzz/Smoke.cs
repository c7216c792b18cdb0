using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using KioskPos.Fuzz.Targets;
using KioskPos.Tests.Shared;

namespace KioskPos.Fuzz;

/// <summary>
/// The brief run of every target that <c>make test</c> does, without AFL++: each file of the target's seed corpus
/// (the seeds and the inputs of past findings) once, then random mutations of them (bit flips, interesting bytes,
/// cut, repeated and spliced ranges) for the time asked, from a fixed seed so that a failure repeats. Not
/// coverage-guided: it keeps the harness and every past finding honest; finding new paths is <c>make fuzz</c>'s job.
/// A failing input is written to <c>artifacts/fuzz/smoke-findings/</c>.
/// </summary>
internal static class Smoke
{
    private static readonly byte[] s_interesting = [0x00, 0x01, 0x02, 0x03, 0x0A, 0x0D, 0x10, 0x1B, 0x1D, 0x20, 0x22, 0x2C, 0x2D, 0x30, 0x39, 0x3A, 0x7B, 0x7D, 0x5B, 0x5D, 0x7F, 0x80, 0xC3, 0xE1, 0xFE, 0xFF];

    // An input slower than this is a finding too (a request that ties a server up).
    private static readonly TimeSpan s_slow = TimeSpan.FromSeconds(10);

    public static int Run(string[] args)
    {
        var seconds = 3.0;
        string? corpus = null;
        var names = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length:
                    seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--corpus" when i + 1 < args.Length:
                    corpus = args[++i];
                    break;
                default:
                    names.Add(args[i]);
                    break;
            }
        }

        var root = RepositoryRoot.Find();
        corpus ??= Path.Combine(root, "tests", "KioskPos.Fuzz", "Corpus");
        var targets = names.Count == 0 ? FuzzTargets.All : names.Select(n => FuzzTargets.Find(n) ?? throw new ArgumentException($"no target '{n}'")).ToList();
        var failed = 0;
        foreach (var target in targets)
        {
            failed += RunOne(target, Path.Combine(corpus, target.Name), TimeSpan.FromSeconds(seconds), Path.Combine(root, "artifacts", "fuzz", "smoke-findings")) ? 0 : 1;
        }

        Console.WriteLine($"fuzz smoke: {targets.Count - failed} targets passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static bool RunOne(IFuzzTarget target, string folder, TimeSpan budget, string findings)
    {
        var seeds = Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList() : [];
        if (seeds.Count == 0)
        {
            Console.WriteLine($"{target.Name}: no seed corpus in {folder}");
            return false;
        }

        var clock = Stopwatch.StartNew();
        foreach (var seed in seeds)
        {
            if (!Try(target, seed, findings, "seed"))
            {
                return false;
            }
        }

        var replayed = clock.Elapsed;
        var random = new Random(20261205);
        long executions = 0;
        var deadline = clock.Elapsed + budget;
        while (clock.Elapsed < deadline)
        {
            var input = Mutate(seeds[random.Next(seeds.Count)], seeds[random.Next(seeds.Count)], random);
            executions++;
            if (!Try(target, input, findings, $"mutation {executions}"))
            {
                return false;
            }
        }

        Console.WriteLine($"{target.Name,-18} {seeds.Count,4} seeds replayed in {replayed.TotalSeconds:F1} s, {executions,7} mutations in {(clock.Elapsed - replayed).TotalSeconds:F1} s: no finding");
        return true;
    }

    private static bool Try(IFuzzTarget target, byte[] input, string findings, string what)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            target.Run(input);
            if (Stopwatch.GetElapsedTime(started) > s_slow)
            {
                throw new FuzzFinding($"took {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
            }

            return true;
        }
        catch (Exception e)
        {
            Directory.CreateDirectory(findings);
            var file = Path.Combine(findings, $"{target.Name}-{Convert.ToHexStringLower(SHA256.HashData(input))[..16]}");
            File.WriteAllBytes(file, input);
            Console.WriteLine($"{target.Name}: FINDING on {what} (input kept as {file}):\n{e}");
            return false;
        }
    }

    private static byte[] Mutate(byte[] seed, byte[] other, Random random)
    {
        var data = new List<byte>(seed);
        for (var n = random.Next(1, 5); n > 0; n--)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = s_interesting[random.Next(s_interesting.Length)];
                    break;
                case 2 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, random.Next(1, 16)));
                    break;
                case 3 when data.Count > 0:
                    var length = Math.Min(data.Count - at, random.Next(1, 32));
                    data.InsertRange(random.Next(data.Count + 1), data.GetRange(at, length));
                    break;
                case 4 when other.Length > 0:
                    var from = random.Next(other.Length);
                    data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, random.Next(1, 64))).ToArray());
                    break;
                case 5:
                    data.Insert(at, (byte)random.Next(256));
                    break;
                default:
                    if (data.Count > 0)
                    {
                        data[at] = (byte)(data[at] + random.Next(-3, 4));
                    }

                    break;
            }
        }

        return [.. data];
    }
}
