using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Imports;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

public sealed class CsvImportTests
{
    private static AccessScope Coordinator(int siteId) =>
        new("coordinator", new HashSet<string> { DerbyRoles.SiteCoordinator }, new HashSet<int> { siteId });

    private static async Task<(StudyDatabase Db, CsvImportService Imports, int ZshId)> SetUpAsync()
    {
        var db = await StudyDatabase.CreateAsync();
        await using var ctx = db.Context();
        var zsh = await ctx.Sites.SingleAsync(s => s.Code == "ZSH");
        return (db, db.Get<CsvImportService>(), zsh.Id);
    }

    private static async Task<ImportRun> ImportAsync(StudyDatabase db, CsvImportService imports, AccessScope scope, ImportKind kind, string csv, string site = "ZSH")
    {
        var run = await imports.StartAsync(scope, site, kind, $"{kind}.csv", CsvFiles.Stream(csv));
        Assert.Contains(run.Id, db.Jobs.Imports);
        await imports.RunAsync(run.Id);
        return (await imports.GetAsync(AccessScope.System, run.Id))!;
    }

    [Fact]
    public async Task Import_WritesEveryRow_WhenTheFileIsValid()
    {
        var (db, imports, zsh) = await SetUpAsync();
        await using var _ = db;

        var patients = await ImportAsync(db, imports, Coordinator(zsh), ImportKind.Patients, CsvFiles.Patients("ZSH", 30, "training;histology"));
        var clinical = await ImportAsync(db, imports, Coordinator(zsh), ImportKind.Clinical, CsvFiles.Clinical("ZSH", 30));

        Assert.Equal(ImportStatus.Succeeded, patients.Status);
        Assert.Equal(ImportStatus.Succeeded, clinical.Status);
        Assert.Equal(30, clinical.WrittenRows);
        await using var ctx = db.Context();
        Assert.Equal(30, await ctx.Patients.CountAsync());
        Assert.Equal(60, await ctx.CohortMemberships.CountAsync());
        var p7 = await ctx.Patients.Include(p => p.Clinical).SingleAsync(p => p.Pseudonym == "ZSH-P0007");
        Assert.Equal(70, p7.Clinical!.CeaNgPerMl);
        Assert.Equal(LiverDistribution.Unilobar, p7.Clinical.Distribution);
        Assert.Equal(2, await ctx.AuditEvents.CountAsync(a => a.Action == "import.succeeded"));
    }

    [Fact]
    public async Task Import_WritesNothing_AndListsEveryBadRow_WhenAnyRowIsBad()
    {
        var (db, imports, zsh) = await SetUpAsync();
        await using var _ = db;
        await ImportAsync(db, imports, Coordinator(zsh), ImportKind.Patients, CsvFiles.Patients("ZSH", 5));
        var lines = CsvFiles.Clinical("ZSH", 5).TrimEnd('\n').Split('\n').ToList();
        lines[2] = lines[2].Replace(",20,", ",twenty,");        // line 3: CEA is not a number
        lines.Add(lines[1]);                                       // line 7: the first patient again
        lines.Add(lines[1].Replace("ZSH-P0001", "ZSH-P0099"));     // line 8: unknown patient
        var run = await ImportAsync(db, imports, Coordinator(zsh), ImportKind.Clinical, string.Join('\n', lines));

        Assert.Equal(ImportStatus.Rejected, run.Status);
        var errors = CsvImportService.ErrorsOf(run);
        Assert.Equal([3, 7, 8], errors.Select(e => e.Line));
        Assert.Contains("not a number", errors[0].Message);
        Assert.Contains("appears again (first on line 2)", errors[1].Message);
        Assert.Contains("Unknown patient ZSH-P0099", errors[2].Message);
        await using var ctx = db.Context();
        Assert.Equal(0, await ctx.ClinicalRecords.CountAsync());
        Assert.Equal(1, await ctx.AuditEvents.CountAsync(a => a.Action == "import.rejected"));
    }

    [Theory]
    [InlineData("pseudonym,treatment_arm,cohort\nZSH-P0001,folfox,training\n", "Unknown column 'cohort'")]
    [InlineData("pseudonym,cohorts\nZSH-P0001,training\n", "Required column 'treatment_arm' is missing")]
    [InlineData("pseudonym;treatment_arm;cohorts\nZSH-P0001;folfox;training\n", "separated by ';'")]
    [InlineData("pseudonym,treatment_arm,treatment_arm\nZSH-P0001,folfox,folfox\n", "appears twice")]
    [InlineData("pseudonym,treatment_arm,cohorts\n", "no data rows")]
    [InlineData("pseudonym,treatment_arm,cohorts\nZSH-P0001,folfox\n", "has 2 fields; the header has 3")]
    [InlineData("pseudonym,treatment_arm,cohorts\nZSH-P0001,folfox,validation\n", "Unknown cohort 'validation'")]
    [InlineData("pseudonym,treatment_arm,cohorts\nZSHX-P0001,folfox,training\n", "must start with the site code 'ZSH-'")]
    public async Task Import_RefusesAFile_WithAClearReason(string csv, string reason)
    {
        var (db, imports, zsh) = await SetUpAsync();
        await using var _ = db;

        var run = await ImportAsync(db, imports, Coordinator(zsh), ImportKind.Patients, csv);

        Assert.Equal(ImportStatus.Rejected, run.Status);
        Assert.Contains(CsvImportService.ErrorsOf(run), e => e.Message.Contains(reason));
        await using var ctx = db.Context();
        Assert.Equal(0, await ctx.Patients.CountAsync());
    }

    [Fact]
    public async Task Import_RefusesWrongEncoding_AndWritesNothing()
    {
        var (db, imports, zsh) = await SetUpAsync();
        await using var _ = db;
        var latin1 = System.Text.Encoding.Latin1.GetBytes("pseudonym,treatment_arm,cohorts\nZSH-P0001,folfox,training\nZSH-P0002,folfox,entraînement\n");

        var run = await imports.StartAsync(Coordinator(zsh), "ZSH", ImportKind.Patients, "latin1.csv", new MemoryStream(latin1));
        await imports.RunAsync(run.Id);
        run = (await imports.GetAsync(AccessScope.System, run.Id))!;

        Assert.Equal(ImportStatus.Rejected, run.Status);
        var error = Assert.Single(CsvImportService.ErrorsOf(run));
        Assert.Equal(3, error.Line);
        Assert.Contains("UTF-8", error.Message);
    }

    [Fact]
    public async Task Import_NeverDuplicates_WhenTheSameFileOrJobRunsAgain()
    {
        var (db, imports, zsh) = await SetUpAsync();
        await using var _ = db;
        var csv = CsvFiles.Patients("ZSH", 12, "training");

        var first = await ImportAsync(db, imports, Coordinator(zsh), ImportKind.Patients, csv);
        await imports.RunAsync(first.Id);   // the job runs again (a retry): nothing changes
        var second = await ImportAsync(db, imports, Coordinator(zsh), ImportKind.Patients, csv);
        var moved = await ImportAsync(db, imports, Coordinator(zsh), ImportKind.Patients, CsvFiles.Patients("ZSH", 12, "internal-validation"));

        Assert.All([first, second, moved], r => Assert.Equal(ImportStatus.Succeeded, r.Status));
        await using var ctx = db.Context();
        Assert.Equal(12, await ctx.Patients.CountAsync());
        var memberships = await ctx.CohortMemberships.Include(m => m.Cohort).ToListAsync();
        Assert.Equal(12, memberships.Count);
        Assert.All(memberships, m => Assert.Equal("internal-validation", m.Cohort!.Code));
    }

    [Fact]
    public async Task Start_ReturnsTheRunInFlight_WhenTheSameFileIsSentTwice()
    {
        var (db, imports, zsh) = await SetUpAsync();
        await using var _ = db;
        var csv = CsvFiles.Patients("ZSH", 3);

        var a = await imports.StartAsync(Coordinator(zsh), "ZSH", ImportKind.Patients, "p.csv", CsvFiles.Stream(csv));
        var b = await imports.StartAsync(Coordinator(zsh), "ZSH", ImportKind.Patients, "p.csv", CsvFiles.Stream(csv));

        Assert.Equal(a.Id, b.Id);
        Assert.Single(db.Jobs.Imports);
    }

    [Fact]
    public async Task Start_HidesOtherSites_AndForbidsReaders()
    {
        var (db, imports, zsh) = await SetUpAsync();
        await using var _ = db;
        var pi = new AccessScope("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());

        await Assert.ThrowsAsync<NotFoundException>(() =>
            imports.StartAsync(Coordinator(zsh), "HWMU", ImportKind.Patients, "p.csv", CsvFiles.Stream(CsvFiles.Patients("HWMU", 1))));
        await Assert.ThrowsAsync<ForbiddenException>(() =>
            imports.StartAsync(pi, "ZSH", ImportKind.Patients, "p.csv", CsvFiles.Stream(CsvFiles.Patients("ZSH", 1))));
        Assert.Empty(db.Jobs.Imports);
    }

    [Fact]
    public async Task Start_RefusesOversizeFiles_BeforeStoringThem()
    {
        var (db, imports, zsh) = await SetUpAsync();
        await using var _ = db;
        var big = new MemoryStream(new byte[CsvImportService.MaxFileBytes + 1]);

        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => imports.StartAsync(Coordinator(zsh), "ZSH", ImportKind.Patients, "big.csv", big));

        Assert.Contains("larger than", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(db.DataDirectory, "imports")) && Directory.EnumerateFiles(Path.Combine(db.DataDirectory, "imports")).Any());
    }
}
