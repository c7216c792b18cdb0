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
    private static readonly CultureInfo s_vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    /// <summary>The value paid cashless against the target: the province (or the institution), then each month.</summary>
    public static XDocument Value(PlanReportView view) => Bars(
    [
        (Both("province.report.chart.province"), view.ValueSharePercent, view.ValueTargetPercent),
        .. view.Months.Select(m => (Messages.Vi("province.report.chart.month", m.Month), m.SharePercent, m.TargetPercent)),
    ]);

    /// <summary>The share of institutions taking cashless payment, per type, against the type's target.</summary>
    public static XDocument Types(PlanReportView view) =>
        Bars([.. view.ByType.Select(g => ($"{TypeName(g.Type)} ({g.TakingCashless}/{g.Institutions})", g.SharePercent, g.TargetPercent))]);

    /// <summary>The type's name today (<see cref="Geography.Units.TypeName"/>).</summary>
    public static string TypeName(string type) => Geography.Units.TypeName(type);

    /// <summary>The communes furthest behind: each one's share of institutions taking cashless payment against its target.</summary>
    public static XDocument Behind(PlanReportView view) =>
        view.Behind.Count == 0
            ? Bars([(Both("province.geo.chart.none"), 0, 0)])
            : Bars([.. view.Behind.Select(c => ($"{c.Commune} ({c.TakingCashless}/{c.Institutions})", c.SharePercent, (int)Math.Round(c.TargetPercent)))]);

    /// <summary>
    /// The trend: one point a year for the share of value, of count and of institutions, each a line, and the plan's
    /// trajectory for the value as a dashed line; 0 to 100 % up the side.
    /// </summary>
    public static XDocument Trend(PlanReportView view)
    {
        const int height = 300, left = 44, right = 150, top = 14, bottom = 36;
        var years = view.Years;
        var plotWidth = Width - left - right;
        var plotHeight = height - top - bottom;
        double X(int n) => left + (years.Count <= 1 ? plotWidth / 2.0 : n * plotWidth / (double)(years.Count - 1));
        double Y(double percent) => top + plotHeight - (Math.Clamp(percent, 0, 100) * plotHeight / 100.0);
        var svg = new XElement(s_svg + "svg",
            new XAttribute("role", "img"), new XAttribute("width", Width), new XAttribute("height", height), new XAttribute("viewBox", $"0 0 {Width} {height}"),
            new XAttribute("font-family", "'Noto Sans', system-ui, sans-serif"), new XAttribute("fill", "#102030"),
            new XElement(s_svg + "title", Both("province.report.heading")));
        foreach (var tick in new[] { 0, 25, 50, 75, 100 })
        {
            svg.Add(
                new XElement(s_svg + "line", new XAttribute("x1", left), new XAttribute("x2", left + plotWidth), new XAttribute("y1", Number(Y(tick))), new XAttribute("y2", Number(Y(tick))),
                    new XAttribute("stroke", "#d0d7de"), new XAttribute("stroke-width", 1)),
                new XElement(s_svg + "text", new XAttribute("x", left - 6), new XAttribute("y", Number(Y(tick) + 4)), new XAttribute("font-size", 11), new XAttribute("text-anchor", "end"), Percent(tick)));
        }

        for (var n = 0; n < years.Count; n++)
        {
            svg.Add(new XElement(s_svg + "text", new XAttribute("x", Number(X(n))), new XAttribute("y", height - 14), new XAttribute("font-size", 12), new XAttribute("text-anchor", "middle"),
                years[n].Year.ToString(CultureInfo.InvariantCulture)));
        }

        (string Key, string Colour, Func<PlanYear, double> Of, bool Dashed)[] series =
        [
            ("province.geo.chart.target", "#102030", y => y.ValueTargetPercent, true),
            ("province.geo.chart.value", "#17692c", y => y.ValueSharePercent, false),
            ("province.geo.chart.count", "#1f5fa8", y => y.CountSharePercent, false),
            ("province.geo.chart.institutions", "#b35c00", y => y.InstitutionSharePercent, false),
        ];
        for (var k = 0; k < series.Length; k++)
        {
            var (key, colour, of, dashed) = series[k];
            var points = string.Join(' ', years.Select((y, n) => $"{Number(X(n))},{Number(Y(of(y)))}"));
            var line = new XElement(s_svg + "polyline", new XAttribute("points", points), new XAttribute("fill", "none"), new XAttribute("stroke", colour), new XAttribute("stroke-width", dashed ? 2 : 3));
            if (dashed)
            {
                line.Add(new XAttribute("stroke-dasharray", "6 4"));
            }

            svg.Add(line);
            for (var n = 0; n < years.Count && !dashed; n++)
            {
                svg.Add(new XElement(s_svg + "circle", new XAttribute("cx", Number(X(n))), new XAttribute("cy", Number(Y(of(years[n])))), new XAttribute("r", 4), new XAttribute("fill", colour),
                    new XElement(s_svg + "title", $"{Messages.Vi(key)} {years[n].Year}: {Percent(of(years[n]))}")));
            }

            var ly = top + 8 + (k * 22);
            svg.Add(
                new XElement(s_svg + "line", new XAttribute("x1", Width - right + 12), new XAttribute("x2", Width - right + 34), new XAttribute("y1", ly), new XAttribute("y2", ly),
                    new XAttribute("stroke", colour), new XAttribute("stroke-width", 3), dashed ? new XAttribute("stroke-dasharray", "6 4") : null),
                new XElement(s_svg + "text", new XAttribute("x", Width - right + 40), new XAttribute("y", ly + 4), new XAttribute("font-size", 12), Messages.Vi(key)));
        }

        return new XDocument(svg);
    }

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

    /// <summary>
    /// A share as the charts write it, at most one decimal. The charts are in Vietnamese (their titles are; the page
    /// asks for them with no language): Vietnamese's decimal comma and a space before the sign, 48,6 %, beside amounts
    /// written 1.250.000 ₫ (the report page's I18n.percent writes the same), whatever the server's culture.
    /// </summary>
    internal static string Percent(double value) => value.ToString("0.#", s_vietnamese) + " %";
}
