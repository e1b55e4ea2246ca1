using Derby.Application.Common;
using Derby.Application.Users;
using Derby.Infrastructure.Data;
using Derby.Infrastructure.Files;
using Derby.Infrastructure.Identity;
using Derby.Infrastructure.Jobs;
using Hangfire;
using Hangfire.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Derby.Infrastructure;

public static class DependencyInjection
{
    /// <summary>
    /// Database (provider by configuration), Identity stores, job storage and the file stores.
    /// The job server itself is added by the host that runs jobs (<see cref="AddJobServer"/>).
    /// </summary>
    public static IHostApplicationBuilder AddInfrastructureServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DerbyOptions>()
            .Bind(builder.Configuration.GetSection(DerbyOptions.Section))
            .PostConfigure(o => o.Jobs.Queues = JobOptions.From(builder.Configuration).Queues)
            .ValidateDataAnnotations()
            .Validate(o => o.Database.Provider != DatabaseProvider.SqlServer || !string.IsNullOrWhiteSpace(o.Database.ConnectionString),
                "Derby:Database:ConnectionString is required when Derby:Database:Provider is SqlServer")
            .ValidateOnStart();
        services.AddSingleton<DerbyOptionsAccessor>();

        services.AddDbContextFactory<DerbyDbContext>((sp, options) =>
            DatabaseConfiguration.Configure(options, sp.GetRequiredService<DerbyOptionsAccessor>().Value));
        services.AddSingleton<IDerbyDbContextFactory, DerbyDbContextFactory>();

        // Keys in the data folder: sign-in cookies and tokens survive restarts, and every process of one installation shares them.
        services.AddDataProtection().SetApplicationName("Derby");
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<DerbyOptionsAccessor>((o, derby) =>
                o.XmlRepository = new Microsoft.AspNetCore.DataProtection.Repositories.FileSystemXmlRepository(
                    new DirectoryInfo(Path.Combine(derby.Value.DataPath, "keys")), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));

        services.AddIdentityCore<DerbyUser>(options =>
            {
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                // "aaaaaaaaaaaa" and its like: at least 5 different characters.
                options.Password.RequiredUniqueChars = 5;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.User.RequireUniqueEmail = false;
                options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyz0123456789-._@";
            })
            .AddRoles<IdentityRole>()
            .AddPasswordValidator<DerbyPasswordValidator>()
            .AddEntityFrameworkStores<DerbyDbContext>()
            .AddDefaultTokenProviders();

        services.AddHangfire((sp, config) => HangfireConfiguration.Configure(config, sp.GetRequiredService<DerbyOptionsAccessor>().Value));
        services.AddSingleton<IBackgroundJobs, HangfireBackgroundJobs>();
        services.AddTransient<ImportJob>();
        services.AddTransient<SegmentationJob>();
        services.AddTransient<NetworkJobs>();
        services.AddTransient<ModelJobs>();
        services.AddTransient<ProbeJob>();
        services.AddSingleton<JobDiagnostics>();

        services.AddSingleton<IImportFileStore, ImportFileStore>();
        services.AddSingleton<IDicomStore, DicomStore>();
        services.AddSingleton<IArtifactStore, ArtifactStore>();
        services.AddSingleton<Derby.Application.Audit.IAuditChainVerifier, Data.AuditChainVerifier>();
        services.AddSingleton<Derby.Imaging.Dicom.IDicomFileReader, Derby.Imaging.Gdcm.GdcmDicomFileReader>();
        services.AddSingleton<Derby.Imaging.Dicom.IDicomFileRewriter, Derby.Imaging.Gdcm.GdcmDicomFileWriter>();
        services.AddSingleton<Derby.Imaging.Dicom.IDicomFileWriter, Derby.Imaging.Gdcm.GdcmDicomFileWriter>();
        services.AddScoped<IUserAdministration, UserAdministration>();
        services.AddScoped<DatabaseInitializer>();
        return builder;
    }

    /// <summary>
    /// Runs a Hangfire server in this process when <c>Derby:Jobs:InProcessServer</c> is true (the default) or
    /// <paramref name="alwaysRun"/> is (the worker role), on <c>Derby:Jobs:Queues</c> with <c>Derby:Jobs:WorkerCount</c> workers.
    /// Its name starts with <paramref name="role"/>, the host name and the process id, so the dashboard and the readiness
    /// check can tell the processes apart.
    /// </summary>
    public static IHostApplicationBuilder AddJobServer(this IHostApplicationBuilder builder, bool alwaysRun = false, string role = "web")
    {
        var jobs = JobOptions.From(builder.Configuration);
        if (alwaysRun || jobs.InProcessServer)
        {
            var identity = new JobServerIdentity($"{role}-{Environment.MachineName}-{Environment.ProcessId}".ToLowerInvariant(), jobs.EffectiveQueues);
            builder.Services.AddSingleton(identity);
            builder.Services.AddSingleton<JobTelemetryFilter>();
            builder.Services.AddSingleton<JobAuditFilter>();
            builder.Services.AddSingleton<SingleExecutionFilter>();
            builder.Services.AddHostedService<OrphanedJobRecovery>();
            var sqlite = (builder.Configuration.GetSection(DerbyOptions.Section).Get<DerbyOptions>()?.Database.Provider ?? DatabaseProvider.Sqlite)
                == DatabaseProvider.Sqlite && jobs.SqliteSingleExecution;
            builder.Services.AddHangfireServer((sp, options) =>
            {
                options.ServerName = identity.ServerName;
                options.WorkerCount = jobs.WorkerCount;
                options.Queues = identity.Queues;
                options.SchedulePollingInterval = TimeSpan.FromSeconds(2);
                // This server's own filters: the global ones (retries, [Queue]) plus telemetry and the job audit events. Not added to the global
                // collection, which every host in the process (the functional tests start several) would share.
                var own = new JobFilterCollection();
                own.Add(sp.GetRequiredService<JobTelemetryFilter>());
                own.Add(sp.GetRequiredService<JobAuditFilter>());
                if (sqlite)
                {
                    // Outermost (order -1): a dropped second fetch is neither counted nor traced as a run.
                    own.Add(sp.GetRequiredService<SingleExecutionFilter>(), -1);
                }
                options.FilterProvider = new JobFilterProviderCollection(JobFilterProviders.Providers, own);
            });
        }

        return builder;
    }
}

/// <summary>The job server this process runs: its name (a prefix of its Hangfire server id) and queues.</summary>
public sealed record JobServerIdentity(string ServerName, string[] Queues);
