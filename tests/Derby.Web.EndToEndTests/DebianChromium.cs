using Microsoft.Playwright;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// Debian's chromium driven by Playwright, one per browser test class: never a downloaded browser, and flags that keep it
/// off the network beyond the app. Gives pages of the demo app signed in as one of its users.
/// </summary>
public sealed class DebianChromium : IAsyncDisposable
{
    private readonly IPlaywright playwright;
    private readonly List<string> cspViolations = [];

    private DebianChromium(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        Browser = browser;
    }

    /// <summary>Pixels of a canvas (the element, or the first canvas inside it) that differ clearly from its corner (the background), as a fraction.</summary>
    public const string DrawnFraction = """
        (selector) => {
          const element = document.querySelector(selector);
          const canvas = element?.tagName === 'CANVAS' ? element : element?.querySelector('canvas');
          if (!canvas || canvas.width === 0) return 0;
          const copy = document.createElement('canvas');
          copy.width = canvas.width; copy.height = canvas.height;
          const ctx = copy.getContext('2d');
          ctx.drawImage(canvas, 0, 0);
          const d = ctx.getImageData(0, 0, copy.width, copy.height).data;
          const [r0, g0, b0] = [d[0], d[1], d[2]];
          let n = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (Math.abs(d[i] - r0) + Math.abs(d[i + 1] - g0) + Math.abs(d[i + 2] - b0) > 30) n++;
          }
          return n / (d.length / 4);
        }
        """;

    public IBrowser Browser { get; }

    /// <summary>
    /// Content-Security-Policy violations seen by any page this browser opened (console "Refused to ..." messages and
    /// securitypolicyviolation events). <see cref="DisposeAsync"/> fails the test when there is any: the app's policy
    /// must hold for everything the browser tests do, so it is asserted, not assumed.
    /// </summary>
    public IReadOnlyList<string> CspViolations
    {
        get
        {
            lock (cspViolations)
            {
                return [.. cspViolations];
            }
        }
    }

    /// <summary>Returns the violations seen so far and forgets them (for a test that provokes one on purpose).</summary>
    public IReadOnlyList<string> TakeCspViolations()
    {
        lock (cspViolations)
        {
            var taken = cspViolations.ToList();
            cspViolations.Clear();
            return taken;
        }
    }

    /// <summary>Reports every securitypolicyviolation event of the page (and of frames) on the console, where it is collected.</summary>
    private const string ReportViolations = """
        document.addEventListener('securitypolicyviolation', e =>
          console.error(`Refused by the Content-Security-Policy (securitypolicyviolation): ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || document.location.href}:${e.lineNumber}`));
        """;

    private static bool IsCspViolation(string text) =>
        text.Contains("Refused to", StringComparison.Ordinal) || text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
        || text.Contains("Content-Security-Policy", StringComparison.OrdinalIgnoreCase) || text.Contains("securitypolicyviolation", StringComparison.Ordinal);

    private void Watch(IPage page)
    {
        page.Console += (_, m) =>
        {
            if (IsCspViolation(m.Text))
            {
                lock (cspViolations)
                {
                    cspViolations.Add($"{page.Url}: {m.Type}: {m.Text}");
                }
            }
        };
        // Workers (the viewer's decoders) log their own violations on their own console.
        page.Worker += (_, worker) => worker.Console += (_, m) =>
        {
            if (IsCspViolation(m.Text))
            {
                lock (cspViolations)
                {
                    cspViolations.Add($"worker {worker.Url}: {m.Type}: {m.Text}");
                }
            }
        };
    }

    public static async Task<DebianChromium> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Environment.GetEnvironmentVariable("DERBY_CHROMIUM") ?? "/usr/bin/chromium",
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
            });
            return new DebianChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A new page of <paramref name="demo"/> (default timeout 30 s) signed in as <paramref name="user"/>, at the overview.
    /// The browser's console messages go to <paramref name="console"/> when one is given, from the first request on.
    /// </summary>
    public async Task<IPage> SignedInPageAsync(DemoServer demo, string user, int width, int height, List<string>? console = null)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = demo.BaseAddress.ToString() });
        page.SetDefaultTimeout(30_000);
        await page.AddInitScriptAsync(ReportViolations);
        Watch(page);
        if (console is not null)
        {
            page.Console += (_, m) => console.Add($"{m.Type}: {m.Text}");
        }

        await page.GotoAsync("/");
        await page.FillAsync("#userName", user);
        await page.FillAsync("#password", demo.Passwords[user]);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=study-summary]");
        return page;
    }

    /// <summary>Closes the browser, then fails the test if any page met a Content-Security-Policy violation.</summary>
    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
        var violations = CspViolations;
        Assert.True(violations.Count == 0, $"{violations.Count} Content-Security-Policy violation(s):\n" + string.Join('\n', violations));
    }
}
