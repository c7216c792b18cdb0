using System.Text.RegularExpressions;
using KioskPos.Core.Text;
using KioskPos.Tests.Shared;

namespace KioskPos.Core.Tests;

/// <summary>
/// Every catalogue key the C# sources name exists in the catalogue: a mistyped key would otherwise surface only as a
/// <see cref="KeyNotFoundException"/> on the one path that reads it (a refusal, a self-test line, a CLI error).
/// </summary>
public partial class CatalogueKeysTests
{
    // The source trees; tests are left out (they name a missing key on purpose).
    private static readonly string[] s_sourceFolders = ["common", "kiosk-app", "province-server", "firmware", "bench"];

    // Literals that share a catalogue prefix but are not keys: file names, and the journal's entry names
    // (payment.created, receipt.printed...) in the sync contracts, which are machine-facing.
    private static readonly string[] s_fileExtensions = [".db", ".html", ".json", ".css", ".js"];
    private static readonly string s_contracts = Path.Combine("common", "KioskPos.Shared", "Contracts");

    [GeneratedRegex("\"([a-z]+(?:\\.[A-Za-z0-9_]+)+)\"")]
    private static partial Regex DottedLiteral();

    [Fact]
    public void Every_key_named_in_the_sources_is_in_the_catalogue()
    {
        var prefixes = Messages.All.Keys.Select(k => k[..k.IndexOf('.', StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);
        var root = RepositoryRoot.Find();
        var named = new List<(string File, string Key)>();
        foreach (var folder in s_sourceFolders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj") || relative.StartsWith(s_contracts, StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (Match match in DottedLiteral().Matches(File.ReadAllText(file)))
                {
                    var literal = match.Groups[1].Value;
                    if (prefixes.Contains(literal[..literal.IndexOf('.', StringComparison.Ordinal)]) && !s_fileExtensions.Any(e => literal.EndsWith(e, StringComparison.Ordinal)))
                    {
                        named.Add((relative, literal));
                    }
                }
            }
        }

        // The scan must see the keys the code is known to use, or it proves nothing.
        Assert.True(named.Count > 150, $"only {named.Count} keys found in the sources");
        Assert.Contains(named, n => n.Key == "payment.card_blocked");
        Assert.Contains(named, n => n.Key == "cli.no_database");
        var missing = named.Where(n => !Messages.All.ContainsKey(n.Key)).Select(n => $"{n.File}: {n.Key}").Distinct().ToList();
        Assert.True(missing.Count == 0, "Keys not in the catalogue:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void Both_puts_vietnamese_first_then_english() =>
        Assert.Equal("Máy in hết giấy / printer out of paper", Messages.Both("terminal.printer.paper_out"));
}
