using System.Diagnostics;
using System.Text;

namespace Derby.Cli.Commands;

/// <summary>
/// Prints an HTML file to PDF with Debian's headless chromium (ADR 21): a throw-away profile, no header or footer, a time
/// limit, and a check that what it wrote is a PDF. Failures are <see cref="IOException"/>s that say what to do.
/// </summary>
internal static class ChromiumPdf
{
    /// <summary>Where Debian installs chromium; overridden by Derby:Chromium (Derby__Chromium in the environment).</summary>
    public const string DefaultPath = "/usr/bin/chromium";

    public static async Task PrintAsync(string chromium, string htmlFile, string pdfFile, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (!File.Exists(chromium))
        {
            throw new IOException(
                $"chromium was not found at {chromium}: install Debian's chromium (apt-get install chromium) or set Derby__Chromium to the browser's path");
        }

        var profile = Directory.CreateTempSubdirectory("derby-chromium-");
        try
        {
            var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[]
            {
                "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-sync", "--mute-audio", "--hide-scrollbars", $"--user-data-dir={profile.FullName}", "--no-pdf-header-footer",
                $"--print-to-pdf={pdfFile}", new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri,
            })
            {
                start.ArgumentList.Add(argument);
            }

            // Chromium refuses to start its sandbox as root (containers, CI); elsewhere the sandbox stays on.
            if (Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root")
            {
                start.ArgumentList.Insert(0, "--no-sandbox");
            }

            start.Environment["HOME"] = profile.FullName;
            using var process = Process.Start(start) ?? throw new IOException($"chromium ({chromium}) could not be started");
            var output = new StringBuilder();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                throw new IOException($"chromium did not print the report within {limit.TotalSeconds:0} s");
            }

            output.Append(await stdout).Append(await stderr);
            var written = File.Exists(pdfFile) ? new FileInfo(pdfFile).Length : 0;
            if (process.ExitCode != 0 || written == 0)
            {
                throw new IOException($"chromium failed to print the report (exit {process.ExitCode}): {Tail(output.ToString())}");
            }

            var head = new byte[5];
            await using (var pdf = File.OpenRead(pdfFile))
            {
                await pdf.ReadExactlyAsync(head, cancellationToken);
            }

            if (Encoding.ASCII.GetString(head) != "%PDF-")
            {
                throw new IOException("chromium wrote something that is not a PDF");
            }
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A helper process may still hold a file for a moment; the temp folder is cleaned by the OS.
            }
        }
    }

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no output" : string.Join(" | ", lines.TakeLast(5));
    }
}
