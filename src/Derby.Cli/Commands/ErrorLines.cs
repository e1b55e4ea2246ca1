namespace Derby.Cli.Commands;

/// <summary>Progress lines on standard error, written at once (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
internal sealed class ErrorLines : IProgress<string>
{
    public void Report(string value) => Console.Error.WriteLine(value);
}
