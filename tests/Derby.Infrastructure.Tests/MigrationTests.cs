using Derby.Infrastructure.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Derby.Infrastructure.Tests;

public sealed class MigrationTests
{
    private static DerbyDbContext SqlServerContext()
    {
        var options = new DbContextOptionsBuilder<DerbyDbContext>();
        DatabaseConfiguration.Configure(options, new DerbyOptions
        {
            // Never contacted: the model and scripts are built offline.
            Database = { Provider = DatabaseProvider.SqlServer, ConnectionString = "Server=127.0.0.1,1;Database=Derby;Connect Timeout=1" },
        });
        return new DerbyDbContext(options.Options);
    }

    [Fact]
    public async Task SqliteMigrations_CreateEveryTable_FromAnEmptyDatabase_AndApplyOnlyOnce()
    {
        await using var db = await StudyDatabase.CreateAsync(withDemoStudy: false);
        await using var context = db.Context();

        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await context.Database.GetAppliedMigrationsAsync());

        await using var connection = new SqliteConnection(context.Database.GetConnectionString());
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var entity in context.Model.GetEntityTypes())
        {
            Assert.Contains(entity.GetTableName()!, tables);
        }

        // A second run finds nothing to do.
        var again = await db.Get<DatabaseInitializer>().MigrateAsync();
        Assert.Empty(again);
    }

    [Fact]
    public async Task SqliteModel_HasNoChangesMissingAMigration()
    {
        await using var db = await StudyDatabase.CreateAsync(withDemoStudy: false);
        await using var context = db.Context();

        Assert.False(context.Database.HasPendingModelChanges(),
            "The model differs from the SQLite snapshot: add a migration to migrations/Derby.Migrations.Sqlite");
    }

    [Fact]
    public void SqlServerModel_HasNoChangesMissingAMigration()
    {
        using var context = SqlServerContext();

        Assert.False(context.Database.HasPendingModelChanges(),
            "The model differs from the SQL Server snapshot: add a migration to migrations/Derby.Migrations.SqlServer");
    }

    [Fact]
    public void SqlServerAndSqlite_HaveTheSameMigrations()
    {
        using var sqlServer = SqlServerContext();
        var sqliteAssembly = typeof(Derby.Migrations.Sqlite.DesignTimeDbContextFactory).Assembly;
        var sqliteNames = sqliteAssembly.GetTypes()
            .Where(t => t.GetCustomAttributes(typeof(MigrationAttribute), false).Length > 0)
            .Select(t => ((MigrationAttribute)t.GetCustomAttributes(typeof(MigrationAttribute), false)[0]).Id[15..])
            .Order().ToList();
        var sqlServerNames = sqlServer.Database.GetMigrations().Select(m => m[15..]).Order().ToList();

        Assert.Equal(sqliteNames, sqlServerNames);
    }

    /// <summary>
    /// The idempotent SQL Server script is generated from the migrations and committed, so a DBA can review and apply
    /// it (deploy guide). The committed copy must equal what the migrations generate now; set DERBY_UPDATE_SCRIPTS=1 to rewrite it.
    /// </summary>
    [Fact]
    public void SqlServerIdempotentScript_IsGenerated_AndMatchesTheCommittedCopy()
    {
        using var context = SqlServerContext();
        var script = context.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent).ReplaceLineEndings("\n");

        foreach (var migration in context.Database.GetMigrations())
        {
            Assert.Contains($"WHERE [MigrationId] = N'{migration}'", script);
        }

        Assert.Contains("CREATE TABLE [Patients]", script);
        Assert.Contains("CREATE UNIQUE INDEX [IX_Patients_Pseudonym]", script);

        var committed = Path.Combine(RepositoryRoot(), "migrations", "Derby.Migrations.SqlServer", "Scripts", "idempotent.sql");
        if (Environment.GetEnvironmentVariable("DERBY_UPDATE_SCRIPTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(committed)!);
            File.WriteAllText(committed, script);
        }

        Assert.True(File.Exists(committed), $"{committed} is missing: run the tests once with DERBY_UPDATE_SCRIPTS=1");
        Assert.Equal(File.ReadAllText(committed).ReplaceLineEndings("\n"), script);
    }

    [Fact]
    public void PatientTable_HasNoColumnForDirectIdentifiers()
    {
        using var context = SqlServerContext();
        string[] forbidden = ["name", "birth", "dob", "mrn", "hospitalnumber", "address", "phone", "email", "ssn", "nationalid"];
        var patientTables = new[] { typeof(Derby.Domain.Patient), typeof(Derby.Domain.ClinicalRecord), typeof(Derby.Domain.BiopsyScores), typeof(Derby.Domain.Outcome) };

        foreach (var type in patientTables)
        {
            var entity = context.Model.FindEntityType(type)!;
            foreach (var column in entity.GetProperties().Select(p => p.Name.ToLowerInvariant()))
            {
                Assert.DoesNotContain(forbidden, f => column.Contains(f));
            }
        }
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Derby.Web.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Derby.Web.sln not found above the test binaries");
    }
}

/// <summary>Upgrading a database with data in it, not only creating one: migrations must give old rows valid values.</summary>
public sealed class MigrationUpgradeTests
{
    [Fact]
    public async Task StudiesCreatedBeforeDicomIngestion_RejectIdentifyingFilesAfterTheUpgrade()
    {
        // Regression: the column was added with an empty default, which no enum value reads back as.
        await using var db = await StudyDatabase.CreateAsync(withDemoStudy: false);
        await using (var ctx = db.Context())
        {
            var migrator = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(ctx);
            var initial = ctx.Database.GetMigrations().First();
            await migrator.MigrateAsync(initial);
            await ctx.Database.ExecuteSqlRawAsync("INSERT INTO Studies (Code, Title) VALUES ('OLD', 'Created before DICOM ingestion')");
            await migrator.MigrateAsync();
        }

        await using var after = db.Context();
        var study = await after.Studies.SingleAsync(s => s.Code == "OLD");

        Assert.Equal(Derby.Domain.DeidentificationPolicy.Reject, study.Deidentification);
    }
}
