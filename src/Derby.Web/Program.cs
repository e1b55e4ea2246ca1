using Derby.Application;
using Derby.Infrastructure;
using Derby.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddApplicationServices()
    .AddInfrastructureServices()
    .AddJobServer()
    .AddWebServices();

var app = builder.Build();

await app.InitializeDatabaseAsync();
app.UseDerbyPipeline();
app.MapDerbyEndpoints();

app.Run();

/// <summary>Entry point, visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
