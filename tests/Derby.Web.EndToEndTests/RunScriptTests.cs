namespace Derby.Web.EndToEndTests;

/// <summary>
/// The README's demo command itself: <c>./run.sh</c> builds, migrates, loads the demo study, prints the logins and
/// serves the app on 127.0.0.1; each demo role signs in to the real process and loads its pages.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class RunScriptTests(DemoServer demo)
{
    [Fact]
    public void RunScript_PrintsTheUrlAndOneLoginPerDemoAccount()
    {
        Assert.Contains($"Derby is starting at http://127.0.0.1:{demo.Port}", demo.Output);
        Assert.Equal(["admin", "hwmu-coordinator", "pi", "reviewer", "reviewer-2", "zsh-coordinator", "zshx-coordinator"], demo.Passwords.Keys.Order());
    }

    [Fact]
    public async Task RunScript_ServesNonEmptyFrameworkAndComponentAssets()
    {
        using var http = new HttpClient { BaseAddress = demo.BaseAddress };

        // Regression: a plain build output served the framework script as an empty file, so no page became interactive.
        Assert.True((await http.GetByteArrayAsync("/_framework/blazor.web.js")).Length > 10_000, "blazor.web.js is served empty");
        Assert.True((await http.GetByteArrayAsync("/_content/MudBlazor/MudBlazor.min.css")).Length > 10_000, "MudBlazor.min.css is served empty");
    }

    [Theory]
    [InlineData("admin", "/,/sites/ZSH,/admin/users,/admin/sites,/admin/cohorts,/jobs")]
    [InlineData("pi", "/,/sites/HWMU,/sites/ZSHX")]
    [InlineData("reviewer", "/,/sites/ZSHX")]
    [InlineData("zsh-coordinator", "/,/sites/ZSH,/sites/ZSH/import")]
    [InlineData("hwmu-coordinator", "/,/sites/HWMU,/sites/HWMU/import")]
    public async Task EachDemoRole_SignsIn_AndLoadsItsPages(string user, string pages)
    {
        using var client = await demo.SignInAsync(user);

        foreach (var page in pages.Split(','))
        {
            var response = await client.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{user} {page}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task TheDemoStudy_IsFilledWithTheSmallSyntheticStudy()
    {
        using var client = await demo.SignInAsync("pi");

        var study = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/study");

        Assert.Contains("Demo patients loaded: 25 synthetic patients", demo.Output);
        Assert.Equal(25, study.GetProperty("patients").GetInt32());
        Assert.Equal(3, study.GetProperty("sites").EnumerateArray().Count(s => s.GetProperty("patients").GetInt32() > 0));
    }

    [Fact]
    public async Task ACoordinator_CannotOpenAnotherSite_InTheRealApp()
    {
        using var client = await demo.SignInAsync("zsh-coordinator");

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/sites/HWMU")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/jobs")).StatusCode);
    }
}
