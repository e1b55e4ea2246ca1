using System.Diagnostics;
using System.Text.Json;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// deploy/compose.yaml as the production guide uses it: Debian's Compose validates it (with placeholder secret files, as
/// an operator creates them), and the validated model has the four services with their roles, queues, GPU reservation,
/// health checks and secrets from files; a missing secret file is refused with its name.
/// </summary>
public sealed class DeployFilesTests
{
    private static readonly string Deploy = Path.Combine(DemoServer.RepositoryRoot(), "deploy");

    /// <summary>A copy of deploy/ (compose file and Dockerfiles) with the secret files the guide tells the operator to create.</summary>
    private static string Workspace(bool withSecrets = true)
    {
        var dir = Directory.CreateTempSubdirectory("derby-deploy-").FullName;
        foreach (var file in new[] { "compose.yaml", "Dockerfile", "Dockerfile.gpu" })
        {
            File.Copy(Path.Combine(Deploy, file), Path.Combine(dir, file));
        }

        Directory.CreateDirectory(Path.Combine(dir, "secrets"));
        if (withSecrets)
        {
            File.WriteAllText(Path.Combine(dir, "secrets", "sqlserver.env"), "MSSQL_SA_PASSWORD=placeholder-Password-1\n");
            File.WriteAllText(Path.Combine(dir, "secrets", "Derby__Database__ConnectionString"), "Server=sqlserver;Database=derby;User Id=derby;Password=placeholder");
        }

        return dir;
    }

    private static (int Code, string Output) Run(string directory, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), $"{file} did not finish");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The validated, normalised compose model as JSON (docker-compose prints YAML; python3-yaml converts it).</summary>
    private static JsonElement Config(string directory)
    {
        var (code, output) = Run(directory, "docker-compose", "-f", "compose.yaml", "config", "-q");
        Assert.True(code == 0, output);
        var (_, yaml) = Run(directory, "docker-compose", "-f", "compose.yaml", "config");
        var path = Path.Combine(directory, "config.yaml");
        File.WriteAllText(path, yaml);
        var (jsonCode, json) = Run(directory, "python3", "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", path);
        Assert.True(jsonCode == 0, json);
        return JsonDocument.Parse(json).RootElement;
    }

    private static string[] Command(JsonElement service) => [.. service.GetProperty("command").EnumerateArray().Select(a => a.GetString()!)];

    [Fact]
    public void Compose_Validates_WithWebAndWorkerRoles_SharingOneDatabaseAndDataVolume()
    {
        var dir = Workspace();
        try
        {
            var services = Config(dir).GetProperty("services");
            Assert.Equal(["sqlserver", "web", "worker-cpu", "worker-gpu"], services.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(["--role", "web"], Command(services.GetProperty("web")));
            Assert.Equal(["--role", "worker", "--queues", "default"], Command(services.GetProperty("worker-cpu")));
            Assert.Equal(["--role", "worker", "--queues", "gpu"], Command(services.GetProperty("worker-gpu")));
            Assert.Equal("false", services.GetProperty("web").GetProperty("environment").GetProperty("Derby__Jobs__InProcessServer").GetString());
            // Behind the TLS proxy: __Host- Secure cookies, forwarded headers believed from the network's gateway only (ADR 23).
            var web = services.GetProperty("web").GetProperty("environment");
            Assert.Equal("true", web.GetProperty("Derby__Security__HttpsCookies").GetString());
            var proxy = web.GetProperty("Derby__Security__KnownProxies__0").GetString();
            Assert.Equal(Config(dir).GetProperty("networks").GetProperty("default").GetProperty("ipam").GetProperty("config")[0].GetProperty("gateway").GetString(), proxy);
            foreach (var role in new[] { "web", "worker-cpu", "worker-gpu" })
            {
                var service = services.GetProperty(role);
                var environment = service.GetProperty("environment");
                Assert.Equal("SqlServer", environment.GetProperty("Derby__Database__Provider").GetString());
                // The connection string comes from a secret file, never from the environment or the image.
                Assert.False(environment.TryGetProperty("Derby__Database__ConnectionString", out _), role);
                Assert.Contains("Derby__Database__ConnectionString", service.GetProperty("secrets").EnumerateArray().Select(s => s.TryGetProperty("source", out var source) ? source.GetString() : s.GetString()));
                Assert.Contains("data:/data", string.Join(' ', service.GetProperty("volumes").EnumerateArray().Select(v => v.GetString())));
                Assert.Contains("/health/ready", string.Join(' ', service.GetProperty("healthcheck").GetProperty("test").EnumerateArray().Select(t => t.GetString())));
            }

            var device = services.GetProperty("worker-gpu").GetProperty("deploy").GetProperty("resources").GetProperty("reservations").GetProperty("devices")[0];
            Assert.Equal("nvidia", device.GetProperty("driver").GetString());
            Assert.Equal(["gpu"], device.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
            Assert.EndsWith("secrets/Derby__Database__ConnectionString", Config(dir).GetProperty("secrets").GetProperty("Derby__Database__ConnectionString").GetProperty("file").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Compose_RefusesToStart_WithoutTheSecretFiles_NamingTheMissingOne()
    {
        var dir = Workspace(withSecrets: false);
        try
        {
            var (code, output) = Run(dir, "docker-compose", "-f", "compose.yaml", "config", "-q");
            Assert.NotEqual(0, code);
            Assert.Contains("sqlserver.env", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Images_RunAsANonRootUser_WithAHealthCheck_AndGdcmFromDebian()
    {
        foreach (var file in new[] { "Dockerfile", "Dockerfile.gpu" })
        {
            var lines = File.ReadAllLines(Path.Combine(Deploy, file));
            var user = lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
            Assert.Equal("USER derby", user);
            Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal) && l.Contains("/health/live", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("libgdcm-cil", StringComparison.Ordinal));
            // Nothing secret is baked in: no password or connection string in the image's environment.
            Assert.DoesNotContain(lines, l => l.Contains("Password", StringComparison.OrdinalIgnoreCase) || l.Contains("ConnectionString", StringComparison.Ordinal));
        }
    }
}
