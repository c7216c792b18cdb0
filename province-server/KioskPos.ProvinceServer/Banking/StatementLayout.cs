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

    /// <summary>
    /// The title-row labels before the account number a section of the statement is for ("Số tài khoản / Account
    /// number: 1023456789"): only the section of the connection's own account is read, and a file with none is
    /// refused. Left out, the labels Vietnamese banks print (<see cref="DefaultAccountLabels"/>); an empty list says the
    /// bank's export prints no account number, and then the first section is read as the connection's, unchecked.
    /// </summary>
    public IReadOnlyList<string>? AccountNumber { get; init; }

    /// <summary>
    /// The running balance's column (số dư): where the header has one, each line's balance must be the one before it
    /// plus the line's credit less its debit, so a line edited in the file refuses the file naming it.
    /// </summary>
    public IReadOnlyList<string> Balance { get; init; } = s_balance;

    /// <summary>The title-row labels of the opening balance, the balance before the first line, where the export prints it.</summary>
    public IReadOnlyList<string> OpeningBalance { get; init; } = s_openingBalance;

    /// <summary>How the dates are written (.NET formats); an Excel date cell is read as such.</summary>
    public IReadOnlyList<string> DateFormats { get; init; } = s_dateFormats;

    /// <summary>A row starting with one of these (and no date) ends the list.</summary>
    public IReadOnlyList<string> EndMarkers { get; init; } = s_endMarkers;

    private static readonly IReadOnlyList<string> s_balance = ["Số dư", "Số dư TK", "Balance", "Account balance"];
    private static readonly IReadOnlyList<string> s_openingBalance = ["Số dư đầu kỳ", "Số dư đầu", "Opening balance"];
    private static readonly IReadOnlyList<string> s_dateFormats = ["dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss"];
    private static readonly IReadOnlyList<string> s_endMarkers = ["Tổng", "Total"];

    /// <summary>The account labels of a layout that leaves <see cref="AccountNumber"/> out.</summary>
    public static IReadOnlyList<string> DefaultAccountLabels { get; } = ["Số tài khoản", "Account number", "Account No", "Số TK", "Tài khoản"];

    /// <summary>The labels the account number is read after: none when the bank's export prints no account number.</summary>
    public IReadOnlyList<string> AccountLabels() => AccountNumber ?? DefaultAccountLabels;

    /// <summary>
    /// The layout with the defaults of the fields its file leaves out. The source-generated JSON reader sets every
    /// init-only property, to null where the file has none, so the initializers above do not survive a read: a
    /// province's layout without <c>debit</c> or <c>balance</c> read a null list and failed its first import.
    /// </summary>
    internal StatementLayout WithDefaults() => this with
    {
        Debit = Debit ?? [],
        Reference = Reference ?? [],
        Balance = Balance ?? s_balance,
        OpeningBalance = OpeningBalance ?? s_openingBalance,
        DateFormats = DateFormats ?? s_dateFormats,
        EndMarkers = EndMarkers ?? s_endMarkers,
    };
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
        var layouts = (file.Layouts ?? throw new InvalidDataException($"{name}: no layouts")).Select(l => l.WithDefaults()).ToList();
        foreach (var layout in layouts)
        {
            if (layout.Date.Count == 0 || layout.Credit.Count == 0 || layout.Description.Count == 0 || layout.DateFormats.Count == 0)
            {
                throw new InvalidDataException($"{name}: layout '{layout.Id}' needs date, credit, description and dateFormats");
            }
        }

        return layouts;
    }
}
