using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// The import is killed (a real child process, SIGKILL) while its rows are being written; nothing may be left
/// half-written, and running the same command again must finish the import exactly once.
/// </summary>
public sealed class ImportCrashTests
{
    [Theory]
    [InlineData("import.write:2")]   // after 200 of 450 rows are flushed inside the transaction
    [InlineData("import.commit:1")]  // every row and the run's status flushed, the commit not yet made
    public async Task KilledImport_LeavesNoRows_AndTheRerunCompletesItOnce(string killAt)
    {
        await using var db = await StudyDatabase.CreateAsync();
        var file = Path.Combine(db.DataDirectory, "patients.csv");
        await File.WriteAllTextAsync(file, CsvFiles.Patients("ZSH", 450, "training;histology"));

        var killed = await Cli.RunAsync(db.DataDirectory, killAt, "import", "patients", "--site", "ZSH", "--file", file);

        Assert.NotEqual(0, killed.ExitCode);
        Assert.Contains($"fault point '{killAt.Split(':')[0]}' reached", killed.StdErr);
        await using (var ctx = db.Context())
        {
            Assert.Equal(0, await ctx.Patients.CountAsync());
            Assert.Equal(0, await ctx.CohortMemberships.CountAsync());
            var run = await ctx.ImportRuns.SingleAsync();
            Assert.Equal(ImportStatus.Writing, run.Status);
        }

        var rerun = await Cli.RunAsync(db.DataDirectory, null, "import", "patients", "--site", "ZSH", "--file", file);

        Assert.True(rerun.ExitCode == 0, rerun.StdErr);
        Assert.Contains("\"status\": \"succeeded\"", rerun.StdOut);
        await using (var ctx = db.Context())
        {
            Assert.Equal(450, await ctx.Patients.CountAsync());
            Assert.Equal(900, await ctx.CohortMemberships.CountAsync());
            var run = await ctx.ImportRuns.SingleAsync();
            Assert.Equal(ImportStatus.Succeeded, run.Status);
            Assert.Equal(1, await ctx.AuditEvents.CountAsync(a => a.Action == "import.succeeded"));
        }
    }

    [Fact]
    public async Task CliImport_ExitsNonZero_WithTheReasons_WhenTheFileIsRefused()
    {
        await using var db = await StudyDatabase.CreateAsync();
        var file = Path.Combine(db.DataDirectory, "clinical.csv");
        await File.WriteAllTextAsync(file, CsvFiles.Clinical("ZSH", 2));

        var result = await Cli.RunAsync(db.DataDirectory, null, "import", "clinical", "--site", "ZSH", "--file", file);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Unknown patient ZSH-P0001", result.StdOut);
        Assert.Contains("nothing was imported", result.StdErr);
    }
}
