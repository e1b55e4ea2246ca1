using System.Diagnostics;

namespace Derby.Learning.Tests;

/// <summary>Runs a committed Python peer script (tests/Derby.Learning.Tests/Peers) with Debian's python3 and returns its standard output.</summary>
internal static class PythonPeer
{
    public static string Run(string script, string? standardInput = null, params string[] arguments)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Peers", script);
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(path);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            throw new TimeoutException($"{script} ran for more than 2 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{script} failed ({process.ExitCode}); install the test prerequisites (scripts/prerequisites.sh): {stderr.Result}");
        }

        return stdout.Result;
    }
}
