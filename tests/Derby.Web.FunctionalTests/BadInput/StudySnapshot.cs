using Microsoft.Data.Sqlite;

namespace Derby.Web.FunctionalTests.BadInput;

/// <summary>
/// What the app has stored, to compare before and after a bad input: the row count of every table of the study
/// database, every file under the data folder (database files and data-protection keys aside), the scrub folder's
/// subfolders, and the audit trail's last id.
/// </summary>
internal sealed record StudySnapshot(IReadOnlyDictionary<string, long> Rows, IReadOnlySet<string> Files, long LastAuditId)
{
    public static StudySnapshot Take(DerbyWebFactory app)
    {
        using var connection = Open(app);
        var tables = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            rows[table] = (long)count.ExecuteScalar()!;
        }

        using var last = connection.CreateCommand();
        last.CommandText = "SELECT COALESCE(MAX(Id), 0) FROM AuditEvents";
        var lastAudit = (long)last.ExecuteScalar()!;
        return new StudySnapshot(rows, StoredFiles(app.DataDirectory), lastAudit);
    }

    /// <summary>Audit events recorded after this snapshot: action and details.</summary>
    public List<(string Action, string? Details)> AuditSince(DerbyWebFactory app)
    {
        using var connection = Open(app);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Action, Details FROM AuditEvents WHERE Id > $id ORDER BY Id";
        command.Parameters.AddWithValue("$id", LastAuditId);
        using var reader = command.ExecuteReader();
        var events = new List<(string, string?)>();
        while (reader.Read())
        {
            events.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return events;
    }

    /// <summary>Every text value of every table, with where it is (for the stored-text check).</summary>
    public static IEnumerable<(string Where, string Value)> StoredText(DerbyWebFactory app)
    {
        using var connection = Open(app);
        var tables = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (!reader.IsDBNull(i) && reader.GetFieldType(i) == typeof(string))
                    {
                        yield return ($"{table}.{reader.GetName(i)}", reader.GetString(i));
                    }
                }
            }
        }
    }

    private static SqliteConnection Open(DerbyWebFactory app)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(app.DataDirectory, "derby.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static HashSet<string> StoredFiles(string dataDirectory)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(dataDirectory, file);
            var name = Path.GetFileName(file);
            // Data-protection keys and the job-run locks of SingleExecutionFilter (one per job run, the import's included) are not study data.
            if (relative.StartsWith("keys" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || relative.StartsWith("job-runs" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || name.EndsWith(".db", StringComparison.Ordinal) || name.Contains(".db-", StringComparison.Ordinal))
            {
                continue;
            }

            files.Add(relative);
        }

        return files;
    }
}
