using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using KioskPos.Core.Text;

namespace KioskPos.Terminal.Screens;

/// <summary>
/// A page the terminal draws on the server from an HTML file under <c>wwwroot/</c> (the state page, which works
/// without JavaScript). The file's holes, in double braces: <c>name</c> is a value, always HTML-encoded (there is no
/// raw hole); <c>#name</c> … <c>/name</c> is a block kept once per item of a list, or left out; <c>vi:key</c> and
/// <c>both:key</c> are texts of the message catalogue (Vietnamese; "Vietnamese / English"). The file is parsed once;
/// values are never parsed, so a name holding braces prints as it is.
/// </summary>
internal sealed class PageTemplate
{
    // Encodes what HTML gives a meaning to (<, >, &, quotes), and leaves Vietnamese letters as they are.
    private static readonly HtmlEncoder s_encoder = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly IReadOnlyList<Node> _nodes;

    private PageTemplate(IReadOnlyList<Node> nodes) => _nodes = nodes;

    /// <summary>Parses a template; an unclosed or misnested block is a mistake in the file and throws.</summary>
    public static PageTemplate Parse(string text)
    {
        var stack = new Stack<(string Name, List<Node> Nodes)>();
        var current = new List<Node>();
        var at = 0;
        while (at < text.Length)
        {
            var open = text.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                current.Add(new TextNode(text[at..]));
                break;
            }

            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"A hole opened at {open} is not closed.");
            }

            if (open > at)
            {
                current.Add(new TextNode(text[at..open]));
            }

            var token = text[(open + 2)..close].Trim();
            at = close + 2;
            if (token.StartsWith('#'))
            {
                stack.Push((token[1..], current));
                current = [];
            }
            else if (token.StartsWith('/'))
            {
                if (stack.Count == 0 || stack.Peek().Name != token[1..])
                {
                    throw new FormatException($"'{token}' closes no open block.");
                }

                var (name, parent) = stack.Pop();
                parent.Add(new BlockNode(name, current));
                current = parent;
            }
            else if (token.StartsWith("vi:", StringComparison.Ordinal))
            {
                current.Add(new TextNode(s_encoder.Encode(Messages.Vi(token[3..]))));
            }
            else if (token.StartsWith("both:", StringComparison.Ordinal))
            {
                current.Add(new TextNode(s_encoder.Encode(Both(token[5..]))));
            }
            else
            {
                current.Add(new HoleNode(token));
            }
        }

        return stack.Count == 0 ? new PageTemplate(current) : throw new FormatException($"The block '{stack.Peek().Name}' is not closed.");
    }

    /// <summary>A catalogue text as "Vietnamese / English" (one of them when both read the same).</summary>
    public static string Both(string key, params object?[] args)
    {
        var (vi, en) = (Messages.Vi(key, args), Messages.En(key, args));
        return vi == en ? vi : $"{vi} / {en}";
    }

    /// <summary>The page with the values of <paramref name="scope"/>; a hole or block it does not name throws.</summary>
    public string Render(TemplateScope scope)
    {
        var html = new StringBuilder();
        Render(_nodes, scope, html);
        return html.ToString();
    }

    private static void Render(IReadOnlyList<Node> nodes, TemplateScope scope, StringBuilder html)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    html.Append(text.Html);
                    break;
                case HoleNode hole:
                    html.Append(s_encoder.Encode(scope.Value(hole.Name)));
                    break;
                case BlockNode block:
                    foreach (var item in scope.Items(block.Name))
                    {
                        Render(block.Children, item, html);
                    }

                    break;
            }
        }
    }

    private abstract record Node;

    private sealed record TextNode(string Html) : Node;

    private sealed record HoleNode(string Name) : Node;

    private sealed record BlockNode(string Name, IReadOnlyList<Node> Children) : Node;
}

/// <summary>The values a <see cref="PageTemplate"/> fills: text by name, and blocks as lists of scopes; a block's item sees its parent's values.</summary>
internal sealed class TemplateScope(TemplateScope? parent = null)
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<TemplateScope>> _blocks = new(StringComparer.Ordinal);

    /// <summary>Sets a value (null prints nothing).</summary>
    public TemplateScope Set(string name, string? value)
    {
        _values[name] = value ?? string.Empty;
        return this;
    }

    /// <summary>Sets a block to one item per element of <paramref name="items"/>, each filled by <paramref name="fill"/>.</summary>
    public TemplateScope Each<T>(string name, IEnumerable<T> items, Action<TemplateScope, T> fill)
    {
        _blocks[name] = [.. items.Select(item =>
        {
            var scope = new TemplateScope(this);
            fill(scope, item);
            return scope;
        })];
        return this;
    }

    /// <summary>Keeps a block once (filled by <paramref name="fill"/>) when <paramref name="shown"/>, or leaves it out.</summary>
    public TemplateScope If(string name, bool shown, Action<TemplateScope>? fill = null) =>
        Each(name, shown ? [true] : Array.Empty<bool>(), (scope, _) => fill?.Invoke(scope));

    internal string Value(string name) =>
        _values.TryGetValue(name, out var value) ? value
        : parent?.Value(name) ?? throw new InvalidOperationException($"The page template's hole '{name}' has no value.");

    internal IReadOnlyList<TemplateScope> Items(string name) =>
        _blocks.TryGetValue(name, out var items) ? items
        : parent?.Items(name) ?? throw new InvalidOperationException($"The page template's block '{name}' has no value.");
}
