namespace Derby.Web.Hosting;

/// <summary>What this process of the one Derby.Web binary does (<c>--role</c>, <c>Derby:Role</c>).</summary>
public enum ProcessRole
{
    /// <summary>Pages, API, DICOMweb, job dashboard; applies migrations; a job server too unless Derby:Jobs:InProcessServer is false.</summary>
    Web,

    /// <summary>Only a job server over the shared database, job storage and data folder, and the health endpoints.</summary>
    Worker,
}

public static class ProcessRoles
{
    public const string RoleKey = "Derby:Role";

    /// <summary>
    /// Maps the role switches onto configuration keys, so that a switch, an environment variable and appsettings say the
    /// same thing: <c>--role worker</c> is <c>Derby:Role=worker</c> (<c>Derby__Role</c>), <c>--queues gpu,default</c> is
    /// <c>Derby:Jobs:Queues</c> (<c>Derby__Jobs__Queues=gpu,default</c> or <c>Derby__Jobs__Queues__0=gpu</c>, ...), and
    /// <c>--workers 4</c> is <c>Derby:Jobs:WorkerCount</c>. Returns the role.
    /// </summary>
    public static ProcessRole AddProcessRole(this WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
        {
            ["--role"] = RoleKey,
            ["--queues"] = "Derby:Jobs:Queues",
            ["--workers"] = "Derby:Jobs:WorkerCount",
        });
        var value = builder.Configuration[RoleKey];
        var role = string.IsNullOrWhiteSpace(value) ? ProcessRole.Web
            : Enum.TryParse<ProcessRole>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
            : throw new InvalidOperationException($"Derby:Role (--role) must be 'web' or 'worker', not '{value}'");
        return role;
    }
}
