using Derby.Application;
using Derby.Infrastructure;
using Derby.Web;
using Derby.Web.Hosting;
using Derby.Web.Observability;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddSecretFiles();
var role = builder.AddProcessRole(args);

builder.AddApplicationServices()
    .AddInfrastructureServices()
    .AddObservability(role)
    .AddJobServer(alwaysRun: role == ProcessRole.Worker, role: role.ToString().ToLowerInvariant());
if (role == ProcessRole.Web)
{
    builder.AddWebServices();
    builder.Services.AddHostedService<Derby.Infrastructure.Files.StaleUploadSweeper>();
}

var app = builder.Build();

if (role == ProcessRole.Web)
{
    await app.InitializeDatabaseAsync();
    app.UseDerbyPipeline();
    app.MapDerbyEndpoints();
}
else
{
    await app.WaitForDatabaseSchemaAsync();
}

app.MapHealthEndpoints();
app.Run();

/// <summary>Entry point, visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
