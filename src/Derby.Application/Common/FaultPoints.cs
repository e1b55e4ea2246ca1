using System.Diagnostics;

namespace Derby.Application.Common;

/// <summary>
/// Named places where a test can have the process killed, to prove that work is transactional and resumable.
/// Armed only by the environment variable <c>DERBY_KILL_AT=name:count</c> (e.g. <c>import.write:3</c>, the third time
/// the point is passed); without it every call is a no-op.
/// </summary>
public static class FaultPoints
{
    public const string EnvironmentVariable = "DERBY_KILL_AT";

    private static readonly (string Name, int Count)? Armed = ParseArmed(Environment.GetEnvironmentVariable(EnvironmentVariable));
    private static int hits;

    public static void Pass(string name)
    {
        if (Armed is not { } armed || armed.Name != name)
        {
            return;
        }

        if (Interlocked.Increment(ref hits) >= armed.Count)
        {
            Console.Error.WriteLine($"fault point '{name}' reached: killing process {Environment.ProcessId}");
            Process.GetCurrentProcess().Kill();
        }
    }

    private static (string, int)? ParseArmed(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var parts = value.Split(':');
        return (parts[0], parts.Length > 1 && int.TryParse(parts[1], out var n) ? n : 1);
    }
}
