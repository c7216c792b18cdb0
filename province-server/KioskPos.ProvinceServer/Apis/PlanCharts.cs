using System.Globalization;
using System.Xml.Linq;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// The plan report's bars as SVG, drawn on the server so the page needs no charting script: one horizontal bar per
/// row, the share reached, with the target as a dashed line. Built as XML elements, so names and labels are encoded
/// by construction.
/// </summary>
internal static class PlanCharts
{
    private const int Width = 640, Row = 34, Label = 260;
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    /// <summary>The value paid cashless against the target: the province (or the institution), then each month.</summary>
    public static XDocument Value(PlanReportView view) => Bars(
    [
        (Both("province.report.chart.province"), view.ValueSharePercent, view.ValueTargetPercent),
        .. view.Months.Select(m => (Messages.Vi("province.report.chart.month", m.Month), m.SharePercent, m.TargetPercent)),
    ]);

    /// <summary>The share of institutions taking cashless payment, per type, against the type's target.</summary>
    public static XDocument Types(PlanReportView view) =>
        Bars([.. view.ByType.Select(g => ($"{TypeName(g.Type)} ({g.TakingCashless}/{g.Institutions})", g.SharePercent, g.TargetPercent))]);

    /// <summary>The type's name from the catalogue (<c>province.type.*</c>), the code itself for a type it lacks.</summary>
    public static string TypeName(string type) =>
        Messages.All.TryGetValue("province.type." + type, out var name) ? name.Vi : type;

    private static string Both(string key) => $"{Messages.Vi(key)} / {Messages.En(key)}";

    private static XDocument Bars(IReadOnlyList<(string Label, double Percent, int Target)> rows)
    {
        var height = (rows.Count * Row) + 10;
        var scale = (Width - Label - 50) / 100.0;
        var svg = new XElement(s_svg + "svg",
            new XAttribute("role", "img"),
            new XAttribute("width", Width),
            new XAttribute("height", height),
            new XAttribute("viewBox", $"0 0 {Width} {height}"),
            new XAttribute("font-family", "'Noto Sans', system-ui, sans-serif"),
            new XAttribute("fill", "#102030"));
        for (var n = 0; n < rows.Count; n++)
        {
            var (label, percent, target) = rows[n];
            var y = (n * Row) + 5;
            var colour = percent >= target ? "#17692c" : "#a8201a";
            var targetX = Number(Label + (target * scale));
            svg.Add(
                Text(0, y + 20, label),
                new XElement(s_svg + "rect",
                    new XAttribute("x", Label), new XAttribute("y", y + 6),
                    new XAttribute("width", Number(Math.Max(1, Math.Min(100, percent) * scale))), new XAttribute("height", 18),
                    new XAttribute("fill", colour),
                    new XElement(s_svg + "title", Percent(percent))),
                new XElement(s_svg + "line",
                    new XAttribute("x1", targetX), new XAttribute("x2", targetX), new XAttribute("y1", y + 2), new XAttribute("y2", y + 28),
                    new XAttribute("stroke", "#102030"), new XAttribute("stroke-width", 2), new XAttribute("stroke-dasharray", "4 2"),
                    new XElement(s_svg + "title", Messages.Vi("province.report.chart.target", target))),
                Text(Label + (Math.Min(100, percent) * scale) + 6, y + 20, Percent(percent)));
        }

        return new XDocument(svg);
    }

    private static XElement Text(double x, double y, string text) =>
        new(s_svg + "text", new XAttribute("x", Number(x)), new XAttribute("y", Number(y)), new XAttribute("font-size", 13), text);

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
