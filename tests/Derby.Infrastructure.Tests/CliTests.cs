using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Derby.Infrastructure.Tests;

public sealed class CliTests
{
    private static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "derby-cli-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Help_ListsTheCommands()
    {
        var (exit, stdout, _) = await Cli.RunAsync(NewDataDirectory(), null, "--help");

        Assert.Equal(0, exit);
        foreach (var command in new[] { "db", "demo", "users", "import" })
        {
            Assert.Contains($"  {command}", stdout);
        }
    }

    [Fact]
    public async Task DbMigrate_CreatesTheDatabase_ThenFindsNothingToDo()
    {
        var data = NewDataDirectory();

        var first = await Cli.RunAsync(data, null, "db", "migrate");
        var second = await Cli.RunAsync(data, null, "db", "migrate");

        Assert.Equal(0, first.ExitCode);
        Assert.Matches(@"Applied \d+ migration\(s\): ", first.StdOut);
        Assert.Contains("DicomIngestion", first.StdOut);
        Assert.Contains("InitialStudySchema", first.StdOut);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("Database is up to date.", second.StdOut);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "derby.db")}");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM AspNetRoles";
        Assert.Equal(4L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ACommand_OnADatabaseBehindThisVersion_SaysToMigrate_AndMigratingMendsIt()
    {
        // A data folder of an earlier Derby: the study database taken back to the model registry's migration, before the
        // audit chain (which every audited command writes to) and the review workflow.
        await using var study = await StudyDatabase.CreateAsync();
        string[] newer;
        await using (var context = study.Context())
        {
            newer = [.. context.Database.GetMigrations().SkipWhile(m => !m.EndsWith("_ModelRegistry", StringComparison.Ordinal)).Skip(1)];
            await context.Database.GetService<IMigrator>().MigrateAsync(context.Database.GetMigrations().Single(m => m.EndsWith("_ModelRegistry", StringComparison.Ordinal)));
        }

        SqliteConnection.ClearAllPools();
        var behind = await Cli.RunAsync(study.DataDirectory, null, "study", "deidentification", "scrub");
        var migrated = await Cli.RunAsync(study.DataDirectory, null, "db", "migrate");
        var after = await Cli.RunAsync(study.DataDirectory, null, "study", "deidentification", "scrub");

        Assert.True(newer.Length >= 2, string.Join(", ", newer));
        Assert.Equal(1, behind.ExitCode);
        Assert.Contains($"the database lacks {newer.Length} migration(s) of this version of Derby ({newer[0]}", behind.StdErr, StringComparison.Ordinal);
        Assert.Contains("run 'derby db migrate'", behind.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", behind.StdErr, StringComparison.Ordinal);
        Assert.True(migrated.ExitCode == 0, migrated.StdErr);
        Assert.Contains(newer[^1], migrated.StdOut, StringComparison.Ordinal);
        Assert.True(after.ExitCode == 0, after.StdErr);
    }

    [Fact]
    public async Task Demo_PrintsPasswordsOnce_AndNeverDuplicatesTheStudy()
    {
        var data = NewDataDirectory();

        var first = await Cli.RunAsync(data, null, "demo");
        var second = await Cli.RunAsync(data, null, "demo");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Demo study loaded.", first.StdOut);
        Assert.Equal(7, first.StdOut.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s{2}\S+\s+\w+\s+\S{20}$")));
        Assert.Contains("Demo study already loaded.", second.StdOut);
        Assert.Contains("(unchanged: printed when created", second.StdOut);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "derby.db")}");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT (SELECT count(*) FROM Studies), (SELECT count(*) FROM Sites), (SELECT count(*) FROM Cohorts), (SELECT count(*) FROM AspNetUsers)";
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal([1L, 3L, 5L, 7L], [reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)]);
    }

    [Fact]
    public async Task UsersAdd_RefusesAnUnknownRole_WithAMessageOnStandardError()
    {
        var data = NewDataDirectory();
        await Cli.RunAsync(data, null, "db", "migrate");

        var (exit, _, stderr) = await Cli.RunAsync(data, null, "users", "add", "--user", "someone", "--role", "Boss");

        Assert.NotEqual(0, exit);
        Assert.Contains("Unknown role 'Boss'", stderr);
    }

    [Fact]
    public async Task SqlServerProvider_WithoutAConnectionString_FailsFastWithTheReason()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "derby.dll"), "db", "migrate"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["Derby__DataDirectory"] = NewDataDirectory();
        start.Environment["Derby__Database__Provider"] = "SqlServer";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("ConnectionString is required when Derby:Database:Provider is SqlServer", stderr);
    }
}

public sealed class DicomCliTests
{
    private const string Corpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    [Fact]
    public async Task DicomInfo_PrintsExactlyTheContractsFields()
    {
        var (exit, stdout, stderr) = await Cli.RunAsync(Path.GetTempPath(), null, "dicom", "info", Path.Combine(Corpus, "CT_small.dcm"));

        Assert.True(exit == 0, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal(
            ["sop_instance_uid", "series_instance_uid", "study_instance_uid", "modality", "transfer_syntax_uid", "rows", "columns", "bits_allocated",
             "pixel_representation", "number_of_frames", "pixel_spacing", "slice_thickness", "image_position_patient", "image_orientation_patient",
             "rescale_slope", "rescale_intercept", "stored_min", "stored_max", "stored_mean"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(128, json.RootElement.GetProperty("rows").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("number_of_frames").ValueKind);
        Assert.Equal(2, json.RootElement.GetProperty("pixel_spacing").GetArrayLength());
    }

    [Theory]
    [InlineData("README.txt", "not a readable DICOM file")]
    [InlineData("MR_truncated.dcm", "truncated")]
    public async Task DicomInfo_ExitsNonZero_WithTheReasonOnStandardError(string file, string reason)
    {
        var (exit, stdout, stderr) = await Cli.RunAsync(Path.GetTempPath(), null, "dicom", "info", Path.Combine(Corpus, file));

        Assert.NotEqual(0, exit);
        Assert.Empty(stdout);
        Assert.Contains(reason, stderr);
    }
}

/// <summary><c>derby dicom suv</c> and <c>derby dicom check</c> on a synthetic study whose truth is known.</summary>
public sealed class DicomSeriesCliTests : IDisposable
{
    private readonly string study = Path.Combine(Path.GetTempPath(), "derby-cli-dicom", Guid.NewGuid().ToString("N"));
    private readonly Derby.Synthetic.Output.GroundTruth truth;

    public DicomSeriesCliTests()
    {
        truth = new Derby.Synthetic.SyntheticStudyGenerator(new Derby.Imaging.Gdcm.GdcmDicomFileWriter()).Generate(
            new Derby.Synthetic.SyntheticStudyOptions(study, 21, Derby.Synthetic.StudyScale.Small)
            {
                Faults = [Derby.Synthetic.Output.FaultKind.Phi, Derby.Synthetic.Output.FaultKind.MissingDose],
            }).Truth;
    }

    public void Dispose() => Directory.Delete(study, true);

    private string Folder(Derby.Synthetic.Output.PatientTruth p, string modality = "PT") => Path.Combine(study, "sites", p.Site, "dicom", p.Pseudonym, modality);

    [Fact]
    public async Task DicomSuv_GivesTheGeneratorsFactor_ForEverySite()
    {
        var faulty = truth.Faults.Select(f => f.Pseudonym).ToHashSet();
        foreach (var patient in truth.Patients.Where(p => !faulty.Contains(p.Pseudonym)).GroupBy(p => p.Site).Select(g => g.First()))
        {
            var (exit, stdout, stderr) = await Cli.RunAsync(study, null, "dicom", "suv", Folder(patient));

            Assert.True(exit == 0, stderr);
            using var json = System.Text.Json.JsonDocument.Parse(stdout);
            Assert.Equal(patient.Imaging!.SuvFactor, json.RootElement.GetProperty("suv_factor").GetDouble(), patient.Imaging.SuvFactor * 1e-12);
            Assert.Equal(patient.Imaging.Pet.SeriesInstanceUid, json.RootElement.GetProperty("series_instance_uid").GetString());
            Assert.Equal("BQML", json.RootElement.GetProperty("units").GetString());
        }
    }

    [Fact]
    public async Task DicomSuv_NamesTheMissingTag_WhenTheDoseIsMissing()
    {
        var patient = truth.Patients.Single(p => p.Pseudonym == truth.Faults.Single(f => f.Kind == "MissingDose").Pseudonym);

        var (exit, stdout, stderr) = await Cli.RunAsync(study, null, "dicom", "suv", Folder(patient));

        Assert.NotEqual(0, exit);
        Assert.Empty(stdout);
        Assert.Contains("(0018,1074)", stderr);
    }

    [Fact]
    public async Task DicomCheck_RefusesPhi_AndAcceptsACleanCase()
    {
        var phi = truth.Patients.Single(p => p.Pseudonym == truth.Faults.Single(f => f.Kind == "Phi").Pseudonym);
        var clean = truth.Patients.First(p => truth.Faults.All(f => f.Pseudonym != p.Pseudonym));

        var refused = await Cli.RunAsync(study, null, "dicom", "check", Folder(phi), "--pseudonym", phi.Pseudonym);
        var accepted = await Cli.RunAsync(study, null, "dicom", "check", Path.Combine(study, "sites", clean.Site, "dicom", clean.Pseudonym), "--pseudonym", clean.Pseudonym);

        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("Patient's Birth Date present", refused.StdOut);
        Assert.Contains("Burned In Annotation is YES", refused.StdOut);
        Assert.True(accepted.ExitCode == 0, accepted.StdOut);
        Assert.Contains("\"refused\": 0", accepted.StdOut);
    }
}
