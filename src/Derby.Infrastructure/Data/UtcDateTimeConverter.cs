using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Derby.Infrastructure.Data;

/// <summary>All times are stored in UTC; values read back are marked as UTC (SQLite and SQL Server forget the kind).</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v,
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
