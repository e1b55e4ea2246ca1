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
}
