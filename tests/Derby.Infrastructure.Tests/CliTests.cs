using Microsoft.Data.Sqlite;

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
        Assert.Contains("Applied 1 migration(s): ", first.StdOut);
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
    public async Task Demo_PrintsPasswordsOnce_AndNeverDuplicatesTheStudy()
    {
        var data = NewDataDirectory();

        var first = await Cli.RunAsync(data, null, "demo");
        var second = await Cli.RunAsync(data, null, "demo");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Demo study loaded.", first.StdOut);
        Assert.Equal(6, first.StdOut.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s{2}\S+\s+\w+\s+\S{20}$")));
        Assert.Contains("Demo study already loaded.", second.StdOut);
        Assert.Contains("(unchanged: printed when created", second.StdOut);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "derby.db")}");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT (SELECT count(*) FROM Studies), (SELECT count(*) FROM Sites), (SELECT count(*) FROM Cohorts), (SELECT count(*) FROM AspNetUsers)";
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal([1L, 3L, 5L, 6L], [reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)]);
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
