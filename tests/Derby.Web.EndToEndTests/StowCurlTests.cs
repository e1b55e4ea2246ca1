using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// STOW-RS from a real client: the documented curl script (scripts/stow-example.sh) sends a demo patient's PET/CT to the
/// running app with a site token issued by <c>./derby tokens issue</c>; a token of another site is refused.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed partial class StowCurlTests(DemoServer demo)
{
    private static (int Exit, string StdOut, string StdErr) Run(string program, IEnumerable<string> args, IDictionary<string, string> env)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DemoServer.RepositoryRoot() };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private string Token(string site)
    {
        var (exit, stdout, stderr) = Run("bash", [Path.Combine(DemoServer.RepositoryRoot(), "derby"), "tokens", "issue", "--site", site, "--name", "e2e " + site],
            new Dictionary<string, string> { ["Derby__DataDirectory"] = demo.DataDirectory });
        Assert.True(exit == 0, stderr);
        return Secret().Match(stdout).Value;
    }

    private string[] FilesOf(string pseudonym) => Directory.GetFiles(
        Path.Combine(demo.DataDirectory, "synthetic", "small-seed-1", "sites", pseudonym.Split('-')[0], "dicom", pseudonym), "*.dcm", SearchOption.AllDirectories);

    [Fact]
    public async Task CurlScript_StoresAPatientsSeries_WithItsSitesToken_AndAnotherSitesTokenIsRefused()
    {
        var env = new Dictionary<string, string> { ["DERBY_URL"] = demo.BaseAddress.ToString().TrimEnd('/'), ["DERBY_TOKEN"] = Token("ZSHX") };
        var script = Path.Combine(DemoServer.RepositoryRoot(), "scripts", "stow-example.sh");

        // Two patients the demo left without images: one sent with the site's token, one with another site's.
        var (sent, other) = (demo.PatientsWithoutImages("ZSHX")[0], demo.PatientsWithoutImages("ZSHX")[1]);
        var stored = Run("bash", [script, .. FilesOf(sent)], env);
        env["DERBY_TOKEN"] = Token("HWMU");
        var refused = Run("bash", [script, .. FilesOf(other)], env);

        Assert.True(stored.Exit == 0, stored.StdOut + stored.StdErr);
        Assert.Contains("\"accepted\": true", stored.StdOut.Replace("\"accepted\":true", "\"accepted\": true"));
        Assert.NotEqual(0, refused.Exit);
        using var client = await demo.SignInAsync("zshx-coordinator");
        var patients = await client.GetFromJsonAsync<System.Text.Json.JsonElement[]>("/api/sites/ZSHX/patients");
        string Id(string p) => patients!.Single(x => x.GetProperty("pseudonym").GetString() == p).GetProperty("id").GetString()!;
        Assert.Equal(2, (await client.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/api/patients/{Id(sent)}/images"))!.Length);
        Assert.Empty((await client.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/api/patients/{Id(other)}/images"))!);
    }

    [GeneratedRegex(@"derby_[A-Za-z0-9_-]+")]
    private static partial Regex Secret();
}
