using System.CommandLine;
using Derby.Application.Access;
using Derby.Application.Dashboards;
using Derby.Application.Reports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>
/// <c>derby report --model VERSION --out FILE.pdf</c>: the printable study report (the dashboard's numbers, methods and
/// model provenance) printed to PDF by headless chromium. The output appears whole or not at all.
/// </summary>
internal static class ReportCommand
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "Model version whose dashboard is reported", Required = true };
        var output = new Option<string>("--out") { Description = "The PDF to write", Required = true };
        var cohort = new Option<string?>("--cohort") { Description = "One cohort (default: every cohort)" };
        var site = new Option<string?>("--site") { Description = "One site (default: every site)" };
        var bySite = new Option<bool>("--by-site") { Description = "Also break each cohort down by site" };
        var html = new Option<string?>("--html") { Description = "Also keep the report's HTML in this file" };
        var command = new Command("report", "The printable study report of a model version as PDF (Table 1, Table 2, figures, methods, provenance), via headless chromium")
            { model, output, cohort, site, bySite, html };
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var filter = new DashboardFilter(parse.GetValue(model), parse.GetValue(cohort), parse.GetValue(site), parse.GetValue(bySite));
            var (dashboard, document) = await services.GetRequiredService<StudyReportService>().BuildAsync(AccessScope.System, filter, token);
            var chromium = services.GetRequiredService<IConfiguration>()["Derby:Chromium"] is { Length: > 0 } configured ? configured : ChromiumPdf.DefaultPath;
            var pdf = Path.GetFullPath(parse.GetValue(output)!);
            var keep = parse.GetValue(html) is { } h ? Path.GetFullPath(h) : null;
            Directory.CreateDirectory(Path.GetDirectoryName(pdf)!);
            var work = Directory.CreateTempSubdirectory("derby-report-");
            // Written beside the target and moved into place: no half-written PDF or HTML is ever left under the asked-for name.
            var pdfTemp = Path.Combine(Path.GetDirectoryName(pdf)!, $".{Path.GetFileName(pdf)}.{Guid.NewGuid():N}.tmp");
            string? htmlTemp = null;
            try
            {
                var page = Path.Combine(work.FullName, "report.html");
                await File.WriteAllTextAsync(page, document, token);
                await ChromiumPdf.PrintAsync(chromium, page, pdfTemp, Limit, token);
                if (keep is not null)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(keep)!);
                    htmlTemp = Path.Combine(Path.GetDirectoryName(keep)!, $".{Path.GetFileName(keep)}.{Guid.NewGuid():N}.tmp");
                    await File.WriteAllTextAsync(htmlTemp, document, token);
                    File.Move(htmlTemp, keep, overwrite: true);
                }

                File.Move(pdfTemp, pdf, overwrite: true);
            }
            finally
            {
                File.Delete(pdfTemp);
                if (htmlTemp is not null)
                {
                    File.Delete(htmlTemp);
                }

                work.Delete(recursive: true);
            }

            await services.GetRequiredService<Derby.Application.Audit.AuditService>().RecordAsync(AccessScope.System.UserName, "export.report-pdf",
                new { pdf = Path.GetFileName(pdf), filter, model = dashboard.ModelVersion }, token);
            Json.Write(new
            {
                pdf, html = keep, model = dashboard.ModelVersion, dashboard.Filter.Cohort, dashboard.Filter.Site, dashboard.Filter.BySite, sections = dashboard.Sections.Count,
                data_version = dashboard.DataVersion,
            });
            return 0;
        }, ct));
        return command;
    }
}
