using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Imports;
using Derby.Application.Patients;
using Derby.Application.Study;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Derby.Application;

public static class DependencyInjection
{
    /// <summary>Registers the use cases shared by the web app, the jobs and the command line.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IClock, SystemClock>();
        builder.Services.AddScoped<AccessScopeProvider>();
        builder.Services.AddScoped<PatientService>();
        builder.Services.AddScoped<StudyService>();
        builder.Services.AddScoped<Audit.AuditService>();
        builder.Services.AddScoped<CsvImportService>();
        builder.Services.AddScoped<DemoStudy>();
        builder.Services.AddScoped<Imaging.DicomIngestService>();
        builder.Services.AddScoped<Imaging.ImagingQueries>();
        builder.Services.AddScoped<Tokens.SiteTokenService>();
        builder.Services.AddScoped<Imaging.DicomWebService>();
        builder.Services.AddScoped<Segmentation.LesionService>();
        builder.Services.AddScoped<Learning.NetworkService>();
        builder.Services.AddScoped<Models.ModelService>();
        builder.Services.AddScoped<Models.ScoringService>();
        builder.Services.AddSingleton<Dashboards.DashboardCache>();
        builder.Services.AddScoped<Dashboards.DashboardService>();
        builder.Services.AddScoped<Reports.StudyReportService>();
        builder.Services.AddScoped<Reviews.ReviewService>();
        return builder;
    }
}
