namespace Derby.Infrastructure.Tests;

/// <summary>
/// Secrets as files (deploy/compose.yaml mounts them under /run/secrets): the command line reads each file of the secrets
/// folder as a configuration key, "__" for ":", and the file wins over the environment.
/// </summary>
public sealed class SecretFilesTests
{
    [Fact]
    public async Task ASecretFile_IsAConfigurationKey_ThatWinsOverTheEnvironment()
    {
        var data = Directory.CreateTempSubdirectory("derby-secret-data-").FullName;
        var secrets = Directory.CreateTempSubdirectory("derby-secrets-").FullName;
        try
        {
            // Without the secret: the embedded SQLite default works.
            var (code, _, stderr) = await Cli.RunWithAsync(data, new Dictionary<string, string> { ["DERBY_SECRETS_DIR"] = secrets }, "db", "migrate");
            Assert.True(code == 0, stderr);

            // The provider from a secret file (with the newline an editor leaves), over the environment's Sqlite.
            await File.WriteAllTextAsync(Path.Combine(secrets, "Derby__Database__Provider"), "SqlServer\n");
            (code, _, stderr) = await Cli.RunWithAsync(data,
                new Dictionary<string, string> { ["DERBY_SECRETS_DIR"] = secrets, ["Derby__Database__Provider"] = "Sqlite" }, "db", "migrate");
            Assert.NotEqual(0, code);
            Assert.Contains("Derby:Database:ConnectionString is required when Derby:Database:Provider is SqlServer", stderr);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            Directory.Delete(secrets, recursive: true);
        }
    }
}
