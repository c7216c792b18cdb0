using System.Text.Json;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// How one bank's statement export reads, as data: for each field the header texts that name its column (Vietnamese
/// and English, in order of preference), the date formats, and the texts that end the list (the totals row). The
/// shipped layouts, with where each one's facts come from, are <c>Banking/statement-layouts.json</c>.
/// </summary>
public sealed record StatementLayout
{
    /// <summary>The name a request gives (<c>?layout=</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The bank whose export this is.</summary>
    public required string Bank { get; init; }

    /// <summary>Where the layout's facts come from: which export, and which readers of it were consulted.</summary>
    public string? Source { get; init; }

    /// <summary>The booking date's column.</summary>
    public required IReadOnlyList<string> Date { get; init; }

    /// <summary>Money in (ghi có): the only lines that are matched.</summary>
    public required IReadOnlyList<string> Credit { get; init; }

    /// <summary>Money out (ghi nợ): counted and ignored.</summary>
    public IReadOnlyList<string> Debit { get; init; } = [];

    /// <summary>The transfer text (where the transfer code is).</summary>
    public required IReadOnlyList<string> Description { get; init; }

    /// <summary>The bank's reference for the line, where the export has one: the line's key across imports.</summary>
    public IReadOnlyList<string> Reference { get; init; } = [];

    /// <summary>How the dates are written (.NET formats); an Excel date cell is read as such.</summary>
    public IReadOnlyList<string> DateFormats { get; init; } = ["dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss"];

    /// <summary>A row starting with one of these (and no date) ends the list.</summary>
    public IReadOnlyList<string> EndMarkers { get; init; } = ["Tổng", "Total"];
}

/// <summary>The layouts file: <c>{"layouts": [...]}</c>.</summary>
public sealed record StatementLayoutFile(IReadOnlyList<StatementLayout> Layouts);

/// <summary>The shipped layouts, then the province's own file (<see cref="ProvinceOptions.StatementLayoutsFile"/>), whose ids replace shipped ones.</summary>
internal static class StatementLayouts
{
    public static IReadOnlyList<StatementLayout> Load(string? provinceFile)
    {
        using var shipped = typeof(StatementLayouts).Assembly.GetManifestResourceStream("KioskPos.ProvinceServer.statement-layouts.json")
            ?? throw new InvalidOperationException("the shipped statement layouts are missing from the assembly");
        var layouts = Parse(shipped, "statement-layouts.json").ToList();
        if (!string.IsNullOrWhiteSpace(provinceFile))
        {
            using var own = File.OpenRead(provinceFile);
            foreach (var layout in Parse(own, provinceFile))
            {
                layouts.RemoveAll(l => string.Equals(l.Id, layout.Id, StringComparison.OrdinalIgnoreCase));
                layouts.Add(layout);
            }
        }

        return layouts;
    }

    private static IReadOnlyList<StatementLayout> Parse(Stream stream, string name)
    {
        var file = JsonSerializer.Deserialize(stream, ProvinceJsonContext.Default.StatementLayoutFile)
            ?? throw new InvalidDataException($"{name}: empty");
        foreach (var layout in file.Layouts)
        {
            if (layout.Date.Count == 0 || layout.Credit.Count == 0 || layout.Description.Count == 0 || layout.DateFormats.Count == 0)
            {
                throw new InvalidDataException($"{name}: layout '{layout.Id}' needs date, credit, description and dateFormats");
            }
        }

        return file.Layouts;
    }
}
