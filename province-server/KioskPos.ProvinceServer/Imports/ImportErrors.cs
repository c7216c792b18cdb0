using System.Collections;
using System.Globalization;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// The errors an import finds, bounded: every problem of a row is reported, so that an accountant corrects the file in
/// one pass, up to <see cref="MaxPerRow"/> on one row and <see cref="MaxListed"/> in all; the ones beyond are counted
/// (<see cref="LeftOut"/>), never formatted, so a file of 100,000 broken rows answers in a page, not in megabytes.
/// A row is its line (a CSV line, a sheet's row), or its path where the line is 0 (an XML's episode or table row).
/// <see cref="Count"/> counts every error found: any at all refuses the file.
/// </summary>
internal sealed class ImportErrors : IEnumerable<ImportError>
{
    /// <summary>The most errors listed on one row.</summary>
    public const int MaxPerRow = 5;

    /// <summary>The most errors listed for one file.</summary>
    public const int MaxListed = 200;

    private readonly List<ImportError> _listed = [];
    private readonly Dictionary<string, int> _perRow = new(StringComparer.Ordinal);

    /// <summary>Every error found, listed or left out.</summary>
    public int Count => _listed.Count + LeftOut;

    /// <summary>The errors found and not listed.</summary>
    public int LeftOut { get; private set; }

    /// <summary>
    /// The error <paramref name="text"/> says, at <paramref name="line"/> (and <paramref name="path"/>), in
    /// <paramref name="field"/>; a workbook's with its <paramref name="sheet"/> and <paramref name="column"/>.
    /// </summary>
    public void Add(int line, ImportText text, string? path = null, string? field = null, string? sheet = null, string? column = null)
    {
        if (Room(line, path))
        {
            _listed.Add(ImportError.Of(line, text, path, field) with { Sheet = sheet, Column = column });
        }
    }

    /// <summary>
    /// An error of the header row, bounded by <see cref="MaxListed"/> only: the columns missing and the columns unknown
    /// are the file's shape, and each is said (a school's own export has many columns of its own beside the few it lacks).
    /// </summary>
    public void AddToHeader(int line, ImportText text, string? path = null, string? field = null, string? sheet = null, string? column = null)
    {
        if (_listed.Count >= MaxListed)
        {
            LeftOut++;
            return;
        }

        _listed.Add(ImportError.Of(line, text, path, field) with { Sheet = sheet, Column = column });
    }

    /// <summary>An error made elsewhere (another import's, moved to this file's lines).</summary>
    public void Add(ImportError error)
    {
        if (Room(error.Line, error.Path))
        {
            _listed.Add(error);
        }
    }

    /// <summary>Counts <paramref name="count"/> errors another import left out.</summary>
    public void LeaveOut(int count) => LeftOut += count;

    /// <summary>Forgets every error (a file that turns out to be in another format gets one error saying so).</summary>
    public void Clear()
    {
        _listed.Clear();
        _perRow.Clear();
        LeftOut = 0;
    }

    /// <summary>The import refused: nothing stored, the errors listed in the file's order, and how many were left out.</summary>
    public ImportResult Refused(FacilityCheck? facility = null) => new(0, 0, 0, [.. _listed.OrderBy(e => e.Line)], facility, LeftOut);

    /// <inheritdoc />
    public IEnumerator<ImportError> GetEnumerator() => _listed.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private bool Room(int line, string? path)
    {
        var row = line > 0 ? line.ToString(CultureInfo.InvariantCulture) : path ?? string.Empty;
        var onRow = _perRow.GetValueOrDefault(row);
        if (_listed.Count >= MaxListed || onRow >= MaxPerRow)
        {
            LeftOut++;
            return false;
        }

        _perRow[row] = onRow + 1;
        return true;
    }
}
