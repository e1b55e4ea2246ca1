using Microsoft.Playwright;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// A site coordinator in a real browser (Debian's chromium, driven by Playwright): imports patients through the page and
/// watches the job finish, sees a refused file's reasons, and meets the clinical form's validation. Screenshots are kept
/// in artifacts/e2e.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class BrowserTests(DemoServer demo) : IAsyncLifetime
{
    private DebianChromium? chromium;

    public async Task InitializeAsync() => chromium = await DebianChromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (chromium is not null)
        {
            await chromium.DisposeAsync();
        }
    }

    private async Task<IPage> SignInAsync(string user)
    {
        return await chromium!.SignedInPageAsync(demo, user, 1300, 900);
    }

    private static Task WaitForCircuitAsync(IPage page) =>
        // The layout renders this marker only once the interactive circuit runs.
        page.WaitForSelectorAsync("[data-testid=interactive]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

    /// <summary>
    /// Chooses a file in Blazor's InputFile once its script listens for the change (it marks the element when it does);
    /// a file chosen before that would go unnoticed, as it would for a very quick user.
    /// </summary>
    private static async Task ChooseFileAsync(IPage page, string path)
    {
        await page.WaitForFunctionAsync("() => document.querySelector('input[type=file]')?._blazorInputFileNextFileId !== undefined");
        await page.SetInputFilesAsync("input[type=file]", path);
    }

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DemoServer.ArtefactDirectory, name + ".png"), FullPage = true });

    [Fact]
    public async Task Coordinator_ImportsPatientsInThePage_AndSeesTheJobFinish()
    {
        var page = await SignInAsync("zshx-coordinator");
        var csv = Path.Combine(Path.GetTempPath(), $"zshx-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(csv, "pseudonym,treatment_arm,cohorts\n"
            + string.Concat(Enumerable.Range(1, 25).Select(i => $"ZSHX-E{i:D3},folfox_bevacizumab,external-validation\n")));

        await page.GotoAsync("/sites/ZSHX/import");
        await WaitForCircuitAsync(page);
        var start = page.Locator("[data-testid=import-start]");
        // The button enables only once the circuit has seen the chosen file.
        await ChooseFileAsync(page, csv);
        await Assertions.Expect(start).ToBeEnabledAsync();
        await start.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=import-status]")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        await ShotAsync(page, "import-succeeded");

        await page.GotoAsync("/sites/ZSHX");
        await WaitForCircuitAsync(page);
        await page.GetByPlaceholder("Search pseudonym or cohort").FillAsync("E025");
        await Assertions.Expect(page.Locator("[data-testid=patient-table] tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=patient-table]")).ToContainTextAsync("ZSHX-E025");
        await ShotAsync(page, "site-patients");
    }

    [Fact]
    public async Task Coordinator_SeesEachBadRowOfARefusedFile()
    {
        var page = await SignInAsync("hwmu-coordinator");
        var csv = Path.Combine(Path.GetTempPath(), $"hwmu-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(csv, "pseudonym,treatment_arm,cohorts\nHWMU-F001,folfox,training\nHWMU-F002,chemo,training\nJane Doe,folfox,training\n");

        await page.GotoAsync("/sites/HWMU/import");
        await WaitForCircuitAsync(page);
        await ChooseFileAsync(page, csv);
        var start = page.Locator("[data-testid=import-start]");
        await Assertions.Expect(start).ToBeEnabledAsync();
        await start.ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=import-status]")).ToHaveTextAsync("Rejected", new() { Timeout = 60_000 });
        var errors = page.Locator("[data-testid=import-errors] tbody tr");
        await Assertions.Expect(errors).ToHaveCountAsync(2);
        await Assertions.Expect(errors.Nth(0)).ToContainTextAsync("chemo");
        await Assertions.Expect(errors.Nth(1)).ToContainTextAsync("must start with the site code");
        await ShotAsync(page, "import-refused");
    }

    [Fact]
    public async Task Coordinator_RegistersAPatient_AndTheClinicalFormRefusesBadValues()
    {
        var page = await SignInAsync("zsh-coordinator");
        await page.GotoAsync("/sites/ZSH");
        await WaitForCircuitAsync(page);
        var pseudonym = $"ZSH-W{Random.Shared.Next(100000, 999999)}";
        await page.FillAsync("[data-testid=register-pseudonym]", pseudonym);
        var form = page.Locator(".mud-paper", new() { HasText = "Register a patient" });
        await form.Locator(".mud-select", new() { HasText = "Treatment arm" }).First.ClickAsync();
        // The choices open in a popover at the end of the page, not inside the form.
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "FOLFOX + bevacizumab" }).ClickAsync();
        // MudSelect takes the choice as it closes its popover: a submit sent before that (the clean-clone run under load)
        // validated an empty arm. Submit once the popover is closed, as a person would.
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await page.ClickAsync("[data-testid=register-submit]");
        await Assertions.Expect(page.Locator("[data-testid=patient-pseudonym]")).ToHaveTextAsync(pseudonym, new() { Timeout = 30_000 });

        await page.FillAsync("[data-testid=cea_ng_ml]", "-5");
        await page.FillAsync("[data-testid=age_years]", "95");
        await page.Locator("[data-testid=form-save]").First.ClickAsync();

        var summary = page.Locator("[data-testid=form-errors]").First;
        await Assertions.Expect(summary).ToContainTextAsync("CEA must be between 0 and 100000 ng/ml");
        await Assertions.Expect(summary).ToContainTextAsync("enter 90 for 90 or older");
        await ShotAsync(page, "clinical-form-errors");
    }

    [Fact]
    public async Task Coordinator_SendsAPatientsPetCtInThePage_AndSeesBothSeriesStored()
    {
        var pseudonym = demo.PatientsWithoutImages("ZSH")[^1];
        using var api = await demo.SignInAsync("zsh-coordinator");
        var patients = await api.GetFromJsonAsync<System.Text.Json.JsonElement[]>("/api/sites/ZSH/patients");
        var id = patients!.Single(p => p.GetProperty("pseudonym").GetString() == pseudonym).GetProperty("id").GetString();
        var files = Directory.GetFiles(Path.Combine(demo.DataDirectory, "synthetic", "small-seed-1", "sites", "ZSH", "dicom", pseudonym), "*.dcm", SearchOption.AllDirectories);
        var page = await SignInAsync("zsh-coordinator");

        await page.GotoAsync($"/patients/{id}");
        await WaitForCircuitAsync(page);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Images" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=no-series]")).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=image-files]')?._blazorInputFileNextFileId !== undefined");
        await page.SetInputFilesAsync("[data-testid=image-files]", files);

        await Assertions.Expect(page.Locator("[data-testid=upload-summary]")).ToContainTextAsync($"Stored: {files.Length} new files", new() { Timeout = 120_000 });
        var rows = page.Locator("[data-testid=series-table] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("PET");
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("bqml-start-series-time");
        await ShotAsync(page, "images-stored");
    }

    [Fact]
    public async Task ContentSecurityPolicy_RefusesAnInjectedInlineScript_AndTheBrowserTestsSeeTheViolation()
    {
        var page = await SignInAsync("reviewer");

        // What an injected script would try: run inline code and load code from another origin.
        var ran = await page.EvaluateAsync<bool>("""
            () => {
              const inline = document.createElement('script');
              inline.textContent = 'window.__derbyInjected = true;';
              document.head.appendChild(inline);
              return window.__derbyInjected === true;
            }
            """);
        await page.WaitForFunctionAsync("() => true");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        IReadOnlyList<string> seen = [];
        while (seen.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            seen = chromium!.TakeCspViolations();
        }

        Assert.False(ran);
        Assert.Contains(seen, v => v.Contains("Refused", StringComparison.Ordinal));
    }
}
