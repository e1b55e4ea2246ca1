using Microsoft.Extensions.Configuration;

namespace Derby.Infrastructure;

/// <summary>
/// Secrets as files, the way containers receive them: every file in <c>/run/secrets</c> (or the folder named by
/// <c>DERBY_SECRETS_DIR</c>) is one configuration key, its name with "__" for ":" (e.g. a file
/// <c>Derby__Database__ConnectionString</c>), its content the value. Added last, so a secret file wins over appsettings and
/// the environment. A missing folder is no error.
/// </summary>
public static class SecretFiles
{
    public const string DefaultDirectory = "/run/secrets";

    public static IConfigurationBuilder AddSecretFiles(this IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var directory = Environment.GetEnvironmentVariable("DERBY_SECRETS_DIR") is { Length: > 0 } d ? d : DefaultDirectory;
        return Directory.Exists(directory)
            ? configuration.AddKeyPerFile(o =>
            {
                o.FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetFullPath(directory));
                o.Optional = true;
                o.SectionDelimiter = "__";
                // A trailing newline (echo, editors) is dropped by the provider; hidden files (Kubernetes' ..data links) are skipped.
                o.IgnoreCondition = name => name.StartsWith('.');
            })
            : configuration;
    }
}
