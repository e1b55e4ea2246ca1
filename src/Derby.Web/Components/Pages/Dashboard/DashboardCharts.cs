using System.Globalization;
using Derby.Application.Dashboards;
using Derby.Application.Models;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;

namespace Derby.Web.Components.Pages.Dashboard;

/// <summary>The dashboard's Plotly traces and layouts, built from the computed dashboard (never recomputing a statistic).</summary>
public static class DashboardCharts
{
    private static readonly string[] Palette = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00"];

    /// <summary>Colour of a RECIST best response in the waterfall.</summary>
    public static string ResponseColour(string response) => response switch
    {
        "CR" => "#1b5e20",
        "PR" => "#43a047",
        "SD" => "#f9a825",
        _ => "#c62828",
    };

    /// <summary>ROC curves of every model with a curve, and the chance diagonal (Fig. 4C).</summary>
    public static IList<ITrace> Roc(CohortDashboard section)
    {
        var traces = new List<ITrace>();
        var i = 0;
        foreach (var r in section.Roc.Where(r => r.Points.Count > 0))
        {
            var points = r.Points.OrderBy(p => 1 - p.Specificity).ThenBy(p => p.Sensitivity).ToList();
            traces.Add(Line($"{r.Model} (AUC {Format(r.Auc)})", points.Select(p => 1 - p.Specificity), points.Select(p => p.Sensitivity), Palette[i++ % Palette.Length]));
        }

        traces.Add(Line("chance", [0.0, 1.0], [0.0, 1.0], "#9e9e9e", dash: "dot"));
        return traces;
    }

    /// <summary>
    /// Observed response against mean TRS per risk group, with the ideal line. Empty risk groups (ties on a small cohort)
    /// have NaN means: left out, since a non-finite number cannot go to Plotly through JS interop (it ends the circuit).
    /// </summary>
    public static IList<ITrace> Calibration(CalibrationView calibration)
    {
        var bins = calibration.Bins.Where(b => double.IsFinite(b.MeanPredicted) && double.IsFinite(b.Observed)).ToList();
        return
        [
            new Scatter
            {
                Name = "risk groups", Mode = ModeFlag.Markers | ModeFlag.Lines, X = [.. bins.Select(b => (object)b.MeanPredicted)],
                Y = [.. bins.Select(b => (object)b.Observed)], Marker = new Plotly.Blazor.Traces.ScatterLib.Marker { Color = Palette[0] },
            },
            Line("ideal", [0.0, 1.0], [0.0, 1.0], "#9e9e9e", dash: "dot"),
        ];
    }

    /// <summary>Net benefit of the model, treat-all and treat-none (Fig. 6A).</summary>
    public static IList<ITrace> DecisionCurve(DecisionCurveView curve, string model)
    {
        var x = curve.Points.Select(p => p.Threshold).ToList();
        return
        [
            Line(model, x, curve.Points.Select(p => p.NetBenefit), Palette[0]),
            Line("treat all", x, curve.Points.Select(p => p.NetBenefitTreatAll), "#616161", dash: "dash"),
            Line("treat none", x, x.Select(_ => 0.0), "#000000"),
        ];
    }

    /// <summary>Kaplan-Meier step curves, one per predicted group (Fig. 5).</summary>
    public static IList<ITrace> Survival(SurvivalView view)
    {
        var traces = new List<ITrace>();
        foreach (var c in view.Curves)
        {
            var colour = c.Group == DashboardService.PredictedResponders ? Palette[0] : Palette[1];
            traces.Add(new Scatter
            {
                Name = $"{c.Group} (n = {c.Count}, events {c.Events})", Mode = ModeFlag.Lines,
                X = [0.0, .. c.Points.Select(p => (object)p.Time)], Y = [1.0, .. c.Points.Select(p => (object)p.Survival)],
                Line = new Line { Shape = Plotly.Blazor.Traces.ScatterLib.LineLib.ShapeEnum.Hv, Color = colour },
            });
        }

        return traces;
    }

    /// <summary>One bar per patient, TRS in decreasing order, coloured by the true best response (Fig. 4D-F).</summary>
    public static IList<ITrace> Waterfall(IReadOnlyList<WaterfallBar> bars) =>
    [
        new Bar
        {
            Name = "TRS", X = [.. bars.Select(b => (object)b.Pseudonym)], Y = [.. bars.Select(b => (object)b.Trs)],
            Marker = new Plotly.Blazor.Traces.BarLib.Marker { ColorArray = [.. bars.Select(b => (object)ResponseColour(b.BestResponse))] },
            TextArray = [.. bars.Select(b => b.BestResponse)],
        },
    ];

    /// <summary>TRS of responders (CR/PR) and of SD+PD (Fig. 4G).</summary>
    public static IList<ITrace> ByResponse(TrsByResponse view) =>
    [
        new Box { Name = "CR/PR", Y = [.. view.Responders.Select(v => (object)v)], BoxPoints = Plotly.Blazor.Traces.BoxLib.BoxPointsEnum.All, Marker = new Plotly.Blazor.Traces.BoxLib.Marker { Color = "#43a047" } },
        new Box { Name = "SD+PD", Y = [.. view.NonResponders.Select(v => (object)v)], BoxPoints = Plotly.Blazor.Traces.BoxLib.BoxPointsEnum.All, Marker = new Plotly.Blazor.Traces.BoxLib.Marker { Color = "#c62828" } },
    ];

    /// <summary>LASSO path (Supplementary Fig. S1A): each candidate's coefficient against log(lambda), with lambda.min and lambda.1se marked.</summary>
    public static IList<ITrace> LassoPath(LassoCurve curve)
    {
        var x = curve.Lambdas.Select(l => Math.Log(l)).ToList();
        var traces = new List<ITrace>();
        for (var j = 0; j < curve.Candidates.Count; j++)
        {
            var column = j;
            traces.Add(Line(curve.Candidates[j], x, curve.Coefficients.Select(c => c[column]), Palette[j % Palette.Length]));
        }

        var coefficients = curve.Coefficients.SelectMany(c => c).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var (low, high) = (Math.Min(0, coefficients.Min()), Math.Max(0, coefficients.Max()));
        traces.Add(Line("lambda.min", [Math.Log(curve.LambdaMin), Math.Log(curve.LambdaMin)], [low, high], "#616161", dash: "dot"));
        traces.Add(Line("lambda.1se", [Math.Log(curve.Lambda1se), Math.Log(curve.Lambda1se)], [low, high], "#212121", dash: "dash"));
        return traces;
    }

    /// <summary>The LASSO's cross-validated deviance against log(lambda), with one standard error either side.</summary>
    public static IList<ITrace> LassoCrossValidation(LassoCurve curve)
    {
        var points = curve.Lambdas.Select((l, i) => (x: Math.Log(l), m: curve.MeanDeviance[i], se: curve.StandardError[i])).Where(p => double.IsFinite(p.m)).ToList();
        return
        [
            new Scatter
            {
                Name = "mean deviance ± 1 SE", Mode = ModeFlag.Markers, X = [.. points.Select(p => (object)p.x)], Y = [.. points.Select(p => (object)p.m)],
                Marker = new Marker { Color = "#c62828", Size = 6 },
                ErrorY = new ErrorY { Type = Plotly.Blazor.Traces.ScatterLib.ErrorYLib.TypeEnum.Data, Array = [.. points.Select(p => (object)(double.IsFinite(p.se) ? p.se : 0))], Visible = true },
            },
        ];
    }

    /// <summary>Partial dependence of the TRS on one input (Fig. 3D).</summary>
    public static IList<ITrace> PartialDependence(Derby.Learning.Forest.PartialDependenceCurve curve, int index) =>
        [Line(curve.Column, curve.Grid, curve.MeanScore, Palette[index % Palette.Length])];

    /// <summary>
    /// The deep-feature heatmap (Fig. 3C): patients (rows, in clustering order, labelled R for responders and N for the
    /// others) by features (columns, in clustering order), z-scores capped at ±3.
    /// </summary>
    public static IList<ITrace> Heatmap(FeatureHeatmap heatmap)
    {
        var rows = heatmap.RowOrder.ToList();
        var columns = heatmap.ColumnOrder.ToList();
        return
        [
            new HeatMap
            {
                Name = "z-score",
                // A feature constant over the patients has no z-score (NaN): left blank rather than sent as NaN.
                Z = [.. rows.Select(r => (object)columns.Select(c => double.IsFinite(heatmap.Values[r][c]) ? (object)Math.Clamp(heatmap.Values[r][c], -3, 3) : null!).ToArray())],
                X = [.. columns.Select(c => (object)$"f{heatmap.Features[c]}")],
                Y = [.. rows.Select((r, i) => (object)$"{(heatmap.Responders[r] ? "R" : "N")}{i + 1}")],
                ColorScale = "RdBu",
                ZMid = 0,
            },
        ];
    }

    /// <summary>A layout with axis titles.</summary>
    public static Plotly.Blazor.Layout Layout(string title, string x, string y, bool unit = false, int height = 340) => new()
    {
        Title = new Plotly.Blazor.LayoutLib.Title { Text = title },
        Height = height,
        Margin = new Plotly.Blazor.LayoutLib.Margin { L = 50, R = 10, T = 40, B = 50 },
        XAxis = [new Plotly.Blazor.LayoutLib.XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = x }, Range = unit ? [0.0, 1.0] : null }],
        YAxis = [new Plotly.Blazor.LayoutLib.YAxis { Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = y }, Range = unit ? [0.0, 1.0] : null }],
    };

    /// <summary>No mode bar link to plotly's site; fits its container.</summary>
    public static Plotly.Blazor.Config Config() => new() { Responsive = true, DisplayLogo = false };

    /// <summary>Three decimals, invariant; a dash for none.</summary>
    public static string Format(double? value) => DashboardFormat.Number(value);

    /// <summary>A line through the finite points only: Plotly.Blazor cannot serialise NaN or infinity, and one would end the circuit.</summary>
    private static Scatter Line(string name, IEnumerable<double> x, IEnumerable<double> y, string colour, string? dash = null)
    {
        var points = x.Zip(y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        return new()
        {
            Name = name, Mode = ModeFlag.Lines, X = [.. points.Select(p => (object)p.First)], Y = [.. points.Select(p => (object)p.Second)],
            Line = new Line { Color = colour, Dash = dash },
        };
    }
}
