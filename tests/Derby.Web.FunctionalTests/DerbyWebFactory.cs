using Derby.Application.Access;
using Derby.Application.Patients;
using Derby.Application.Study;
using Derby.Application.Users;
using Derby.Domain;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Web.FunctionalTests;

/// <summary>
/// The real web app (real SQLite database and Hangfire storage in a temporary folder, in-process job server) with the
/// demo study, one account per role, and one patient at ZSH and one at HWMU.
/// </summary>
public sealed class DerbyWebFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "derby-web-tests", Guid.NewGuid().ToString("N"));
    private readonly List<OpenTelemetry.Metrics.Metric> exportedMetrics = [];

    /// <summary>The app's data folder (database, job storage, stores, probes).</summary>
    public string DataDirectory => dataDirectory;

    /// <summary>Spans the app's OpenTelemetry set-up exported (in-memory exporter added by the factory).</summary>
    public List<System.Diagnostics.Activity> Activities { get; } = [];

    public Dictionary<string, string> Passwords { get; } = [];

    public Guid ZshPatientId { get; private set; }

    public Guid HwmuPatientId { get; private set; }

    public Guid HwmuImportId { get; private set; }

    public static IReadOnlyList<(string User, string Role, string[] Sites)> Accounts { get; } =
    [
        ("admin", DerbyRoles.Admin, []),
        ("pi", DerbyRoles.PrincipalInvestigator, []),
        ("reviewer", DerbyRoles.Reviewer, []),
        ("zsh-coordinator", DerbyRoles.SiteCoordinator, ["ZSH"]),
        ("hwmu-coordinator", DerbyRoles.SiteCoordinator, ["HWMU"]),
        ("zshx-coordinator", DerbyRoles.SiteCoordinator, ["ZSHX"]),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Package assets (_content/...: MudBlazor, plotly.js) from the NuGet cache, as in Development; publish copies them into wwwroot.
        builder.UseStaticWebAssets();
        builder.UseSetting("Derby:DataDirectory", dataDirectory);
        builder.UseSetting("Derby:Jobs:WorkerCount", "1");
        // The test client speaks plain HTTP, as the loopback demo: cookies without Secure (SecurityHeaderTests covers HTTPS).
        builder.UseSetting("Derby:Security:HttpsCookies", "false");
        // In-memory exporters beside the app's own set-up (which exports nothing without OTEL_EXPORTER_OTLP_ENDPOINT).
        builder.ConfigureServices(services => InMemoryTelemetry.Add(services, Activities, exportedMetrics));
    }

    /// <summary>Collects the metrics now and returns what the exporter got (cumulative since start).</summary>
    public IReadOnlyList<OpenTelemetry.Metrics.Metric> CollectMetrics()
    {
        lock (exportedMetrics)
        {
            exportedMetrics.Clear();
            InMemoryTelemetry.Flush(Services);
            return [.. exportedMetrics];
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dataDirectory);
        _ = Server; // starts the app: migrations run at start-up
        await using var scope = Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        await sp.GetRequiredService<DemoStudy>().EnsureAsync();
        var users = sp.GetRequiredService<IUserAdministration>();
        foreach (var (user, role, sites) in Accounts)
        {
            Passwords[user] = await users.CreateAsync(AccessScope.System, user, role, sites);
        }

        var patients = sp.GetRequiredService<PatientService>();
        ZshPatientId = (await patients.RegisterAsync(AccessScope.System, "ZSH",
            new PatientInput { Pseudonym = "ZSH-A0001", TreatmentArm = TreatmentArm.FolfoxBevacizumab, CohortCodes = ["training"] })).Id;
        HwmuPatientId = (await patients.RegisterAsync(AccessScope.System, "HWMU",
            new PatientInput { Pseudonym = "HWMU-B0001", TreatmentArm = TreatmentArm.FolfoxBevacizumab, CohortCodes = ["external-validation"] })).Id;

        var imports = sp.GetRequiredService<Derby.Application.Imports.CsvImportService>();
        var run = await imports.StartAsync(AccessScope.System, "HWMU", ImportKind.Patients, "hwmu.csv",
            new MemoryStream("pseudonym,treatment_arm,cohorts\nHWMU-B0001,folfox_bevacizumab,external-validation\n"u8.ToArray()));
        HwmuImportId = run.Id;
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Hangfire's storage may still hold its file for a moment; the temporary folder is the OS's to clean.
        }
    }

    /// <summary>A client that keeps cookies and does not follow redirects, so tests see each status code.</summary>
    public HttpClient Anonymous() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public async Task<HttpClient> SignInAsync(string user)
    {
        var client = Anonymous();
        var response = await SignInAsync(client, user, Passwords[user]);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return client;
    }

    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password)
    {
        var page = await client.GetStringAsync("/account/login");
        var token = Html.InputValue(page, "__RequestVerificationToken");
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = user,
            ["password"] = password,
            ["returnUrl"] = "/",
            ["__RequestVerificationToken"] = token,
        }));
    }

    /// <summary>Gets an anti-forgery token for state-changing API calls and sets it as the default header.</summary>
    public static async Task UseAntiforgeryAsync(HttpClient client)
    {
        var json = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/antiforgery");
        client.DefaultRequestHeaders.Remove("X-XSRF-TOKEN");
        client.DefaultRequestHeaders.Add("X-XSRF-TOKEN", json.GetProperty("token").GetString());
    }
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<DerbyWebFactory>
{
    public const string Name = "web";
}
