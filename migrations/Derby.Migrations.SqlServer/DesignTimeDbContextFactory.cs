using Derby.Infrastructure;
using Derby.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Derby.Migrations.SqlServer;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQL Server model without a server (none is contacted).</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<DerbyDbContext>
{
    public DerbyDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<DerbyDbContext>();
        DatabaseConfiguration.Configure(builder, new DerbyOptions
        {
            Database = { Provider = DatabaseProvider.SqlServer, ConnectionString = "Server=design-time;Database=Derby;Integrated Security=false" },
        });
        return new DerbyDbContext(builder.Options);
    }
}
