using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KioskPos.Core.Receipts;

/// <summary>How a block of text sits on the paper.</summary>
public enum TextAlign
{
    /// <summary>Against the left edge.</summary>
    Left,

    /// <summary>Centred.</summary>
    Centre,

    /// <summary>Against the right edge.</summary>
    Right,
}

/// <summary>
/// One block of a printed document. Blocks say what is printed, not how: the raster renderer, the ESC/POS text mode
/// and the plain-text preview each lay them out for their paper width.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "k")]
[JsonDerivedType(typeof(TextBlock), "text")]
[JsonDerivedType(typeof(PairBlock), "pair")]
[JsonDerivedType(typeof(RuleBlock), "rule")]
[JsonDerivedType(typeof(QrBlock), "qr")]
[JsonDerivedType(typeof(FeedBlock), "feed")]
public abstract record PrintBlock;

/// <summary>Text, wrapped at word boundaries to the paper width.</summary>
/// <param name="Text">The text (normalised to NFC when the document is made).</param>
/// <param name="Align">Where it sits.</param>
/// <param name="Bold">Emphasised.</param>
/// <param name="Large">Double width and height (titles, totals).</param>
public sealed record TextBlock(string Text, TextAlign Align = TextAlign.Left, bool Bold = false, bool Large = false) : PrintBlock;

/// <summary>A label on the left and its value on the right of one line (the value moves under the label when both do not fit).</summary>
/// <param name="Label">The label.</param>
/// <param name="Value">The value.</param>
/// <param name="Bold">Emphasised (the total).</param>
public sealed record PairBlock(string Label, string Value, bool Bold = false) : PrintBlock;

/// <summary>A horizontal rule across the paper.</summary>
public sealed record RuleBlock : PrintBlock;

/// <summary>A QR code, centred, with an optional caption under it.</summary>
/// <param name="Payload">What the QR holds (ASCII).</param>
/// <param name="Caption">A line under it for people.</param>
public sealed record QrBlock(string Payload, string? Caption = null) : PrintBlock;

/// <summary>Blank lines.</summary>
/// <param name="Lines">How many.</param>
public sealed record FeedBlock(int Lines = 1) : PrintBlock;

/// <summary>A document for the receipt printer: its blocks in order. The printer cuts the paper after it.</summary>
/// <param name="Title">What it is, for logs and the print queue (e.g. "Biên lai T01-000042").</param>
/// <param name="Blocks">The content.</param>
/// <param name="Reference">A file-safe name for what it prints (the receipt number; "-tam" for a provisional slip).</param>
public sealed record PrintDocument(string Title, IReadOnlyList<PrintBlock> Blocks, string? Reference = null)
{
    /// <summary>The document as JSON (the print queue keeps jobs so).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, PrintJsonContext.Default.PrintDocument);

    /// <summary>A document from <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">Not a document.</exception>
    public static PrintDocument FromJson(string json) =>
        JsonSerializer.Deserialize(json, PrintJsonContext.Default.PrintDocument) ?? throw new JsonException("null document");

    /// <summary>The document as plain text lines of at most <paramref name="columns"/> characters (previews, text-mode printers).</summary>
    public IReadOnlyList<string> ToLines(int columns) => PlainTextLayout.Lines(this, columns);

    /// <summary>Every text the document holds, one line each, for searching a preview.</summary>
    public override string ToString() => string.Join('\n', ToLines(48));
}

/// <summary>Serialisation of print documents.</summary>
[JsonSerializable(typeof(PrintDocument))]
internal sealed partial class PrintJsonContext : JsonSerializerContext;

/// <summary>Builds a <see cref="PrintDocument"/>; every text is normalised to NFC as it is added.</summary>
public sealed class PrintDocumentBuilder(string title, string? reference = null)
{
    private readonly List<PrintBlock> _blocks = [];

    /// <summary>Adds text.</summary>
    public PrintDocumentBuilder Text(string text, TextAlign align = TextAlign.Left, bool bold = false, bool large = false)
    {
        _blocks.Add(new TextBlock(Nfc(text), align, bold, large));
        return this;
    }

    /// <summary>Adds centred text.</summary>
    public PrintDocumentBuilder Centre(string text, bool bold = false, bool large = false) => Text(text, TextAlign.Centre, bold, large);

    /// <summary>Adds a label and its value.</summary>
    public PrintDocumentBuilder Pair(string label, string value, bool bold = false)
    {
        _blocks.Add(new PairBlock(Nfc(label), Nfc(value), bold));
        return this;
    }

    /// <summary>Adds a rule.</summary>
    public PrintDocumentBuilder Rule()
    {
        _blocks.Add(new RuleBlock());
        return this;
    }

    /// <summary>Adds a QR code.</summary>
    public PrintDocumentBuilder Qr(string payload, string? caption = null)
    {
        _blocks.Add(new QrBlock(payload, caption is null ? null : Nfc(caption)));
        return this;
    }

    /// <summary>Adds blank lines.</summary>
    public PrintDocumentBuilder Feed(int lines = 1)
    {
        _blocks.Add(new FeedBlock(lines));
        return this;
    }

    /// <summary>The document.</summary>
    public PrintDocument Build() => new(Nfc(title), _blocks.ToArray(), reference);

    private static string Nfc(string text) => KioskPos.Core.Text.LatinNormalization.ToFormC(text);
}

/// <summary>
/// Lays a document out in fixed columns: 32 for 58 mm paper, 48 for 80 mm (Font A), for previews and text-mode
/// printers. A QR becomes a marker line (the printer prints the code itself).
/// </summary>
public static class PlainTextLayout
{
    /// <summary>Columns of a 58 mm printer's standard font.</summary>
    public const int Columns58mm = 32;

    /// <summary>Columns of an 80 mm printer's standard font.</summary>
    public const int Columns80mm = 48;

    /// <summary>The lines of <paramref name="document"/>.</summary>
    public static IReadOnlyList<string> Lines(PrintDocument document, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 24);
        var lines = new List<string>();
        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case TextBlock text:
                    // A preview keeps large text on one line; the text-mode encoder wraps it at half width itself.
                    lines.AddRange(Wrap(text.Text, columns).Select(l => Place(l, columns, text.Align)));
                    break;
                case PairBlock pair:
                    lines.AddRange(Pair(pair.Label, pair.Value, columns));
                    break;
                case RuleBlock:
                    lines.Add(new string('-', columns));
                    break;
                case QrBlock qr:
                    lines.Add(Place("[QR]", columns, TextAlign.Centre));
                    if (qr.Caption is { } caption)
                    {
                        lines.AddRange(Wrap(caption, columns).Select(l => Place(l, columns, TextAlign.Centre)));
                    }

                    break;
                case FeedBlock feed:
                    lines.AddRange(Enumerable.Repeat(string.Empty, Math.Max(0, feed.Lines)));
                    break;
            }
        }

        return lines;
    }

    /// <summary>A label and value on one line, or the value right-aligned on the next when they do not fit.</summary>
    public static IEnumerable<string> Pair(string left, string right, int columns)
    {
        var gap = columns - left.Length - right.Length;
        if (gap >= 1)
        {
            return [left + new string(' ', gap) + right];
        }

        var value = right.Length > columns ? right[..columns] : right;
        return [left.Length > columns ? left[..columns] : left, new string(' ', columns - value.Length) + value];
    }

    /// <summary>Words wrapped to <paramref name="columns"/>; a word longer than a line is cut.</summary>
    public static IEnumerable<string> Wrap(string text, int columns)
    {
        foreach (var paragraph in text.Split('\n'))
        {
            var line = new StringBuilder();
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > columns)
                {
                    yield return line.ToString();
                    line.Clear();
                }

                if (line.Length > 0)
                {
                    line.Append(' ');
                }

                line.Append(word.Length > columns ? word[..columns] : word);
            }

            yield return line.ToString();
        }
    }

    private static string Place(string text, int columns, TextAlign align) => align switch
    {
        TextAlign.Centre => new string(' ', Math.Max(0, (columns - text.Length) / 2)) + text,
        TextAlign.Right => new string(' ', Math.Max(0, columns - text.Length)) + text,
        _ => text,
    };
}
