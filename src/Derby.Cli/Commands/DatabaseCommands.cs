using System.CommandLine;
using Derby.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

internal static class DatabaseCommands
{
    public static Command Build()
    {
        var db = new Command("db", "Database maintenance");
        var migrate = new Command("migrate", "Create the database or bring it to the current schema (idempotent), and add the four roles");
        migrate.SetAction((_, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var applied = await services.GetRequiredService<DatabaseInitializer>().MigrateAsync(token);
            Console.WriteLine(applied.Count == 0
                ? "Database is up to date."
                : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
            return 0;
        }, ct));
        db.Subcommands.Add(migrate);
        return db;
    }

    /// <summary><c>derby study deidentification reject|scrub</c>: the study's DICOM de-identification setting.</summary>
    public static Command BuildStudy()
    {
        var study = new Command("study", "Study settings");
        var policy = new Argument<string>("policy") { Description = "reject (refuse files with identifying attributes; the default) or scrub (remove them)" };
        policy.AcceptOnlyFromAmong("reject", "scrub");
        var deid = new Command("deidentification", "What the DICOM gate does with identifying attributes") { policy };
        deid.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var value = parse.GetValue(policy) == "scrub" ? Derby.Domain.DeidentificationPolicy.Scrub : Derby.Domain.DeidentificationPolicy.Reject;
            await services.GetRequiredService<Derby.Application.Study.StudyService>().SetDeidentificationAsync(Derby.Application.Access.AccessScope.System, value, token);
            Console.WriteLine($"DICOM de-identification: {value}");
            return 0;
        }, ct));
        study.Subcommands.Add(deid);
        return study;
    }
}
