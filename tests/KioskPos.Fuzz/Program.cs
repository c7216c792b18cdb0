using KioskPos.Fuzz;
using KioskPos.Fuzz.Targets;
using SharpFuzz;

// kioskpos-fuzz list                          the targets
// kioskpos-fuzz afl TARGET                    one target under afl-fuzz (SharpFuzz's out-of-process loop; make fuzz)
// kioskpos-fuzz replay TARGET PATH...         each file (or each file of each folder) once; a finding's stack trace
// kioskpos-fuzz smoke [--seconds N] [TARGET...]  each target's seed corpus, then N s of in-process mutation (make test)
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: kioskpos-fuzz list | afl TARGET | replay TARGET PATH... | smoke [--seconds N] [--corpus DIR] [TARGET...]");
    return 2;
}

switch (args[0])
{
    case "list":
        foreach (var target in FuzzTargets.All)
        {
            Console.WriteLine($"{target.Name,-18} {target.Parser}");
        }

        return 0;

    case "afl" when args.Length == 2 && FuzzTargets.Find(args[1]) is { } target:
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            target.Run(memory.GetBuffer().AsSpan(0, (int)memory.Length));
        });
        return 0;

    case "replay" when args.Length >= 3 && FuzzTargets.Find(args[1]) is { } target:
        var failures = 0;
        foreach (var file in args[2..].SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]))
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"{file}: {e}");
            }
        }

        Console.WriteLine($"{args[1]}: {failures} finding(s)");
        return failures == 0 ? 0 : 1;

    case "smoke":
        return Smoke.Run(args[1..]);

    default:
        Console.Error.WriteLine($"unknown command or target: {string.Join(' ', args)}; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
        return 2;
}
