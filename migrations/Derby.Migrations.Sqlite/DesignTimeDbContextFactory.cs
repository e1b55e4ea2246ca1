using Derby.Infrastructure;
using Derby.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Derby.Migrations.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without starting the app.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<DerbyDbContext>
{
    public DerbyDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<DerbyDbContext>();
        DatabaseConfiguration.Configure(builder, new DerbyOptions
        {
            Database = { Provider = DatabaseProvider.Sqlite, ConnectionString = "Data Source=design-time.db" },
        });
        return new DerbyDbContext(builder.Options);
    }
}
