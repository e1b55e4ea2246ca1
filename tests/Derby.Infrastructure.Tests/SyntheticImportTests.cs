using Derby.Application.Access;
using Derby.Application.Imports;
using Derby.Domain;
using Derby.Synthetic;
using Derby.Synthetic.Output;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

/// <summary>The generator writes exactly the platform's import formats: a whole paper-scale study imports without one refused row.</summary>
public sealed class SyntheticImportTests
{
    [Fact]
    public void GeneratorHeaders_AreTheImportFormats()
    {
        Assert.Equal(CsvTables.PatientsHeader, ImportFormat.Patients.HeaderLine);
        Assert.Equal(CsvTables.ClinicalHeader, ImportFormat.Clinical.HeaderLine);
        Assert.Equal(CsvTables.IhcHeader, ImportFormat.Ihc.HeaderLine);
        Assert.Equal(CsvTables.OutcomesHeader, ImportFormat.Outcomes.HeaderLine);
    }

    [Fact]
    public async Task PaperScaleStudy_ImportsCompletely_IntoTheDemoStudy()
    {
        await using var db = await StudyDatabase.CreateAsync();
        var folder = Path.Combine(db.DataDirectory, "synthetic");
        var result = new SyntheticStudyGenerator(new NoDicom()).Generate(new SyntheticStudyOptions(folder, 3, StudyScale.Paper) { Images = false });
        var imports = db.Get<CsvImportService>();

        foreach (var site in new[] { "ZSH", "ZSHX", "HWMU" })
        {
            foreach (var format in ImportFormat.All)
            {
                await using var stream = File.OpenRead(Path.Combine(folder, "sites", site, format.FileName));
                var run = await imports.StartAsync(AccessScope.System, site, format.Kind, format.FileName, stream);
                await imports.RunAsync(run.Id);
                run = (await imports.GetAsync(AccessScope.System, run.Id))!;
                Assert.True(run.Status == ImportStatus.Succeeded, $"{site} {format.FileName}: {string.Join("; ", CsvImportService.ErrorsOf(run).Take(5))}");
            }
        }

        await using var ctx = db.Context();
        Assert.Equal(result.Patients, await ctx.Patients.CountAsync());
        Assert.Equal(307, result.Patients);
        Assert.Equal(307, await ctx.ClinicalRecords.CountAsync());
        Assert.Equal(82 + 102 + 37, await ctx.BiopsyScores.CountAsync());
        Assert.Equal(307, await ctx.Outcomes.CountAsync());
        var counts = await ctx.CohortMemberships.GroupBy(m => m.Cohort!.Code).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count);
        Assert.Equal(103, counts["training"]);
        Assert.Equal(65, counts["internal-validation"]);
        Assert.Equal(82, counts["histology"]);
        Assert.Equal(102, counts["external-validation"]);
        Assert.Equal(37, counts["negative-validation"]);
        Assert.Equal(46, await ctx.Patients.CountAsync(p => p.Cohorts.Any(c => c.Cohort!.Code == "external-validation")
            && (p.Outcome!.BestResponse == RecistResponse.PartialResponse || p.Outcome.BestResponse == RecistResponse.CompleteResponse)));
    }

    private sealed class NoDicom : Derby.Imaging.Dicom.IDicomFileWriter
    {
        public void Write(Derby.Imaging.Dicom.DicomDataset dataset, string path) => throw new InvalidOperationException("no images were asked for");
    }
}
