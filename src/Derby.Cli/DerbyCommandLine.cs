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
    }
}
