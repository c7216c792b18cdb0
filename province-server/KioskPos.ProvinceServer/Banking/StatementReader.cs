using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.Apis;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.Imports;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>One line of money in, as the statement gives it; <see cref="Key"/> is the same for the same line in any import.</summary>
internal sealed record StatementLine(int Row, string Key, DateTimeOffset BookedAt, long Amount, string Description, string? Reference);

/// <summary>
/// Where and why a statement cannot be read: the sheet, the row (1-based), the column (letter and header), and
/// <paramref name="Why"/> from the catalogue; <see cref="ToString"/> is the English, for programs.
/// </summary>
internal sealed record StatementProblem(string Sheet, int? Row, string? Column, ImportText Why)
{
    /// <summary>Why, in English.</summary>
    public string Reason => Why.En;

    public override string ToString() =>
        $"sheet '{Sheet}'" + (Row is { } row ? $", row {row}" : string.Empty) + (Column is { } column ? $", column {column}" : string.Empty) + $": {Reason}";
}

/// <summary>
/// The problems that refuse a statement, bounded as a bills file's are (<see cref="ImportErrors"/>): every broken line
/// is listed, so that whoever exported it sees all of them at once, up to <see cref="ImportErrors.MaxPerRow"/> on one
/// row and <see cref="ImportErrors.MaxListed"/> in all; the ones beyond are counted (<see cref="LeftOut"/>), never
/// formatted, so a statement of 100,000 broken lines is answered in a page. Listed in the file's order.
/// </summary>
internal sealed class StatementProblems : IReadOnlyList<StatementProblem>
{
    private readonly List<StatementProblem> _listed = [];
    private readonly Dictionary<int, int> _perRow = new();

    /// <summary>The problems found and not listed.</summary>
    public int LeftOut { get; private set; }

    /// <summary>The problems listed.</summary>
    public int Count => _listed.Count;

    /// <summary>Every problem found, listed or left out: any at all refuses the file.</summary>
    public int Found => _listed.Count + LeftOut;

    public StatementProblem this[int index] => _listed[index];

    /// <summary>The file's one problem (it is not a statement that can be read line by line).</summary>
    public static StatementProblems Of(StatementProblem problem)
    {
        var problems = new StatementProblems();
        problems.Add(problem);
        return problems;
    }

    /// <summary>Lists <paramref name="problem"/>, or counts it where its row or the file has had its share.</summary>
    public void Add(StatementProblem problem)
    {
        var onRow = _perRow.GetValueOrDefault(problem.Row ?? 0);
        if (_listed.Count >= ImportErrors.MaxListed || onRow >= ImportErrors.MaxPerRow)
        {
            LeftOut++;
            return;
        }

        _perRow[problem.Row ?? 0] = onRow + 1;
        _listed.Add(problem);
    }

    /// <inheritdoc />
    public IEnumerator<StatementProblem> GetEnumerator() => _listed.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// What a statement held: its layout, the account of the section read (null where the layout's export prints none),
/// the lines of money in, how many lines of money out were passed over.
/// </summary>
internal sealed record StatementRead(StatementLayout Layout, string? Account, IReadOnlyList<StatementLine> Lines, int Outgoing);

/// <summary>
/// The file is another account's statement, or names no account: <paramref name="Found"/> the account numbers its
/// sections' title rows name (empty when none does), <paramref name="Row"/> the first section's header row.
/// </summary>
internal sealed record StatementAccountProblem(string Sheet, int Row, IReadOnlyList<string> Found, string Expected)
{
    public override string ToString() => Found.Count == 0
        ? $"sheet '{Sheet}': no account number in the title rows above the header at row {Row}; this connection's account is {Expected}: export the statement with its title rows"
        : $"sheet '{Sheet}': the statement is of account {string.Join(", ", Found)}, not of this connection's account {Expected}";
}

/// <summary>
/// Reads a bank's statement export by a <see cref="StatementLayout"/>: finds the header row below the title rows (the
/// first row naming the layout's date, credit and description columns), then reads each row to the totals row. A file
/// may hold several accounts, a section each (title rows with the account number, the header, the lines, the totals):
/// only the sections of the connection's own account are read. Every row is checked before anything is recorded, so a
/// broken line, or one whose running balance does not follow from the line before it, refuses the whole file, naming
/// its row and column; every broken line is named (bounded, <see cref="StatementProblems"/>), and each of a line's
/// cells that does not read. A hidden row with values refuses the file too, naming it: a bank's export hides no row, so a
/// hidden one is an edit made after it (a line someone did not want seen, or wanted imported unseen), and importing it
/// or passing over it would each surprise whoever checked the statement as Excel shows it.
/// </summary>
internal static partial class StatementReader
{
    private const int HeaderSearchRows = 60;

    // Words after an account label that make it an earlier account's ("Số tài khoản cũ / Old account number"; lower
    // case, as Normal writes them).
    private static readonly string[] s_formerly = ["cũ", "old"];

    /// <summary>
    /// Reads the sheet by the layout named <paramref name="layoutId"/>, or by the first layout whose
    /// header is found: the sections whose title rows name <paramref name="account"/> (the connection's), or the first
    /// section where the layout says its export prints no account number.
    /// </summary>
    /// <remarks>
    /// <paramref name="delimited"/>: the rows come from a CSV, where a line with more fields than its header is a
    /// value that was split (an amount written 1,800,000 without quotes reads as 1, then 800, then 000 in columns of
    /// their own): such a line is refused, not read one đồng at a time. A workbook's line with a value right of the
    /// header's last column is refused too (see <see cref="ReadLines"/>).
    /// </remarks>
    public static (StatementRead? Read, StatementProblems? Problems, StatementAccountProblem? Account) Read(SheetRead read,
        IReadOnlyList<StatementLayout> layouts, string? layoutId, string account, bool delimited = false)
    {
        var (sheet, rows) = (read.Sheet, read.Rows);
        var hidden = new StatementProblems();
        foreach (var row in rows.Keys.Where(read.HiddenRows.Contains))
        {
            hidden.Add(new StatementProblem(sheet, row, null, new ImportText("province.statementError.hidden_row")));
        }

        if (hidden.Found > 0)
        {
            return (null, hidden, null);
        }

        var candidates = layoutId is null ? layouts : layouts.Where(l => string.Equals(l.Id, layoutId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (candidates.Count == 0)
        {
            return (null, StatementProblems.Of(new StatementProblem(sheet, null, null,
                new ImportText("province.statementError.no_layout", TextChecks.Excerpt(layoutId), string.Join(", ", layouts.Select(l => l.Id))))), null);
        }

        foreach (var layout in candidates)
        {
            if (FindHeader(rows.Take(HeaderSearchRows), layout) is { } header)
            {
                return ReadSections(read, layout, header, account, delimited);
            }
        }

        return (null, StatementProblems.Of(new StatementProblem(sheet, null, null,
            new ImportText("province.statementError.no_header", HeaderSearchRows, string.Join(", ", candidates.Select(l => l.Id))))), null);
    }

    /// <summary>A CSV as a sheet named <c>csv</c> of text cells, its rows numbered from 1.</summary>
    public static SheetRead FromCsv(string text)
    {
        var rows = new SortedDictionary<int, Dictionary<int, SheetCell>>();
        var number = 0;
        foreach (var fields in Csv.Parse(text.TrimStart('\uFEFF')))
        {
            number++;
            var row = new Dictionary<int, SheetCell>();
            for (var c = 0; c < fields.Count; c++)
            {
                if (fields[c].Trim() is { Length: > 0 } value)
                {
                    row[c] = new SheetCell(value, null);
                }
            }

            if (row.Count > 0)
            {
                rows[number] = row;
            }
        }

        return new SheetRead("csv", rows, Date1904: false, HiddenRows: new HashSet<int>());
    }

    private sealed record Header(int Row, int Date, int Credit, int? Debit, int Description, int? Reference, int? Balance, Dictionary<int, string> Names);

    private static Header? FindHeader(IEnumerable<KeyValuePair<int, Dictionary<int, SheetCell>>> rows, StatementLayout layout)
    {
        foreach (var (number, cells) in rows)
        {
            var names = cells.ToDictionary(c => c.Key, c => c.Value.Text);
            if (Column(names, layout.Date) is { } date && Column(names, layout.Credit) is { } credit && Column(names, layout.Description) is { } description)
            {
                return new Header(number, date, credit, Column(names, layout.Debit), description, Column(names, layout.Reference), Column(names, layout.Balance), names);
            }
        }

        return null;
    }

    // One account's part of the file: the title rows above its header (from the row after the previous section's
    // totals), the header, and the row that ends its lines (the totals row, or the sheet's last row + 1).
    private sealed record Section(Header Header, int End, string? Account, long? Opening);

    // Every section from the first header on: after a section's totals row, the next row naming the same columns is
    // the next section's header (a statement of several accounts, or of one account over several periods).
    private static (StatementRead?, StatementProblems?, StatementAccountProblem?) ReadSections(SheetRead read, StatementLayout layout, Header first, string account, bool delimited)
    {
        var (sheet, rows) = (read.Sheet, read.Rows);
        var sections = new List<Section>();
        var (titleFrom, next) = (1, (Header?)first);
        while (next is { } header)
        {
            var end = rows.Where(r => r.Key > header.Row).FirstOrDefault(r => IsEnd(r.Value, header, layout, read.Date1904)).Key is var e and > 0 ? e : int.MaxValue;
            var titles = rows.Where(r => r.Key >= titleFrom && r.Key < header.Row).ToList();
            sections.Add(new Section(header, end, Labelled(titles, layout.AccountLabels()) is { } number ? AccountNumber().Match(number).Value is { Length: > 0 } found ? AccountDigits(found) : null : null,
                Labelled(titles, layout.OpeningBalance) is { } opening && ParseBalance(new SheetCell(opening, null), out var balance) is null ? balance : null));
            (titleFrom, next) = end == int.MaxValue ? (end, null) : (end + 1, FindHeader(rows.Where(r => r.Key > end), layout));
        }

        IReadOnlyList<Section> chosen;
        if (layout.AccountLabels().Count == 0)
        {
            chosen = [sections[0]]; // the bank's export prints no account number: the first section, as the connection's
        }
        else
        {
            var expected = AccountDigits(account);
            chosen = expected.Length == 0 ? [] : sections.Where(s => s.Account == expected).ToList();
            if (chosen.Count == 0)
            {
                return (null, null, new StatementAccountProblem(sheet, first.Row, [.. sections.Select(s => s.Account).OfType<string>().Distinct()], account.Length == 0 ? "(none set)" : account));
            }
        }

        var lines = new List<StatementLine>();
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        var problems = new StatementProblems();
        var outgoing = 0;
        foreach (var section in chosen)
        {
            var sectionRead = ReadLines(read, layout, section, delimited, occurrences, problems);
            lines.AddRange(sectionRead.Lines);
            outgoing += sectionRead.Outgoing;
        }

        return problems.Found > 0 ? (null, problems, null) : (new StatementRead(layout, chosen[0].Account, lines, outgoing), null, null);
    }

    // The totals row: no date in the date column, and a cell starting with one of the layout's end markers.
    private static bool IsEnd(Dictionary<int, SheetCell> cells, Header header, StatementLayout layout, bool date1904) =>
        ParseDate(cells.GetValueOrDefault(header.Date), layout, date1904) is null
        && cells.Values.Any(c => layout.EndMarkers.Any(m => Normal(c.Text).StartsWith(Normal(m), StringComparison.Ordinal)));

    // The value of a title row labelled by one of the labels: the rest of the labelled cell after the label(s) and a
    // colon ("Số tài khoản: 1023456789"), or the next filled cell right of it ("Số tài khoản / Account number:" in A,
    // the number in C). The last such row above the header, the one nearest it, is the section's.
    private static string? Labelled(List<KeyValuePair<int, Dictionary<int, SheetCell>>> titles, IReadOnlyList<string> labels)
    {
        if (labels.Count == 0)
        {
            return null;
        }

        var normal = labels.Select(Normal).ToList();
        for (var i = titles.Count - 1; i >= 0; i--)
        {
            foreach (var (column, cell) in titles[i].Value.OrderBy(c => c.Key))
            {
                var text = Normal(cell.Text);
                if (!normal.Any(l => text.StartsWith(l, StringComparison.Ordinal)))
                {
                    continue;
                }

                var rest = text;
                while (normal.FirstOrDefault(l => rest.StartsWith(l, StringComparison.Ordinal)) is { } label)
                {
                    rest = rest[label.Length..].TrimStart(' ', '/', '\n', ':', '-', '(', ')', '.');
                }

                // "Số tài khoản cũ / Old account number": the account's number before a change, printed by some banks
                // beside the current one; not the statement's.
                if (s_formerly.Any(f => rest.StartsWith(f, StringComparison.Ordinal)))
                {
                    continue;
                }

                if (rest.Any(char.IsAsciiDigit))
                {
                    return rest;
                }

                return titles[i].Value.Where(c => c.Key > column && c.Value.Text.Any(char.IsAsciiDigit)).OrderBy(c => c.Key).Select(c => c.Value.Number is { } n
                    ? n.ToString("0", CultureInfo.InvariantCulture) : c.Value.Text).FirstOrDefault();
            }
        }

        return null;
    }

    // An account number as digits only: the exports write it 1023456789, 102 345 6789 or 102-345-6789.
    private static string AccountDigits(string text) => new([.. text.Where(char.IsAsciiDigit)]);

    // The first alias (in the layout's order) that a header cell names: the whole cell, or one side of a bilingual
    // "Vietnamese / English" or "Vietnamese\nEnglish" header, compared without case and with spaces collapsed.
    private static int? Column(Dictionary<int, string> names, IReadOnlyList<string> aliases)
    {
        foreach (var alias in aliases.Select(Normal))
        {
            foreach (var (column, name) in names)
            {
                var normal = Normal(name);
                if (normal == alias || normal.Split(['/', '\n']).Any(part => part.Trim() == alias))
                {
                    return column;
                }
            }
        }

        return null;
    }

    private static string Normal(string text) => Spaces().Replace(text.Normalize(NormalizationForm.FormC).Replace('\r', '\n'), m => m.Value.Contains('\n') ? "\n" : " ").Trim().ToLowerInvariant();

    // Every line is read to its end, each cell that does not read added to problems (a line whose values have moved out
    // of their columns once, as its cells hold the wrong values); the running balances are checked when every line of
    // the file so far read, as a line whose amount does not read has no balance to follow from.
    private static StatementRead ReadLines(SheetRead read, StatementLayout layout, Section section, bool delimited, Dictionary<string, int> occurrences,
        StatementProblems problems)
    {
        var (sheet, rows) = (read.Sheet, read.Rows);
        var header = section.Header;
        var lastColumn = header.Names.Keys.Max();
        string Name(int column) => $"{Spreadsheet.Letters(column)} ({header.Names[column]})";
        StatementProblem Problem(int row, int column, ImportText reason) => new(sheet, row, Name(column), reason);

        var lines = new List<StatementLine>();
        var balances = new List<(int Row, long Credit, long Debit, long Balance, DateTimeOffset? Date)>();
        var outgoing = 0;
        foreach (var (number, cells) in rows.Where(r => r.Key > header.Row && r.Key < section.End))
        {
            var dateCell = cells.GetValueOrDefault(header.Date);
            var credit = cells.GetValueOrDefault(header.Credit);
            var debit = header.Debit is { } d ? cells.GetValueOrDefault(d) : default;
            var date = ParseDate(dateCell, layout, read.Date1904);
            if (string.IsNullOrEmpty(credit.Text) && string.IsNullOrEmpty(debit.Text))
            {
                continue; // a blank row, a description wrapped onto its own row, or an opening balance row
            }

            if (delimited && cells.Keys.Max() > lastColumn)
            {
                problems.Add(new StatementProblem(sheet, number, Spreadsheet.Letters(cells.Keys.Max()),
                    new ImportText("province.statementError.too_many_fields", cells.Keys.Max() + 1, lastColumn + 1)));
                continue;
            }

            // A workbook has no delimiter to split on, but a CSV split that way and then opened in Excel and saved
            // keeps the split: 1, 800 and 0 in columns of their own, the rest of the line pushed right, and the
            // named columns holding the wrong values (1 đồng described as "800"). The public readers of Vietnamese
            // banks' exports (Vietcombank's five-column statement and its six-column CashUp template, VietinBank's and
            // BIDV's bilingual headers, MB's and Techcombank's) take every column they read from under a header
            // label, and none has a filled column without one; so a value right of the header's last column is not
            // the bank's, and the line is refused, like the CSV's. A merged range's copy is not a value of the line (a
            // description merged wider than its header's label is formatting; Spreadsheet copies it into each cell).
            if (!delimited && Spreadsheet.FirstBeyondHeader(cells, lastColumn) is { } beyond)
            {
                problems.Add(new StatementProblem(sheet, number, Spreadsheet.Letters(beyond),
                    new ImportText("province.statementError.beyond_header", TextChecks.Excerpt(cells[beyond].Text), Spreadsheet.Letters(lastColumn))));
                continue;
            }

            var found = problems.Found;
            if (date is null)
            {
                problems.Add(Problem(number, header.Date, string.IsNullOrEmpty(dateCell.Text)
                    ? new ImportText("province.statementError.date_missing")
                    : new ImportText("province.statementError.not_a_date", TextChecks.Excerpt(dateCell.Text), string.Join(", ", layout.DateFormats))));
            }

            if (ParseAmount(credit, out var amountIn) is { } creditProblem)
            {
                problems.Add(Problem(number, header.Credit, creditProblem));
            }

            var amountOut = 0L;
            if (header.Debit is { } debitColumn && ParseAmount(debit, out amountOut) is { } debitProblem)
            {
                problems.Add(Problem(number, debitColumn, debitProblem));
            }

            var balance = 0L;
            if (header.Balance is { } balanceColumn)
            {
                var balanceCell = cells.GetValueOrDefault(balanceColumn);
                if (string.IsNullOrEmpty(balanceCell.Text))
                {
                    problems.Add(Problem(number, balanceColumn, new ImportText("province.statementError.balance_missing")));
                }
                else if (ParseBalance(balanceCell, out balance) is { } balanceProblem)
                {
                    problems.Add(Problem(number, balanceColumn, balanceProblem));
                }
            }

            if (problems.Found > found || date is null)
            {
                continue;
            }

            if (header.Balance is not null)
            {
                balances.Add((number, amountIn, amountOut, balance, date));
            }

            if (amountIn == 0)
            {
                outgoing++;
                continue;
            }

            var description = cells.GetValueOrDefault(header.Description).Text ?? string.Empty;
            description = description.Length > 500 ? description[..500] : description;
            var reference = header.Reference is { } r && cells.GetValueOrDefault(r).Text is { Length: > 0 } text ? text : null;
            lines.Add(new StatementLine(number, Key(reference, date.Value, amountIn, description, occurrences), date.Value, amountIn, description, reference));
        }

        if (header.Balance is { } column && problems.Found == 0)
        {
            foreach (var (row, reason) in CheckBalances(balances, section.Opening))
            {
                problems.Add(Problem(row, column, reason));
            }
        }

        return new StatementRead(layout, section.Account, lines, outgoing);
    }

    // Each line's balance is the balance before it plus its credit less its debit. The lines run oldest first in most
    // exports, newest first in some (the dates say which; on one day, whichever order the balances follow): the
    // first line in time is checked against the opening balance where the title rows print one. The rows named are
    // those whose balance does not follow from the line before: an edited credit breaks the chain at its own row, and
    // the next line follows from the balance it prints, so two edited lines are two rows named. In the file's order.
    private static List<(int Row, ImportText Reason)> CheckBalances(List<(int Row, long Credit, long Debit, long Balance, DateTimeOffset? Date)> lines, long? opening)
    {
        if (lines.Count == 0)
        {
            return [];
        }

        List<(int Row, ImportText Reason)> Walk(IEnumerable<(int Row, long Credit, long Debit, long Balance, DateTimeOffset? Date)> inTime)
        {
            var broken = new List<(int Row, ImportText Reason)>();
            var before = opening;
            foreach (var line in inTime)
            {
                if (before is { } previous && previous + line.Credit - line.Debit != line.Balance)
                {
                    broken.Add((line.Row, new ImportText("province.statementError.balance_broken", new ImportMoney(line.Balance), new ImportMoney(previous), new ImportMoney(line.Credit),
                        new ImportMoney(line.Debit), new ImportMoney(previous + line.Credit - line.Debit))));
                }

                before = line.Balance;
            }

            return [.. broken.OrderBy(b => b.Row)];
        }

        var (first, last) = (lines[0].Date, lines[^1].Date);
        if (first > last)
        {
            return Walk(Enumerable.Reverse(lines));
        }

        var forward = Walk(lines);
        return forward.Count > 0 && first == last && Walk(Enumerable.Reverse(lines)).Count == 0 ? [] : forward;
    }

    // The bank's reference where there is one; otherwise the line's date, amount and text, with how many identical
    // lines came before it in the file (two identical transfers on one day are two lines, the same two every import).
    private static string Key(string? reference, DateTimeOffset date, long amount, string description, Dictionary<string, int> occurrences)
    {
        if (reference is not null)
        {
            return reference.Length <= 80 ? "ref:" + reference : "ref:" + Hash(reference);
        }

        var basis = $"{date:yyyy-MM-dd}|{amount}|{Normal(description)}";
        var n = occurrences[basis] = occurrences.GetValueOrDefault(basis) + 1;
        return "line:" + Hash($"{basis}|{n}");
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..40];

    /// <summary>A date in the layout's formats (Vietnam time), or an Excel serial date; null when neither.</summary>
    /// <remarks>
    /// Excel's serial day counts from 1899-12-30 (as OLE Automation dates do), or, in a workbook with the 1904 date
    /// system (ECMA-376 Part 1, 18.2.28 <c>workbookPr date1904</c>, Excel for Mac's old default), from 1904-01-01:
    /// 1,462 days later.
    /// </remarks>
    private static DateTimeOffset? ParseDate(SheetCell cell, StatementLayout layout, bool date1904)
    {
        if (cell.Number is { } serial && (date1904 ? serial + 1_462 : serial) is > 20_000 and < 80_000 and var day)
        {
            return new DateTimeOffset(DateTime.FromOADate(day), BankProviders.VietnamOffset);
        }

        return DateTime.TryParseExact(cell.Text?.Trim(), layout.DateFormats.ToArray(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(local, BankProviders.VietnamOffset)
            : null;
    }

    /// <summary>
    /// Whole đồng from a number cell or a text as banks print it: <c>1.250.000</c> or <c>1,250,000</c> (a grouping
    /// mark between groups of three), optionally with <c>,00</c> / <c>.00</c>, <c>VND</c> or <c>đ</c>; empty is 0.
    /// </summary>
    private static ImportText? ParseAmount(SheetCell cell, out long amount)
    {
        amount = 0;
        if (cell.Number is { } number)
        {
            if (number < 0 || number > Vnd.MaxAmount || number != Math.Floor(number))
            {
                return new ImportText("province.statementError.amount_not_whole", cell.Text, new ImportMoney(Vnd.MaxAmount));
            }

            amount = (long)number;
            return null;
        }

        var text = Currency().Replace(cell.Text ?? string.Empty, string.Empty).Trim();
        if (text.Length == 0 || text == "-")
        {
            return null;
        }

        if (SplitAmount.IsTail(text))
        {
            return new ImportText("province.statementError.split_amount", TextChecks.Excerpt(cell.Text));
        }

        var match = Amount().Match(text);
        if (!match.Success || match.Groups["fraction"].Value.Any(c => c != '0'))
        {
            return new ImportText("province.statementError.amount_invalid", TextChecks.Excerpt(cell.Text));
        }

        var digits = match.Groups["whole"].Value.Replace(".", string.Empty, StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal);
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out amount) || amount > Vnd.MaxAmount)
        {
            return new ImportText("province.statementError.amount_too_large", TextChecks.Excerpt(cell.Text), new ImportMoney(Vnd.MaxAmount));
        }

        return null;
    }

    /// <summary>A running balance: an amount as <see cref="ParseAmount"/> reads one, below zero too (an overdraft, "-1.250.000").</summary>
    private static ImportText? ParseBalance(SheetCell cell, out long balance)
    {
        balance = 0;
        if (cell.Number is { } number)
        {
            if (Math.Abs(number) > Vnd.MaxAmount || number != Math.Floor(number))
            {
                return new ImportText("province.statementError.balance_not_whole", cell.Text);
            }

            balance = (long)number;
            return null;
        }

        var text = (cell.Text ?? string.Empty).Trim();
        var negative = text.StartsWith('-') && text.Length > 1;
        if (ParseAmount(new SheetCell(negative ? text[1..] : text, null), out var amount) is { } problem)
        {
            return problem;
        }

        balance = negative ? -amount : amount;
        return null;
    }

    // The first number in a title's value: an account number, its digits grouped by spaces or dashes at most.
    [GeneratedRegex(@"\d[\d \-]*\d|\d")]
    private static partial Regex AccountNumber();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\s|VND|VNĐ|đ|₫", RegexOptions.IgnoreCase)]
    private static partial Regex Currency();

    // Digits alone; or groups of three after one grouping mark used throughout; then a fraction after the other mark.
    [GeneratedRegex(@"^(?<whole>\d+|\d{1,3}(?<g>[.,])\d{3}(?:\k<g>\d{3})*)(?:(?!\k<g>)[.,](?<fraction>\d{1,2}))?$")]
    private static partial Regex Amount();
}
