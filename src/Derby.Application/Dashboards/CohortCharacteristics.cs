using Derby.Domain;
using Derby.Statistics;

namespace Derby.Application.Dashboards;

/// <summary>
/// The paper's Table 1 for the cohorts shown: per cohort the counts and percentages of each category (of the patients
/// whose value is known) or the mean ± SD / median (range) of each continuous factor, and each cohort tested against the
/// reference cohort (the training cohort): Pearson's chi-square for categories (R's <c>chisq.test</c>, Yates for 2 x 2),
/// Mann-Whitney for continuous factors (R's <c>wilcox.test</c> with its defaults).
/// </summary>
/// <param name="Columns">The cohorts, in the dashboard's order.</param>
/// <param name="Reference">The cohort every other one is tested against; null when there is none (one cohort, or none shown).</param>
/// <param name="Variables">The characteristics, in the paper's order.</param>
/// <param name="Note">How to read the tests (overlapping cohorts are not independent samples).</param>
public sealed record CohortCharacteristics(IReadOnlyList<CharacteristicsColumn> Columns, string? Reference, IReadOnlyList<Characteristic> Variables, string Note);

/// <summary>One cohort of Table 1 with its number of patients.</summary>
public sealed record CharacteristicsColumn(string Cohort, string Name, int Patients);

/// <summary>
/// One characteristic: its rows (the categories, or one row of a continuous summary) and its test of each cohort against
/// the reference. Summary: "n (%)", "mean ± SD" or "median (range)".
/// </summary>
public sealed record Characteristic(string Name, string Summary, IReadOnlyList<CharacteristicRow> Rows, IReadOnlyList<CharacteristicTest> Tests);

/// <summary>A row of a characteristic: a category, or the summary of a continuous factor.</summary>
public sealed record CharacteristicRow(string Label, IReadOnlyList<CharacteristicCell> Cells);

/// <summary>
/// One cohort's cell: Known = patients with a value; Count and Percent (of Known) for a category; Mean, Sd, Median, Min and
/// Max for a continuous factor (null where there is no value).
/// </summary>
public sealed record CharacteristicCell(string Cohort, int Known, int? Count, double? Percent, double? Mean, double? Sd, double? Median, double? Min, double? Max);

/// <summary>A cohort against the reference: the test's name, statistic and p-value, or why it cannot be done.</summary>
public sealed record CharacteristicTest(string Cohort, string Test, double? Statistic, double? P, string? Reason);

/// <summary>What Table 1 reads of one patient (null where unknown).</summary>
public sealed record PatientCharacteristics(Guid PatientId, ClinicalRecord? Clinical, BiopsyScores? Biopsy, Outcome? Outcome);

/// <summary>Builds <see cref="CohortCharacteristics"/> from the cohorts' patients, with the statistics engine only.</summary>
public static class CohortCharacteristicsBuilder
{
    /// <summary>The continuous summaries.</summary>
    public const string CountPercent = "n (%)", MeanSd = "mean ± SD", MedianRange = "median (range)";

    /// <summary>The tests.</summary>
    public const string ChiSquare = "chi-square", MannWhitney = "Mann-Whitney";

    private sealed record Categorical(string Name, IReadOnlyList<string> Levels, Func<PatientCharacteristics, string?> Level);

    private sealed record Continuous(string Name, string Summary, Func<PatientCharacteristics, double?> Value, (string Label, Func<double, bool> Test)? Cut = null);

    private static readonly object[] Variables =
    [
        new Categorical("Sex", ["Female", "Male"], p => p.Clinical?.Sex switch { Sex.Female => "Female", Sex.Male => "Male", _ => null }),
        new Continuous("Age, years", MedianRange, p => p.Clinical?.AgeYears, (">65", age => age > 65)),
        new Categorical("Preop. CEA, ng/ml", ["<5", "5-199", "≥200"],
            p => p.Clinical is { } c ? c.CeaNgPerMl < 5 ? "<5" : c.CeaNgPerMl < 200 ? "5-199" : "≥200" : null),
        new Categorical("Preop. CA19-9, U/ml", ["<200", "≥200"], p => p.Clinical is { } c ? c.Ca199UPerMl < 200 ? "<200" : "≥200" : null),
        new Categorical("Clinical risk score", ["0-2", "3-5"], p => p.Clinical is { } c ? c.ClinicalRiskScore <= 2 ? "0-2" : "3-5" : null),
        new Categorical("Primary tumour site", ["Right-sided", "Left-sided"],
            p => p.Clinical?.PrimarySite switch { PrimarySite.Right => "Right-sided", PrimarySite.Left => "Left-sided", _ => null }),
        new Categorical("No. of liver metastases", ["<3", "≥3"], p => p.Clinical is { } c ? c.LiverMetastasisCount < 3 ? "<3" : "≥3" : null),
        new Categorical("Maximum size of metastases, cm", ["<5", "≥5"], p => p.Clinical is { } c ? c.LargestDiameterCm < 5 ? "<5" : "≥5" : null),
        new Categorical("Distribution of liver metastases", ["Unilobar", "Bilobar"],
            p => p.Clinical?.Distribution switch { LiverDistribution.Unilobar => "Unilobar", LiverDistribution.Bilobar => "Bilobar", _ => null }),
        new Continuous("SUVmax", MeanSd, p => p.Clinical?.SuvMax),
        new Continuous("PKM score", MeanSd, p => p.Biopsy?.PkmScore),
        new Continuous("GLUT1 score", MeanSd, p => p.Biopsy?.Glut1Score),
        new Categorical("Best response (RECIST 1.1)", ["CR+PR", "SD+PD"], p => p.Outcome is { } o ? o.IsResponder ? "CR+PR" : "SD+PD" : null),
    ];

    /// <summary>Table 1 of <paramref name="cohorts"/> (code, name, kind and patients), tested against the first training cohort (else the first cohort).</summary>
    public static CohortCharacteristics Build(IReadOnlyList<(string Code, string Name, CohortKind Kind, IReadOnlyList<PatientCharacteristics> Patients)> cohorts)
    {
        ArgumentNullException.ThrowIfNull(cohorts);
        var reference = cohorts.Count < 2 ? null : (cohorts.FirstOrDefault(c => c.Kind == CohortKind.Training).Code ?? cohorts[0].Code);
        var referencePatients = reference is null ? [] : cohorts.First(c => c.Code == reference).Patients;
        var others = cohorts.Where(c => c.Code != reference).ToList();
        var variables = new List<Characteristic>();
        foreach (var variable in Variables)
        {
            if (variable is Categorical categorical)
            {
                var rows = categorical.Levels.Select(level => new CharacteristicRow(level, cohorts.Select(c =>
                {
                    var known = c.Patients.Select(categorical.Level).Where(v => v is not null).ToList();
                    var count = known.Count(v => v == level);
                    return new CharacteristicCell(c.Code, known.Count, count, known.Count == 0 ? null : 100.0 * count / known.Count, null, null, null, null, null);
                }).ToList())).ToList();
                var tests = reference is null ? [] : others.Select(c => ChiSquareAgainst(c.Code, referencePatients, c.Patients, categorical)).ToList();
                variables.Add(new Characteristic(categorical.Name, CountPercent, rows, tests));
            }
            else
            {
                var continuous = (Continuous)variable;
                var values = cohorts.ToDictionary(c => c.Code, c => c.Patients.Select(continuous.Value).OfType<double>().ToArray());
                var rows = new List<CharacteristicRow>
                {
                    new(continuous.Summary, cohorts.Select(c => Summarise(c.Code, values[c.Code])).ToList()),
                };
                if (continuous.Cut is { } cut)
                {
                    rows.Add(new CharacteristicRow(cut.Label, cohorts.Select(c =>
                    {
                        var v = values[c.Code];
                        var count = v.Count(cut.Test);
                        return new CharacteristicCell(c.Code, v.Length, count, v.Length == 0 ? null : 100.0 * count / v.Length, null, null, null, null, null);
                    }).ToList()));
                }

                var tests = reference is null ? [] : others.Select(c => MannWhitneyAgainst(c.Code, values[reference], values[c.Code])).ToList();
                variables.Add(new Characteristic(continuous.Name, continuous.Summary, rows, tests));
            }
        }

        var note = reference is null
            ? "One cohort shown: nothing to test it against."
            : $"Each cohort is tested against {reference}: chi-square for categories, Mann-Whitney for continuous factors; percentages are of the patients with a known value. " +
              "Patients who belong to both cohorts of a test (e.g. the histology cohort, drawn from the training and validation cohorts) make the samples dependent: read those p-values as descriptive.";
        return new CohortCharacteristics(cohorts.Select(c => new CharacteristicsColumn(c.Code, c.Name, c.Patients.Count)).ToList(), reference, variables, note);
    }

    private static CharacteristicCell Summarise(string cohort, double[] v)
    {
        if (v.Length == 0)
        {
            return new CharacteristicCell(cohort, 0, null, null, null, null, null, null, null);
        }

        var mean = v.Average();
        double? sd = v.Length < 2 ? null : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        var sorted = v.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new CharacteristicCell(cohort, v.Length, null, null, mean, sd, median, sorted[0], sorted[^1]);
    }

    private static CharacteristicTest ChiSquareAgainst(string cohort, IReadOnlyList<PatientCharacteristics> reference, IReadOnlyList<PatientCharacteristics> patients,
        Categorical variable)
    {
        var a = reference.Select(variable.Level).OfType<string>().ToList();
        var b = patients.Select(variable.Level).OfType<string>().ToList();
        // Categories nobody in either cohort has would make an expected count of zero: they are left out, as R's table() does.
        var levels = variable.Levels.Where(l => a.Contains(l) || b.Contains(l)).ToList();
        if (a.Count == 0 || b.Count == 0)
        {
            return new CharacteristicTest(cohort, ChiSquare, null, null, $"not estimable: no known values in {(a.Count == 0 ? "the reference cohort" : cohort)}");
        }

        if (levels.Count < 2)
        {
            return new CharacteristicTest(cohort, ChiSquare, null, null, $"not estimable: every patient of both cohorts is {levels[0]}");
        }

        var table = new double[2, levels.Count];
        for (var j = 0; j < levels.Count; j++)
        {
            table[0, j] = a.Count(v => v == levels[j]);
            table[1, j] = b.Count(v => v == levels[j]);
        }

        var result = ChiSquareTest.Compute(table);
        return new CharacteristicTest(cohort, ChiSquare, result.ChiSquare, result.P, null);
    }

    private static CharacteristicTest MannWhitneyAgainst(string cohort, double[] reference, double[] values)
    {
        if (reference.Length < 2 || values.Length < 2)
        {
            return new CharacteristicTest(cohort, MannWhitney, null, null,
                $"not estimable: {reference.Length} known value{(reference.Length == 1 ? "" : "s")} in the reference cohort and {values.Length} in {cohort} (at least 2 each needed)");
        }

        var result = MannWhitneyTest.Compute(reference, values);
        return double.IsNaN(result.P)
            ? new CharacteristicTest(cohort, MannWhitney, null, null, "not estimable: every value is the same")
            : new CharacteristicTest(cohort, MannWhitney, result.Statistic, result.P, null);
    }
}
