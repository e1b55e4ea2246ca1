using System.CommandLine;
using Derby.Application.Common;
using Derby.Cli.Commands;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli;

/// <summary>The <c>derby</c> command line. Results go to standard output (JSON where a script reads them); errors to standard error with a non-zero exit.</summary>
public static class DerbyCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Derby: multi-centre DERBY / DERBY+ study platform, command line");
        root.Subcommands.Add(DatabaseCommands.Build());
        root.Subcommands.Add(DatabaseCommands.BuildStudy());
        root.Subcommands.Add(DemoCommand.Build());
        root.Subcommands.Add(UserCommands.Build());
        root.Subcommands.Add(TokenCommands.Build());
        root.Subcommands.Add(AuditCommands.Build());
        root.Subcommands.Add(ImportCommand.Build());
        root.Subcommands.Add(SynthCommand.Build());
        root.Subcommands.Add(DicomCommands.Build());
        root.Subcommands.Add(StatsCommands.Build());
        root.Subcommands.Add(LesionCommand.Build());
        root.Subcommands.Add(SegmentCommand.Build());
        root.Subcommands.Add(NetworkCommand.Build());
        root.Subcommands.Add(ReportCommand.Build());
        root.Subcommands.Add(JobCommands.Build());
        foreach (var command in ModelCommands.Build())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>Runs a command body with the app's services, turning the use cases' refusals into messages and exit codes.</summary>
    internal static async Task<int> RunAsync(Func<IServiceProvider, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            using var host = CliHost.Build();
            await using var scope = host.Services.CreateAsyncScope();
            return await body(scope.ServiceProvider, cancellationToken);
        }
        catch (ValidationFailedException ex)
        {
            foreach (var e in ex.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {e.Field}: {e.Message}");
            }

            return 2;
        }
        catch (Exception ex) when (ex is NotFoundException or ForbiddenException or InvalidOperationException or IOException
            or Microsoft.Extensions.Options.OptionsValidationException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        catch (System.Data.Common.DbException ex) when (SchemaBehind() is { Count: > 0 } pending)
        {
            // A data folder of an older Derby (or none yet): say what to run rather than "no such table".
            await Console.Error.WriteLineAsync(
                $"error: the database lacks {pending.Count} migration(s) of this version of Derby ({string.Join(", ", pending.Take(3))}{(pending.Count > 3 ? ", ..." : string.Empty)}): " +
                $"run 'derby db migrate' (the web app applies them at start), then run the command again. ({ex.GetType().Name}: {ex.Message})");
            return 1;
        }
    }

    /// <summary>The migrations the database lacks; empty when it cannot be asked (the error is then the original one).</summary>
    private static IReadOnlyList<string> SchemaBehind()
    {
        try
        {
            using var host = CliHost.Build();
            return host.Services.GetRequiredService<Derby.Infrastructure.Data.DatabaseInitializer>().PendingMigrationsAsync().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            return [];
        }
    }
}
