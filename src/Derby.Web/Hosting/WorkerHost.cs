using Derby.Infrastructure.Data;

namespace Derby.Web.Hosting;

public static class WorkerHost
{
    /// <summary>
    /// A worker never migrates: it waits for the web role (or <c>derby db migrate</c>) to have brought the schema up to
    /// this build's, at most <c>Derby:Database:SchemaWaitSeconds</c> (60), and stops with the reason otherwise.
    /// </summary>
    public static async Task WaitForDatabaseSchemaAsync(this WebApplication app)
    {
        var seconds = app.Configuration.GetValue("Derby:Database:SchemaWaitSeconds", 60);
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().WaitForSchemaAsync(TimeSpan.FromSeconds(seconds));
    }
}
