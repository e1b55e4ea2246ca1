using System.Globalization;
using System.Net;
using System.Text;

namespace Derby.Application.Reports;

/// <summary>
/// A small server-side SVG plot for the printable report: a frame with ticked, labelled axes, and series drawn on it
/// (lines, Kaplan-Meier steps, bars, points, box plots, vertical markers, a colour grid). Every series is one element
/// with <c>class="series"</c> and its name in <c>data-series</c>, so tests can count curves. Text is HTML-encoded; numbers
/// are written invariantly. No scripts, no external resources.
/// </summary>
public sealed class SvgPlot
{
    private const double Left = 56, Right = 12, Top = 28, Bottom = 44;
    private readonly StringBuilder body = new();
    private readonly List<(string Name, string Colour, string? Dash)> legend = [];
    private readonly string title;
    private readonly string xLabel;
    private readonly string yLabel;
    private readonly double width;
    private readonly double height;
    private readonly double xMin;
    private readonly double xMax;
    private readonly double yMin;
    private readonly double yMax;
    private IReadOnlyList<(double Value, string Label)>? xTicks;
    private int series;

    /// <summary>A plot of the given ranges (a degenerate range is widened so that nothing divides by zero).</summary>
    public SvgPlot(string title, string xLabel, string yLabel, double xMin, double xMax, double yMin, double yMax, double width = 480, double height = 300)
    {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.width = width;
        this.height = height;
        (this.xMin, this.xMax) = Widen(xMin, xMax);
        (this.yMin, this.yMax) = Widen(yMin, yMax);
    }

    /// <summary>Palette shared by the report's figures.</summary>
    public static IReadOnlyList<string> Palette { get; } = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00"];

    /// <summary>Series drawn so far.</summary>
    public int SeriesCount => series;

    /// <summary>The range of some values with a margin, or (0, 1) when there are none.</summary>
    public static (double Min, double Max) Range(IEnumerable<double> values, double margin = 0.05)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0)
        {
            return (0, 1);
        }

        var (min, max) = (finite.Min(), finite.Max());
        var pad = (max - min) * margin;
        return Widen(min - pad, max + pad);
    }

    /// <summary>Category labels on the x axis instead of numeric ticks (positions in data units).</summary>
    public SvgPlot WithXCategories(IReadOnlyList<(double Value, string Label)> ticks)
    {
        xTicks = ticks;
        return this;
    }

    /// <summary>A polyline through the points (non-finite points are left out).</summary>
    public SvgPlot Line(string name, IEnumerable<(double X, double Y)> points, string colour, string? dash = null, bool inLegend = true)
    {
        var list = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        body.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-series=\"{Encode(name)}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.6\"{DashAttribute(dash)} points=\"");
        body.Append(string.Join(' ', list.Select(p => $"{N(Px(p.X))},{N(Py(p.Y))}")));
        body.Append("\"/>");
        Added(name, colour, dash, inLegend);
        return this;
    }

    /// <summary>A right-continuous step curve (Kaplan-Meier): horizontal to each point's x, then vertical to its y.</summary>
    public SvgPlot Step(string name, double startY, IEnumerable<(double X, double Y)> points, string colour, double? endX = null)
    {
        var steps = new List<(double, double)> { (xMin < 0 ? 0 : xMin, startY) };
        var y = startY;
        foreach (var (px, py) in points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)))
        {
            steps.Add((px, y));
            steps.Add((px, py));
            y = py;
        }

        if (endX is { } end && end > steps[^1].Item1)
        {
            steps.Add((end, y));
        }

        return Line(name, steps, colour);
    }

    /// <summary>Vertical bars from 0 (or the bottom of the plot) to each value, centred on x, one series.</summary>
    public SvgPlot Bars(string name, IEnumerable<(double X, double Y, string Colour)> bars, double barWidth)
    {
        var baseline = Math.Clamp(0, yMin, yMax);
        body.Append(CultureInfo.InvariantCulture, $"<g class=\"series\" data-series=\"{Encode(name)}\">");
        foreach (var (x, y, colour) in bars.Where(b => double.IsFinite(b.Y)))
        {
            var (a, b) = (Py(Math.Max(y, baseline)), Py(Math.Min(y, baseline)));
            var w = Math.Max(0.5, (Px(x + (barWidth / 2)) - Px(x - (barWidth / 2))));
            body.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(Px(x) - (w / 2))}\" y=\"{N(a)}\" width=\"{N(w)}\" height=\"{N(Math.Max(0.3, b - a))}\" fill=\"{colour}\"/>");
        }

        body.Append("</g>");
        series++;
        return this;
    }

    /// <summary>Points (circles), one series.</summary>
    public SvgPlot Points(string name, IEnumerable<(double X, double Y)> points, string colour, bool inLegend = true)
    {
        body.Append(CultureInfo.InvariantCulture, $"<g class=\"series\" data-series=\"{Encode(name)}\" fill=\"{colour}\" fill-opacity=\"0.75\">");
        foreach (var (x, y) in points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)))
        {
            body.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(Px(x))}\" cy=\"{N(Py(y))}\" r=\"2.4\"/>");
        }

        body.Append("</g>");
        Added(name, colour, null, inLegend);
        return this;
    }

    /// <summary>A box plot of the values at x (median, quartiles by R's type 7, whiskers to the extremes within 1.5 IQR) with the points jittered beside it.</summary>
    public SvgPlot Box(string name, double x, IReadOnlyList<double> values, string colour, double boxWidth = 0.35)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        body.Append(CultureInfo.InvariantCulture, $"<g class=\"series\" data-series=\"{Encode(name)}\" data-n=\"{sorted.Length}\">");
        if (sorted.Length > 0)
        {
            var (q1, median, q3) = (Quantile(sorted, 0.25), Quantile(sorted, 0.5), Quantile(sorted, 0.75));
            var iqr = q3 - q1;
            var low = sorted.First(v => v >= q1 - (1.5 * iqr));
            var high = sorted.Last(v => v <= q3 + (1.5 * iqr));
            var (l, r) = (Px(x - (boxWidth / 2)), Px(x + (boxWidth / 2)));
            body.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{N(l)}\" y=\"{N(Py(q3))}\" width=\"{N(r - l)}\" height=\"{N(Math.Max(0.3, Py(q1) - Py(q3)))}\" fill=\"{colour}\" fill-opacity=\"0.15\" stroke=\"{colour}\"/>");
            body.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(l)}\" x2=\"{N(r)}\" y1=\"{N(Py(median))}\" y2=\"{N(Py(median))}\" stroke=\"{colour}\" stroke-width=\"2\"/>");
            body.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(Px(x))}\" x2=\"{N(Px(x))}\" y1=\"{N(Py(q3))}\" y2=\"{N(Py(high))}\" stroke=\"{colour}\"/>");
            body.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(Px(x))}\" x2=\"{N(Px(x))}\" y1=\"{N(Py(q1))}\" y2=\"{N(Py(low))}\" stroke=\"{colour}\"/>");
            for (var i = 0; i < sorted.Length; i++)
            {
                // A deterministic jitter (no random numbers: the same data give the same report).
                var dx = ((i * 0.618034) % 1 - 0.5) * boxWidth * 0.8;
                body.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(Px(x + dx))}\" cy=\"{N(Py(sorted[i]))}\" r=\"2\" fill=\"{colour}\" fill-opacity=\"0.6\"/>");
            }
        }

        body.Append("</g>");
        series++;
        return this;
    }

    /// <summary>A vertical marker at x across the whole plot, labelled at the top.</summary>
    public SvgPlot Marker(string name, double x, string colour, string dash = "4 3")
    {
        if (!double.IsFinite(x))
        {
            return this;
        }

        var px = Px(Math.Clamp(x, xMin, xMax));
        body.Append(CultureInfo.InvariantCulture,
            $"<g class=\"marker\" data-marker=\"{Encode(name)}\"><line x1=\"{N(px)}\" x2=\"{N(px)}\" y1=\"{N(Top)}\" y2=\"{N(height - Bottom)}\" stroke=\"{colour}\" stroke-dasharray=\"{dash}\"/>" +
            $"<text x=\"{N(px + 3)}\" y=\"{N(Top + 10)}\" font-size=\"9\" fill=\"{colour}\">{Encode(name)}</text></g>");
        return this;
    }

    /// <summary>The SVG element.</summary>
    public string Render(string figure)
    {
        // The legend goes under the plot (one line per series), where it cannot hide a curve.
        var total = height + (legend.Count * 11) + (legend.Count > 0 ? 4 : 0);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"figure\" data-figure=\"{Encode(figure)}\" data-series-count=\"{series}\" viewBox=\"0 0 {N(width)} {N(total)}\" width=\"{N(width)}\" height=\"{N(total)}\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(width / 2)}\" y=\"16\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\">{Encode(title)}</text>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<rect x=\"{N(Left)}\" y=\"{N(Top)}\" width=\"{N(width - Left - Right)}\" height=\"{N(height - Top - Bottom)}\" fill=\"none\" stroke=\"#9e9e9e\"/>");
        foreach (var (value, label) in xTicks ?? Ticks(xMin, xMax).Select(t => (t, Tick(t))).ToList())
        {
            var px = Px(value);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(px)}\" x2=\"{N(px)}\" y1=\"{N(height - Bottom)}\" y2=\"{N(height - Bottom + 4)}\" stroke=\"#616161\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(px)}\" y=\"{N(height - Bottom + 14)}\" text-anchor=\"middle\" font-size=\"9\">{Encode(label)}</text>");
        }

        foreach (var t in Ticks(yMin, yMax))
        {
            var py = Py(t);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(Left - 4)}\" x2=\"{N(Left)}\" y1=\"{N(py)}\" y2=\"{N(py)}\" stroke=\"#616161\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(Left)}\" x2=\"{N(width - Right)}\" y1=\"{N(py)}\" y2=\"{N(py)}\" stroke=\"#eeeeee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Left - 6)}\" y=\"{N(py + 3)}\" text-anchor=\"end\" font-size=\"9\">{Encode(Tick(t))}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N((Left + width - Right) / 2)}\" y=\"{N(height - 8)}\" text-anchor=\"middle\" font-size=\"10\">{Encode(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"12\" y=\"{N((Top + height - Bottom) / 2)}\" text-anchor=\"middle\" font-size=\"10\" transform=\"rotate(-90 12 {N((Top + height - Bottom) / 2)})\">{Encode(yLabel)}</text>");
        svg.Append(body);
        var ly = height + 2;
        foreach (var (name, colour, dash) in legend)
        {
            var lx = Left;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{N(lx)}\" x2=\"{N(lx + 16)}\" y1=\"{N(ly)}\" y2=\"{N(ly)}\" stroke=\"{colour}\" stroke-width=\"2\"{DashAttribute(dash)}/><text x=\"{N(lx + 20)}\" y=\"{N(ly + 3)}\" font-size=\"9\">{Encode(name)}</text>");
            ly += 11;
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// A colour grid (heatmap): rows top to bottom, columns left to right, values on a blue-white-red scale symmetric about
    /// 0 and capped at ±<paramref name="cap"/>; row labels at the left. One series.
    /// </summary>
    public static string Grid(string figure, string title, IReadOnlyList<string> rowLabels, IReadOnlyList<double[]> values, double cap, double width = 680, double cellHeight = 5)
    {
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(values);
        var columns = values.Count == 0 ? 0 : values.Max(v => v.Length);
        var (left, top) = (40.0, 26.0);
        var cellWidth = columns == 0 ? 0 : (width - left - 10) / columns;
        var height = top + (values.Count * cellHeight) + 24;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"figure\" data-figure=\"{Encode(figure)}\" data-series-count=\"1\" data-rows=\"{values.Count}\" data-columns=\"{columns}\" viewBox=\"0 0 {N(width)} {N(height)}\" width=\"{N(width)}\" height=\"{N(height)}\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title><text x=\"{N(width / 2)}\" y=\"16\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\">{Encode(title)}</text>");
        svg.Append("<g class=\"series\" data-series=\"z-score\">");
        for (var i = 0; i < values.Count; i++)
        {
            for (var j = 0; j < values[i].Length; j++)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{N(left + (j * cellWidth))}\" y=\"{N(top + (i * cellHeight))}\" width=\"{N(cellWidth + 0.2)}\" height=\"{N(cellHeight + 0.2)}\" fill=\"{Diverging(values[i][j], cap)}\"/>");
            }

            if (cellHeight >= 6 || i % Math.Max(1, (int)Math.Ceiling(6 / cellHeight)) == 0)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{N(left - 3)}\" y=\"{N(top + (i * cellHeight) + cellHeight)}\" text-anchor=\"end\" font-size=\"{N(Math.Min(8, Math.Max(4, cellHeight)))}\">{Encode(rowLabels[i])}</text>");
            }
        }

        svg.Append("</g>");
        var by = top + (values.Count * cellHeight) + 6;
        for (var k = 0; k <= 20; k++)
        {
            var v = -cap + (2 * cap * k / 20);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(left + (k * 8))}\" y=\"{N(by)}\" width=\"8\" height=\"8\" fill=\"{Diverging(v, cap)}\"/>");
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{N(left + 176)}\" y=\"{N(by + 7)}\" font-size=\"9\">z-score from {Tick(-cap)} (blue) to {Tick(cap)} (red)</text></svg>");
        return svg.ToString();
    }

    /// <summary>Blue (-cap) through white (0) to red (+cap).</summary>
    public static string Diverging(double value, double cap)
    {
        var t = double.IsFinite(value) ? Math.Clamp(value / cap, -1, 1) : 0;
        var (r, g, b) = t < 0 ? (255 + (t * (255 - 33)), 255 + (t * (255 - 102)), 255 + (t * (255 - 172))) : (255 - (t * (255 - 178)), 255 - (t * (255 - 24)), 255 - (t * (255 - 43)));
        return string.Create(CultureInfo.InvariantCulture, $"#{(int)Math.Round(r):x2}{(int)Math.Round(g):x2}{(int)Math.Round(b):x2}");
    }

    /// <summary>About five round ticks over a range (steps of 1, 2 or 5 times a power of ten).</summary>
    public static IReadOnlyList<double> Ticks(double min, double max)
    {
        var span = max - min;
        if (!(span > 0) || !double.IsFinite(span))
        {
            return [min];
        }

        var raw = span / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var ticks = new List<double>();
        for (var t = Math.Ceiling(min / step) * step; t <= max + (step * 1e-9); t += step)
        {
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        }

        return ticks;
    }

    private static string Tick(double t) => t.ToString("G4", CultureInfo.InvariantCulture);

    private static double Quantile(double[] sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        return lo + 1 >= sorted.Length ? sorted[lo] : sorted[lo] + ((h - lo) * (sorted[lo + 1] - sorted[lo]));
    }

    private void Added(string name, string colour, string? dash, bool inLegend)
    {
        series++;
        if (inLegend)
        {
            legend.Add((name, colour, dash));
        }
    }

    private static (double, double) Widen(double min, double max) =>
        !double.IsFinite(min) || !double.IsFinite(max) ? (0, 1) : max > min ? (min, max) : (min - 0.5, max + 0.5);

    private static string DashAttribute(string? dash) => dash is null ? "" : $" stroke-dasharray=\"{dash}\"";

    private double Px(double x) => Left + ((x - xMin) / (xMax - xMin) * (width - Left - Right));

    private double Py(double y) => height - Bottom - ((y - yMin) / (yMax - yMin) * (height - Top - Bottom));

    private static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
