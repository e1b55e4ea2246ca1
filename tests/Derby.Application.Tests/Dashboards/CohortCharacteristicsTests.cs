using Derby.Application.Dashboards;
using Derby.Domain;

namespace Derby.Application.Tests.Dashboards;

/// <summary>
/// Table 1 on two small cohorts whose tests were computed in R 4.2 (reference values below, with the R code):
/// chisq.test for categories, wilcox.test for continuous factors.
/// </summary>
public sealed class CohortCharacteristicsTests
{
    // R:
    //   chisq.test(matrix(c(4,8,7,3), nrow=2, byrow=TRUE))                        # sex: X-squared 1.65, p 0.198958931092402
    //   ceaA <- c(2,3,10,20,50,100,150,250,300,400,4,199); ceaB <- c(1,6,7,8,9,201,500,600,700,4.9)
    //   chisq.test(rbind(table(cut(ceaA, c(-Inf,5,200,Inf), right=FALSE)), table(cut(ceaB, c(-Inf,5,200,Inf), right=FALSE))))
    //                                                                              # 0.565714285714286, p 0.753627441233041
    //   wilcox.test(ageA, ageB)                                                    # W 73, p 0.417582417582418 (exact)
    //   wilcox.test(suvA, suvB)                                                    # W 81, p 0.180194418584511 (exact)
    private static readonly double[] CeaA = [2, 3, 10, 20, 50, 100, 150, 250, 300, 400, 4, 199];
    private static readonly double[] CeaB = [1, 6, 7, 8, 9, 201, 500, 600, 700, 4.9];
    private static readonly int[] AgeA = [30, 41, 45, 52, 55, 58, 60, 61, 66, 70, 72, 75];
    private static readonly int[] AgeB = [29, 33, 38, 47, 49, 53, 57, 67, 68, 78];
    private static readonly double[] SuvA = [5.5, 6.1, 7.2, 8.8, 9.9, 10.4, 11.1, 12.5, 13.3, 15.0, 17.2, 20.1];
    private static readonly double[] SuvB = [4.1, 4.9, 6.6, 7.7, 8.1, 9.2, 10.0, 10.8, 12.2, 14.4];

    private static List<PatientCharacteristics> Cohort(int females, double[] cea, int[] age, double[] suv, int responders) =>
        [.. Enumerable.Range(0, cea.Length).Select(i => new PatientCharacteristics(Guid.NewGuid(),
            new ClinicalRecord { Sex = i < females ? Sex.Female : Sex.Male, CeaNgPerMl = cea[i], AgeYears = age[i], SuvMax = suv[i], ClinicalRiskScore = 1, Ca199UPerMl = 10 },
            null, i < responders ? new Outcome { BestResponse = RecistResponse.PartialResponse } : null))];

    private static CohortCharacteristics Build() => CohortCharacteristicsBuilder.Build(
    [
        ("external-validation", "External validation", CohortKind.ExternalValidation, Cohort(7, CeaB, AgeB, SuvB, 0)),
        ("training", "Training", CohortKind.Training, Cohort(4, CeaA, AgeA, SuvA, 5)),
    ]);

    private static Characteristic Variable(CohortCharacteristics table, string name) => table.Variables.Single(v => v.Name == name);

    [Fact]
    public void Tests_AgainstTheTrainingCohort_EqualRsChisqTestAndWilcoxTest()
    {
        var table = Build();

        Assert.Equal("training", table.Reference);
        var sex = Assert.Single(Variable(table, "Sex").Tests);
        Assert.Equal(("external-validation", CohortCharacteristicsBuilder.ChiSquare), (sex.Cohort, sex.Test));
        Assert.Equal(1.65, sex.Statistic!.Value, 10);
        Assert.Equal(0.198958931092402, sex.P!.Value, 10);
        var cea = Assert.Single(Variable(table, "Preop. CEA, ng/ml").Tests);
        Assert.Equal(0.565714285714286, cea.Statistic!.Value, 10);
        Assert.Equal(0.753627441233041, cea.P!.Value, 10);
        var age = Assert.Single(Variable(table, "Age, years").Tests);
        Assert.Equal((CohortCharacteristicsBuilder.MannWhitney, 73.0), (age.Test, age.Statistic!.Value));
        Assert.Equal(0.417582417582418, age.P!.Value, 10);
        var suv = Assert.Single(Variable(table, "SUVmax").Tests);
        Assert.Equal(81.0, suv.Statistic!.Value);
        Assert.Equal(0.180194418584511, suv.P!.Value, 10);
    }

    [Fact]
    public void Cells_CountAndSummarise_AsThePaperWritesThem()
    {
        var table = Build();

        Assert.Equal(["external-validation", "training"], table.Columns.Select(c => c.Cohort));
        Assert.Equal([10, 12], table.Columns.Select(c => c.Patients));
        var cea = Variable(table, "Preop. CEA, ng/ml");
        Assert.Equal(["<5", "5-199", "≥200"], cea.Rows.Select(r => r.Label));
        // The same cut as R's table(cut(x, c(-Inf, 5, 200, Inf), right = FALSE)): training 3 / 6 / 3, external 2 / 4 / 4.
        Assert.Equal([2, 4, 4], cea.Rows.Select(r => r.Cells[0].Count!.Value));
        Assert.Equal([3, 6, 3], cea.Rows.Select(r => r.Cells[1].Count!.Value));
        Assert.Equal(25.0, cea.Rows[0].Cells[1].Percent!.Value, 12);
        var age = Variable(table, "Age, years");
        Assert.Equal([CohortCharacteristicsBuilder.MedianRange, ">65"], age.Rows.Select(r => r.Label));
        Assert.Equal((51.0, 29.0, 78.0), (age.Rows[0].Cells[0].Median!.Value, age.Rows[0].Cells[0].Min!.Value, age.Rows[0].Cells[0].Max!.Value));
        Assert.Equal(59.0, age.Rows[0].Cells[1].Median!.Value);
        Assert.Equal([3, 4], age.Rows[1].Cells.Select(c => c.Count!.Value));
        var suv = Variable(table, "SUVmax").Rows.Single();
        // R: mean(suvA) 11.425, sd(suvA) 4.44913168239295; mean(suvB) 8.8, sd(suvB) 3.20347034046239.
        Assert.Equal(11.425, suv.Cells[1].Mean!.Value, 12);
        Assert.Equal(4.44913168239295, suv.Cells[1].Sd!.Value, 12);
        Assert.Equal(3.20347034046239, suv.Cells[0].Sd!.Value, 12);
    }

    [Fact]
    public void Unknowns_AndOneCategory_SayWhyInsteadOfAPValue()
    {
        var table = Build();

        // Nobody has biopsy scores: no values, no test.
        var pkm = Variable(table, "PKM score");
        Assert.All(pkm.Rows.Single().Cells, c => Assert.Equal((0, null), (c.Known, c.Mean)));
        Assert.Contains("at least 2 each", Assert.Single(pkm.Tests).Reason);
        // Every patient of both cohorts has a risk score of 0-2.
        var risk = Assert.Single(Variable(table, "Clinical risk score").Tests);
        Assert.Null(risk.P);
        Assert.Contains("every patient of both cohorts is 0-2", risk.Reason);
        // Distribution was never entered (no category): unknown everywhere.
        Assert.Contains("no known values", Assert.Single(Variable(table, "Distribution of liver metastases").Tests).Reason);
        // Outcomes known for 5 of 12 training patients, none of the external ones: percentages are of the known.
        var response = Variable(table, "Best response (RECIST 1.1)");
        Assert.Equal((5, 5, 100.0), (response.Rows[0].Cells[1].Known, response.Rows[0].Cells[1].Count!.Value, response.Rows[0].Cells[1].Percent!.Value));
        Assert.Null(response.Rows[0].Cells[0].Percent);
    }

    [Fact]
    public void OneCohort_HasNothingToTestAgainst()
    {
        var table = CohortCharacteristicsBuilder.Build([("training", "Training", CohortKind.Training, Cohort(4, CeaA, AgeA, SuvA, 0))]);

        Assert.Null(table.Reference);
        Assert.All(table.Variables, v => Assert.Empty(v.Tests));
        Assert.Equal(12, table.Variables.Single(v => v.Name == "Sex").Rows.Sum(r => r.Cells[0].Count!.Value));
    }
}
