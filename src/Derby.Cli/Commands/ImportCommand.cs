using System.CommandLine;
using Derby.Application.Access;
using Derby.Application.Imports;
using Derby.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>
/// <c>derby import KIND --site CODE --file PATH</c>: the web app's CSV import, run in the foreground. Prints the run as JSON;
/// exits 3 when the file is refused (nothing written). Re-running a command that was interrupted finishes that run.
/// </summary>
internal static class ImportCommand
{
    public static Command Build()
    {
        var kind = new Argument<string>("kind") { Description = "patients, clinical, ihc or outcomes" };
        kind.AcceptOnlyFromAmong("patients", "clinical", "ihc", "outcomes");
        var site = new Option<string>("--site") { Description = "Site code", Required = true };
        var file = new Option<FileInfo>("--file") { Description = "CSV file (UTF-8, comma-separated, with a header row)", Required = true };
        file.AcceptExistingOnly();

        var import = new Command("import", "Import a CSV table into a site, all rows or none");
        import.Arguments.Add(kind);
        import.Options.Add(site);
        import.Options.Add(file);
        import.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var imports = services.GetRequiredService<CsvImportService>();
            var path = parse.GetValue(file)!;
            ImportRun run;
            await using (var stream = path.OpenRead())
            {
                run = await imports.StartAsync(AccessScope.System, parse.GetValue(site)!, ImportFormat.ParseKind(parse.GetValue(kind))!.Value,
                    path.Name, stream, token);
            }

            await imports.RunAsync(run.Id, token);
            run = (await imports.GetAsync(AccessScope.System, run.Id, token))!;
            Json.Write(new
            {
                run.Id,
                run.Kind,
                run.Status,
                run.FileName,
                run.TotalRows,
                run.WrittenRows,
                Errors = CsvImportService.ErrorsOf(run).Select(e => new { e.Line, e.Column, e.Message }),
            });
            if (run.Status != ImportStatus.Succeeded)
            {
                await Console.Error.WriteLineAsync($"error: {run.FileName} was refused; nothing was imported. {string.Join(" | ", CsvImportService.ErrorsOf(run).Take(5))}");
                return 3;
            }

            return 0;
        }, ct));
        return import;
    }
}
