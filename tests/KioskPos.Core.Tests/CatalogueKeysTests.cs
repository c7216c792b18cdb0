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

    // Files whose Vietnamese literals are data, not text the program says to people: what people write in the files
    // they send (column headers), tables of letters and words, demo names, and the legal document's own content.
    private static readonly Dictionary<string, string> s_vietnameseData = new(StringComparer.Ordinal)
    {
        ["province-server/KioskPos.ProvinceServer/Geography/DemoProvince.cs"] = "the generated demo province's names",
        ["province-server/KioskPos.ProvinceServer/Data/DemoData.cs"] = "the demo's names",
        ["province-server/KioskPos.ProvinceServer/Data/BillImport.cs"] = "column headers as accountants write them",
        ["province-server/KioskPos.ProvinceServer/Imports/SpreadsheetImport.cs"] = "column headers as accountants write them",
        ["province-server/KioskPos.ProvinceServer/Imports/ImportTemplate.cs"] = "the template's column headers, the same as the importer reads",
        ["province-server/KioskPos.ProvinceServer/Imports/MohXmlReader.cs"] = "the Ministry of Health's own field names",
        ["province-server/KioskPos.ProvinceServer/Banking/StatementReader.cs"] = "bank statements' column headers",
        ["province-server/KioskPos.ProvinceServer/Banking/StatementLayout.cs"] = "bank statements' column headers",
        ["province-server/KioskPos.ProvinceServer/Data/PlanReport.cs"] = "the seeded plans' issuing authorities",
        ["province-server/KioskPos.ProvinceServer/Data/Erasure.cs"] = "the pseudonym an erased payer's record keeps, the mark on the bank's texts erased",
        ["province-server/KioskPos.ProvinceServer/EInvoices/EDocumentStore.cs"] = "lines of the legal document, in Vietnamese by law",
        ["province-server/KioskPos.ProvinceServer/EInvoices/EDocumentLines.cs"] = "lines of the legal document, in Vietnamese by law",
        ["province-server/KioskPos.ProvinceServer/EInvoices/SePayEInvoiceProvider.cs"] = "fields of the legal document, in Vietnamese by law",
        ["province-server/KioskPos.ProvinceServer/EInvoices/ViettelSInvoiceProvider.cs"] = "fields of the legal document, in Vietnamese by law",
        ["province-server/KioskPos.ProvinceServer/Banking/ProviderApiSimulator.Payos.cs"] = "payOS's own error answers, as its API documents them",
        ["kiosk-app/KioskPos.Terminal/Speech/SpeechTexts.cs"] = "how letters are pronounced",
        ["common/KioskPos.Core/Money/VietnameseWords.cs"] = "number words",
        ["common/KioskPos.Core/Money/Vnd.cs"] = "currency signs people type",
        ["common/KioskPos.Core/Text/LocalTime.cs"] = "the time zone's name",
        ["common/KioskPos.Core/Receipts/ReceiptLayouts.cs"] = "the printer test page's alphabet",
        ["firmware/KioskPos.Firmware/Printing/VietnameseEncodings.cs"] = "code page tables",
        ["hardware/KioskPos.Hardware.Simulators/Printer/CharacterTables.cs"] = "code page tables",
    };

    [GeneratedRegex("\"(?:[^\"\\\\\n]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", RegexOptions.IgnoreCase)]
    private static partial Regex VietnameseLetter();

    [Fact]
    public void Text_for_people_is_in_the_catalogue_not_in_the_code()
    {
        var root = RepositoryRoot.Find();
        var found = new List<string>();
        var dataSeen = 0;
        foreach (var folder in new[] { "common", "kiosk-app", "province-server", "firmware", "hardware" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (relative.Split('/').Any(part => part is "bin" or "obj"))
                {
                    continue;
                }

                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                {
                    if (lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    // "đồng" is the currency's name in English text too.
                    var vietnamese = StringLiteral().Matches(lines[i]).Select(m => m.Value.Replace("đồng", string.Empty, StringComparison.Ordinal)).Where(l => VietnameseLetter().IsMatch(l)).ToList();
                    if (vietnamese.Count == 0)
                    {
                        continue;
                    }

                    if (s_vietnameseData.ContainsKey(relative))
                    {
                        dataSeen++;
                    }
                    else
                    {
                        found.Add($"{relative}:{i + 1}: {string.Join(", ", vietnamese)}");
                    }
                }
            }
        }

        // The scan must see the data files' Vietnamese, or it proves nothing.
        Assert.True(dataSeen > 100, $"only {dataSeen} lines of Vietnamese data found");
        Assert.True(found.Count == 0, "Vietnamese text in code; put it in Text/Catalogue/*.json and read it with Messages:\n" + string.Join('\n', found));
    }
}
