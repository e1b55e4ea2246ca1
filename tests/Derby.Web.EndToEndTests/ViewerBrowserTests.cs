using Microsoft.Playwright;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// The PET/CT viewer in a real browser (Debian's chromium, WebGL through its software renderer): a site coordinator opens
/// a demo patient's images (stored by ./derby demo), sees CT, fusion and PET drawn, reads the SUV under the cursor, draws
/// a lesion box with the mouse and gets its PET voxel indices, and leaves the page with no rendering engine left behind.
/// Screenshots are kept in artifacts/e2e.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class ViewerBrowserTests(DemoServer demo) : IAsyncLifetime
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

    /// <summary>A browser page signed in as <paramref name="user"/>, with the browser console collected for failure messages.</summary>
    private async Task<(IPage Page, List<string> Console)> SignedInPageAsync(string user)
    {
        var console = new List<string>();
        return (await chromium!.SignedInPageAsync(demo, user, 1400, 950, console), console);
    }

    [Fact]
    public async Task Coordinator_ViewsPetCt_ReadsSuv_AndDrawsALesionBox()
    {
        using var api = await demo.SignInAsync("zsh-coordinator");
        var patients = await api.GetFromJsonAsync<System.Text.Json.JsonElement[]>("/api/sites/ZSH/patients");
        var id = patients!.Single(p => p.GetProperty("pseudonym").GetString() == "ZSH-0001").GetProperty("id").GetString();
        var petFiles = Directory.GetFiles(Path.Combine(demo.DataDirectory, "synthetic", "small-seed-1", "sites", "ZSH", "dicom", "ZSH-0001", "PT"), "*.dcm").Length;

        var (page, console) = await SignedInPageAsync("zsh-coordinator");

        // The patient page's images tab links to the viewer.
        await page.GotoAsync($"/patients/{id}");
        await page.WaitForSelectorAsync("[data-testid=interactive]", new() { State = WaitForSelectorState.Attached });
        await page.GetByRole(AriaRole.Tab, new() { Name = "Images" }).ClickAsync();
        await page.Locator("[data-testid=open-viewer]").ClickAsync();
        await page.WaitForURLAsync($"**/patients/{id}/viewer");
        await page.WaitForSelectorAsync("[data-testid=interactive]", new() { State = WaitForSelectorState.Attached });
        try
        {
            await page.WaitForSelectorAsync("[data-testid=petct-viewer][data-state=ready]", new() { Timeout = 120_000 });
        }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(DemoServer.ArtefactDirectory, "viewer-timeout.png"), FullPage = true });
            throw new TimeoutException("The viewer did not get ready. Browser console:\n" + string.Join('\n', console));
        }

        // Rendering is asynchronous after load: wait until each canvas shows an image.
        foreach (var viewport in new[] { "ct-viewport", "pet-viewport", "fusion-viewport" })
        {
            await page.WaitForFunctionAsync($"(s) => ({DebianChromium.DrawnFraction})(s) > 0.05", $"[data-testid={viewport}]", new() { Timeout = 60_000, PollingInterval = 500 });
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(DemoServer.ArtefactDirectory, "viewer-loaded.png"), FullPage = true });

        // SUV under the cursor: the middle of the PET view is inside the body.
        var pet = await page.Locator("[data-testid=pet-viewport]").BoundingBoxAsync();
        var (cx, cy) = (pet!.X + pet.Width / 2, pet.Y + pet.Height / 2);
        await page.Mouse.MoveAsync(cx, cy);
        await page.Mouse.MoveAsync(cx + 3, cy + 2);
        await Assertions.Expect(page.Locator("[data-testid=suv-readout]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^SUV \d+\.\d\d$"));

        // A box drawn with the mouse on the PET view becomes PET voxel indices within its grid.
        await page.Mouse.MoveAsync(cx - 40, cy - 30);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(cx, cy, new() { Steps = 5 });
        await page.Mouse.MoveAsync(cx + 40, cy + 30, new() { Steps = 5 });
        await page.Mouse.UpAsync();
        var boxText = page.Locator("[data-testid=lesion-box]");
        await Assertions.Expect(boxText).ToBeVisibleAsync();
        var box = (await boxText.GetAttributeAsync("data-box"))!.Split(',').Select(int.Parse).ToArray();
        var grid = (await boxText.GetAttributeAsync("data-grid"))!.Split(',').Select(int.Parse).ToArray();
        Assert.Equal(petFiles, grid[2]);
        Assert.True(box[0] >= 0 && box[0] < box[3] && box[3] < grid[0], string.Join(",", box));
        Assert.True(box[1] >= 0 && box[1] < box[4] && box[4] < grid[1], string.Join(",", box));
        Assert.True(box[2] >= 0 && box[2] == box[5] && box[5] < grid[2], string.Join(",", box));
        // About 80 × 60 screen pixels across a view that shows the 48-voxel-wide grid over its width: some voxels, not all.
        Assert.InRange(box[3] - box[0], 2, 30);

        // Scroll a few slices and make that the last slice: the box gains depth.
        await page.Mouse.MoveAsync(cx, cy);
        for (var i = 0; i < 3; i++)
        {
            await page.Mouse.WheelAsync(0, 120);
            await Task.Delay(150);
        }

        await page.Locator("[data-testid=set-last-slice]").ClickAsync();
        await Assertions.Expect(boxText).Not.ToHaveAttributeAsync("data-box", string.Join(",", box));
        var deeper = (await boxText.GetAttributeAsync("data-box"))!.Split(',').Select(int.Parse).ToArray();
        Assert.True(deeper[5] > deeper[2], string.Join(",", deeper));
        Assert.Equal(box[..2], deeper[..2]);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DemoServer.ArtefactDirectory, "viewer-box.png"), FullPage = true });

        // The box shown as a mask (every voxel inside) lands wholly in the PET volume, over PET and CT; and it clears.
        await page.Locator("[data-testid=show-box-mask]").ClickAsync();
        var voxels = (deeper[3] - deeper[0] + 1) * (deeper[4] - deeper[1] + 1) * (deeper[5] - deeper[2] + 1);
        await Assertions.Expect(page.Locator("[data-testid=mask-voxels]")).ToHaveAttributeAsync("data-voxels", voxels.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.WaitForTimeoutAsync(500);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DemoServer.ArtefactDirectory, "viewer-mask.png"), FullPage = true });
        await page.Locator("[data-testid=clear-mask]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=mask-voxels]")).ToHaveCountAsync(0);

        // Leaving the page (within the circuit) tears the viewer down.
        await page.GetByRole(AriaRole.Link, new() { Name = "ZSH-0001", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"**/patients/{id}");
        await page.WaitForFunctionAsync("() => import('./Components/Viewer/PetCtViewer.razor.js').then(m => m.renderingEngineCount() === 0)",
            null, new() { Timeout = 15_000, PollingInterval = 250 });
    }

    [Fact]
    public async Task Coordinator_DrawsABox_SegmentsIt_SeesTheOverlay_AndAcceptsIt()
    {
        using var api = await demo.SignInAsync("zsh-coordinator");
        var patients = await api.GetFromJsonAsync<System.Text.Json.JsonElement[]>("/api/sites/ZSH/patients");
        var id = patients!.Single(p => p.GetProperty("pseudonym").GetString() == "ZSH-0002").GetProperty("id").GetString();

        var (page, console) = await SignedInPageAsync("zsh-coordinator");
        await page.GotoAsync($"/patients/{id}/viewer");
        await page.WaitForSelectorAsync("[data-testid=interactive]", new() { State = WaitForSelectorState.Attached });
        try
        {
            await page.WaitForSelectorAsync("[data-testid=petct-viewer][data-state=ready]", new() { Timeout = 120_000 });
            await page.WaitForFunctionAsync($"(s) => ({DebianChromium.DrawnFraction})(s) > 0.05", "[data-testid=pet-viewport]", new() { Timeout = 60_000, PollingInterval = 500 });
        }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(DemoServer.ArtefactDirectory, "segment-timeout.png"), FullPage = true });
            throw new TimeoutException("The viewer did not get ready. Browser console:\n" + string.Join('\n', console));
        }

        // The patient's largest lesion from the generator's ground truth, as a PET voxel box with a few mm of margin.
        using var truth = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(
            Path.Combine(demo.DataDirectory, "synthetic", "small-seed-1", "ground-truth", "truth.json")));
        var imaging = truth.RootElement.GetProperty("patients").EnumerateArray().Single(p => p.GetProperty("pseudonym").GetString() == "ZSH-0002").GetProperty("imaging");
        var grid = imaging.GetProperty("pet");
        double[] Numbers(System.Text.Json.JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var (first, spacing, thickness) = (Numbers(grid.GetProperty("first_position_mm")), Numbers(grid.GetProperty("pixel_spacing_mm")), grid.GetProperty("slice_thickness_mm").GetDouble());
        var lesion = imaging.GetProperty("lesions").EnumerateArray().MaxBy(l => l.GetProperty("diameter_cm").GetDouble());
        var (centre, axes) = (Numbers(lesion.GetProperty("center_mm")), Numbers(lesion.GetProperty("semi_axes_mm")));
        int Voxel(double mm, double origin, double step) => (int)Math.Round((mm - origin) / step);
        const double margin = 8;
        int[] target =
        [
            Voxel(centre[0] - axes[0] - margin, first[0], spacing[1]), Voxel(centre[1] - axes[1] - margin, first[1], spacing[0]), Voxel(centre[2] - axes[2] - margin, first[2], thickness),
            Voxel(centre[0] + axes[0] + margin, first[0], spacing[1]), Voxel(centre[1] + axes[1] + margin, first[1], spacing[0]), Voxel(centre[2] + axes[2] + margin, first[2], thickness),
        ];

        var pet = await page.Locator("[data-testid=pet-viewport]").BoundingBoxAsync();
        var (cx, cy) = (pet!.X + pet.Width / 2, pet.Y + pet.Height / 2);
        await page.Mouse.MoveAsync(cx, cy);
        async Task<int[]> ReadBox() => (await page.Locator("[data-testid=lesion-box]").GetAttributeAsync("data-box"))!.Split(',').Select(int.Parse).ToArray();
        async Task Drag(float x0, float y0, float x1, float y1)
        {
            await page.Mouse.MoveAsync(x0, y0);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync((x0 + x1) / 2, (y0 + y1) / 2, new() { Steps = 5 });
            await page.Mouse.MoveAsync(x1, y1, new() { Steps = 5 });
            await page.Mouse.UpAsync();
            await page.WaitForTimeoutAsync(300);
        }

        // Scrolls until the slice shown is z: `probe` reads the slice shown (the wheel's direction is learnt on the way).
        // In the upper right quarter: away from the lesion (left of the middle here), so the lesion rectangle starts clear of it.
        var (ax0, ay0, ax1, ay1) = (cx + pet.Width * 0.1f, cy - pet.Height * 0.4f, cx + pet.Width * 0.4f, cy - pet.Height * 0.1f);
        var direction = 1;
        async Task ScrollTo(int z, Func<Task<int>> probe)
        {
            var now = await probe();
            for (var attempt = 0; attempt < 40 && now != z; attempt++)
            {
                await page.Mouse.MoveAsync(cx, cy);
                await page.Mouse.WheelAsync(0, 120 * direction * Math.Sign(z - now));
                await page.WaitForTimeoutAsync(300);
                var after = await probe();
                if (Math.Abs(z - after) > Math.Abs(z - now))
                {
                    direction = -direction;
                }

                now = after;
            }

            Assert.True(now == z, $"could not scroll to slice {z}: {string.Join(",", await ReadBox())}");
        }

        // A rectangle drawn on the slice shown is one slice deep: its z is the slice shown. It also calibrates screen pixels
        // to PET voxels. Then: the lesion's first slice, its rectangle there, set as the first slice, and its last slice.
        async Task<int> ShownByDrawing()
        {
            await Drag(ax0, ay0, ax1, ay1);
            return (await ReadBox())[2];
        }

        await ScrollTo(target[2], ShownByDrawing);
        var calibration = await ReadBox();
        float Screen(double voxel, int b0, int b1, float s0, float s1) => (float)(s0 + (voxel - b0) * (s1 - s0) / (b1 - b0));
        await Drag(Screen(target[0] - 0.3, calibration[0], calibration[3], ax0, ax1), Screen(target[1] - 0.3, calibration[1], calibration[4], ay0, ay1),
            Screen(target[3] + 0.3, calibration[0], calibration[3], ax0, ax1), Screen(target[4] + 0.3, calibration[1], calibration[4], ay0, ay1));
        await page.Locator("[data-testid=set-first-slice]").ClickAsync();
        await ScrollTo(target[5], async () =>
        {
            await page.Locator("[data-testid=set-last-slice]").ClickAsync();
            await page.WaitForTimeoutAsync(250);
            return (await ReadBox())[5];
        });
        var box = await ReadBox();
        Assert.True(Math.Abs(box[0] - target[0]) <= 1 && Math.Abs(box[3] - target[3]) <= 1 && box[2] == target[2] && box[5] == target[5],
            $"box {string.Join(",", box)} for the lesion's {string.Join(",", target)}");

        // Segment: the job runs in the app's job server; the panel shows progress, then the measures and the overlay.
        await page.Locator("[data-testid=segment]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=lesion-status]")).ToHaveAttributeAsync("data-status", "segmented", new() { Timeout = 60_000 });
        var voxels = int.Parse((await page.Locator("[data-testid=lesion-voxels]").GetAttributeAsync("data-value"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(voxels > 0, "an empty segmentation");
        await Assertions.Expect(page.Locator("[data-testid=mask-voxels]")).ToHaveAttributeAsync("data-voxels", voxels.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Back to the lesion's middle slice for the picture.
        await page.Mouse.MoveAsync(cx, cy);
        for (var i = 0; i < (target[5] - target[2]) / 2; i++)
        {
            await page.Mouse.WheelAsync(0, -120 * direction);
            await page.WaitForTimeoutAsync(100);
        }

        await page.WaitForTimeoutAsync(500);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DemoServer.ArtefactDirectory, "viewer-segmented.png"), FullPage = true });

        // What the page shows is what the API stores.
        var lesions = await api.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/api/patients/{id}/lesions");
        var stored = Assert.Single(lesions!);
        Assert.Equal(voxels, stored.GetProperty("voxels").GetInt32());
        // At the demo's coarse 8 mm PET pixels the metabolic volume is still near the true ellipsoid's.
        var trueMl = lesion.GetProperty("volume_ml").GetDouble();
        Assert.InRange(stored.GetProperty("mtvMl").GetDouble(), trueMl * 0.75, trueMl * 1.25);
        Assert.Equal(box, (int[])[stored.GetProperty("box").GetProperty("x0").GetInt32(), stored.GetProperty("box").GetProperty("y0").GetInt32(),
            stored.GetProperty("box").GetProperty("z0").GetInt32(), stored.GetProperty("box").GetProperty("x1").GetInt32(),
            stored.GetProperty("box").GetProperty("y1").GetInt32(), stored.GetProperty("box").GetProperty("z1").GetInt32()]);

        // Accept: the 2.5D pairs are built by the next job, and the panel says how many.
        await page.Locator("[data-testid=accept-lesion]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=lesion-status]")).ToHaveAttributeAsync("data-status", "accepted");
        await Assertions.Expect(page.Locator("[data-testid=lesion-pairs]")).Not.ToHaveAttributeAsync("data-pairs", "0", new() { Timeout = 60_000 });
        // The pairs are shown under the lesion: the nearest CT slice and the PET crop, drawn, with the lesion's outline.
        var panel = page.Locator("[data-testid=gradcam-panel]");
        await Assertions.Expect(panel).Not.ToHaveAttributeAsync("data-pairs", "0", new() { Timeout = 30_000 });
        Assert.Equal(await page.Locator("[data-testid=lesion-pairs]").GetAttributeAsync("data-pairs"), await panel.GetAttributeAsync("data-pairs"));
        foreach (var canvas in new[] { "gradcam-ct", "gradcam-pet" })
        {
            await page.WaitForFunctionAsync($"(s) => ({DebianChromium.DrawnFraction})(s) > 0.05", $"[data-testid={canvas}]", new() { Timeout = 30_000, PollingInterval = 500 });
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(DemoServer.ArtefactDirectory, "viewer-accepted.png"), FullPage = true });
    }

    [Fact]
    public async Task Demo_StoresThePatientsImages_AndARerunStoresNothingTwice()
    {
        Assert.Matches(@"Demo images stored: PET and CT of 19 patients in \d+\.\d s", demo.Output);

        var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(DemoServer.RepositoryRoot(), "derby"), "demo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DemoServer.RepositoryRoot(),
        };
        start.Environment["Derby__DataDirectory"] = demo.DataDirectory;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Contains("Demo images already stored (19 patients", await stdout);
        Assert.DoesNotContain("Storing demo images", await stdout);
    }
}
