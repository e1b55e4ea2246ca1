using System.Diagnostics;
using System.Reflection;

namespace Derby.Infrastructure.Tests;

/// <summary>Runs the built command line (derby.dll, copied beside the tests) as a real child process.</summary>
internal static class Cli
{
    /// <summary>
    /// The command line's own output folder (src/Derby.Cli/bin/CONFIGURATION/TFM), which has LibTorch's natives; the copy
    /// beside the tests has not (they are private to Derby.Cli, see the test project).
    /// </summary>
    public static string LearningOutput { get; } = typeof(Cli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "DerbyCliOutput").Value!;

    public static Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string dataDirectory, string? killAt, params string[] args) =>
        RunInAsync(AppContext.BaseDirectory, TimeSpan.FromMinutes(2), dataDirectory, killAt, args);

    /// <summary>Runs the command line with extra environment variables (e.g. Derby__Chromium).</summary>
    public static Task<(int ExitCode, string StdOut, string StdErr)> RunWithAsync(string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunInAsync(AppContext.BaseDirectory, TimeSpan.FromMinutes(4), dataDirectory, null, args, environment);

    /// <summary>
    /// Runs the command line that can load LibTorch (network commands), with a longer time limit: a 1-epoch training takes
    /// under a minute on an idle 2-core machine but several when the machine is shared.
    /// </summary>
    public static Task<(int ExitCode, string StdOut, string StdErr)> RunLearningAsync(string dataDirectory, string? killAt, params string[] args) =>
        RunInAsync(LearningOutput, TimeSpan.FromMinutes(10), dataDirectory, killAt, args);

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunInAsync(string folder, TimeSpan limit, string dataDirectory, string? killAt, string[] args,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(folder, "derby.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["Derby__DataDirectory"] = dataDirectory;
        start.Environment["DERBY_KILL_AT"] = killAt ?? "";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Leave no command running behind a test that gave up on it.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"derby {string.Join(' ', args)} did not finish within {limit}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
