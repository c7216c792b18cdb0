using System.Globalization;

namespace KioskPos.Benchmarks;

/// <summary>
/// What a process's resident memory is, from <c>/proc/&lt;pid&gt;/smaps</c>: each mapping's resident kB grouped into
/// the executable (its file, and the anonymous mapping after it: native AOT's data, rehydrated at start), the libraries
/// that matter (ICU, OpenSSL, SkiaSharp, SQLite), other files (fonts, the rest), and the other anonymous memory, split by the reservation it lies in: the GC's (one reservation of at least 1 GiB: the regions the
/// GC has committed lie inside it), glibc's malloc (the brk <c>[heap]</c> and its thread arenas, each a reservation
/// aligned to 64 MiB) and the rest
/// (thread stacks, large mallocs mapped alone).
/// </summary>
internal static class MemoryBreakdown
{
    private const long Gib = 1L << 30;
    private const long ArenaBytes = 64L << 20;

    /// <summary>Resident kB per part, largest first.</summary>
    public static IReadOnlyList<(string Part, long Kb)> Read(int pid)
    {
        var mappings = new List<(ulong Start, ulong End, string Path, long RssKb, bool Anonymous)>();
        (ulong Start, ulong End, string Path)? current = null;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                var range = fields[0].Split('-');
                current = (ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), fields.Length == 6 ? fields[5].Trim() : "");
            }
            else if (fields is ["Rss:", var kb, "kB"] && current is { } m)
            {
                mappings.Add((m.Start, m.End, m.Path, long.Parse(kb, CultureInfo.InvariantCulture), m.Path.Length == 0));
            }
        }

        // Adjacent anonymous mappings form one reservation (the GC's regions, a malloc arena, a stack with its guard).
        var parts = new Dictionary<string, long>(StringComparer.Ordinal);
        var i = 0;
        while (i < mappings.Count)
        {
            var m = mappings[i];
            if (!m.Anonymous)
            {
                Add(parts, FilePart(m.Path), m.RssKb);
                i++;
                continue;
            }

            var (start, end, rss) = (m.Start, m.End, 0L);
            var j = i;
            while (j < mappings.Count && mappings[j].Anonymous && (j == i || mappings[j].Start == end))
            {
                end = mappings[j].End;
                rss += mappings[j].RssKb;
                j++;
            }

            var size = (long)(end - start);
            var afterExecutable = i > 0 && mappings[i - 1].End == start && FilePart(mappings[i - 1].Path) == "the executable";
            Add(parts, afterExecutable ? "the executable's data (rehydrated at start, bss)" : size >= Gib ? "anonymous: GC reservation" : start % (ulong)ArenaBytes == 0 && size <= 2 * ArenaBytes ? "anonymous: malloc arenas" : "anonymous: other (malloc arenas next to other mappings, stacks)", rss);
            i = j;
        }

        return [.. parts.Where(p => p.Value > 0).OrderByDescending(p => p.Value).Select(p => (p.Key, p.Value))];
    }

    /// <summary>One line: each part in MB, largest first.</summary>
    public static string Line(int pid)
    {
        return string.Join(", ", Read(pid).Select(p => FormattableString.Invariant($"{p.Part} {p.Kb / 1024.0:0.0}")));
    }

    private static string FilePart(string path)
    {
        var name = Path.GetFileName(path);
        return path switch
        {
            "[heap]" => "malloc [heap]",
            "[stack]" => "main stack",
            _ when path.StartsWith('[') => "kernel (vdso, vvar)",
            _ when name.StartsWith("kioskpos-terminal", StringComparison.Ordinal) => "the executable",
            _ when name.StartsWith("libicu", StringComparison.Ordinal) => "ICU",
            _ when name.StartsWith("libcrypto", StringComparison.Ordinal) || name.StartsWith("libssl", StringComparison.Ordinal) => "OpenSSL",
            _ when name.Contains("Skia", StringComparison.Ordinal) || name.Contains("HarfBuzz", StringComparison.Ordinal) => "SkiaSharp",
            _ when name.Contains("sqlite", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".so", StringComparison.Ordinal) => "SQLite library",
            _ when name.EndsWith(".db", StringComparison.Ordinal) || name.EndsWith("-shm", StringComparison.Ordinal) => "database files (mmap, -shm)",
            _ when name.EndsWith(".dll", StringComparison.Ordinal) => "managed assemblies (JIT)",
            _ when name.Contains(".so", StringComparison.Ordinal) => "other libraries",
            _ => "other files (fonts, …)",
        };
    }

    private static void Add(Dictionary<string, long> parts, string part, long kb)
    {
        parts[part] = parts.GetValueOrDefault(part) + kb;
    }
}
