using System.Diagnostics;

namespace Derby.Infrastructure.Tests;

/// <summary>Runs the built command line (derby.dll, copied beside the tests) as a real child process.</summary>
internal static class Cli
{
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string dataDirectory, string? killAt, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "derby.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["Derby__DataDirectory"] = dataDirectory;
        start.Environment["DERBY_KILL_AT"] = killAt ?? "";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
