using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Derby.Application;
using Derby.Domain;
using Derby.Infrastructure;
using Derby.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Derby.Web.EndToEndTests;

/// <summary>
/// A data folder filled by <c>./derby demo</c> (study, accounts, synthetic PET/CT, lesions) for the fault and load tests,
/// which copy it for each run. Also the helpers those tests share: the command line, sign-in, STOW-RS.
/// </summary>
public sealed partial class StudyFolder
{
    private StudyFolder(string directory, IReadOnlyDictionary<string, string> passwords)
    {
        Directory = directory;
        Passwords = passwords;
    }

    public string Directory { get; }

    public IReadOnlyDictionary<string, string> Passwords { get; }

    /// <summary>Runs <c>./derby demo</c> into a new temporary folder.</summary>
    public static StudyFolder CreateDemo(string purpose)
    {
        var data = Path.Combine(Path.GetTempPath(), "derby-" + purpose, Guid.NewGuid().ToString("N"), "base");
        System.IO.Directory.CreateDirectory(data);
        var output = Cli(data, "demo");
        return new StudyFolder(data, DemoServer.LoginLine().Matches(output).ToDictionary(m => m.Groups["user"].Value, m => m.Groups["password"].Value));
    }

    /// <summary>A copy of this folder (database, stores, synthetic study): the same starting state for another run.</summary>
    public string CopyTo(string name)
    {
        var target = Path.Combine(Path.GetDirectoryName(Directory)!, name);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(Directory, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }

    public void Delete()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Path.GetDirectoryName(Directory)!, recursive: true);
        }
        catch (IOException)
        {
            // left for the OS to clean
        }
    }

    /// <summary>The synthetic PET and CT files of a demo patient (the demo leaves the last two of each site without images).</summary>
    public string[] DicomFilesOf(string pseudonym) => System.IO.Directory.GetFiles(
        Path.Combine(Directory, "synthetic", "small-seed-1", "sites", pseudonym.Split('-')[0], "dicom", pseudonym), "*.dcm", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal).ToArray();

    /// <summary>Issues a site API token with <c>./derby tokens issue</c> and returns its secret.</summary>
    public string IssueToken(string site) => Secret().Match(Cli(Directory, "tokens", "issue", "--site", site, "--name", "tests " + site)).Value;

    /// <summary>
    /// Adds what the DERBY model needs and the demo lacks (its training cohort is under the model's 10 patients, and it has
    /// no network): a trained network row without checkpoint, its mixture, and <paramref name="training"/> training and
    /// <paramref name="validation"/> external-validation patients at ZSH with a clinical record, an outcome and one
    /// accepted lesion whose 3-6 pairs carry F_img, the response following a hidden score that F_img and SUVmax carry
    /// (as tests/Derby.Infrastructure.Tests/ModelServiceTests.cs). Written through the app's own DbContext.
    /// </summary>
    public async Task SeedModelInputsAsync(int training, int validation)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Derby:DataDirectory"] = Directory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddApplicationServices().AddInfrastructureServices();
        using var host = builder.Build();
        await using var ctx = await host.Services.GetRequiredService<IDbContextFactory<DerbyDbContext>>().CreateDbContextAsync();
        var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var cohort = await ctx.Cohorts.SingleAsync(c => c.Code == "training");
        var network = new NetworkModel
        {
            Id = Guid.NewGuid(), Version = "net-faults", CohortId = cohort.Id, Status = NetworkModelStatus.Trained, SettingsJson = "{}", RequestedBy = "tests", RequestedUtc = now,
        };
        var mixture = new MixtureModel
        {
            Id = Guid.NewGuid(), NetworkModelId = network.Id, K = 3, CovarianceType = "Diagonal", BicJson = "[]", ParametersSha256 = new string('a', 64), TrainingPairs = 1,
            CreatedUtc = now,
        };
        ctx.NetworkModels.Add(network);
        ctx.MixtureModels.Add(mixture);
        await ctx.SaveChangesAsync();
        var random = new Random(7);
        var site = await ctx.Sites.SingleAsync(s => s.Code == "ZSH");
        foreach (var (code, n) in new[] { ("training", training), ("external-validation", validation) })
        {
            var member = await ctx.Cohorts.SingleAsync(c => c.Code == code);
            for (var i = 0; i < n; i++)
            {
                var z = Normal(random);
                var responder = random.NextDouble() < 1 / (1 + Math.Exp(-2.5 * z));
                var patient = new Patient { Id = Guid.NewGuid(), SiteId = site.Id, Pseudonym = $"ZSH-{(code == "training" ? 7000 : 8000) + i}", CreatedUtc = now };
                ctx.Patients.Add(patient);
                ctx.CohortMemberships.Add(new CohortMembership { CohortId = member.Id, PatientId = patient.Id });
                ctx.Outcomes.Add(new Outcome { PatientId = patient.Id, BestResponse = responder ? RecistResponse.PartialResponse : RecistResponse.ProgressiveDisease, UpdatedUtc = now });
                ctx.ClinicalRecords.Add(new ClinicalRecord
                {
                    PatientId = patient.Id, SuvMax = Math.Exp(2.3 + (0.25 * z) + (0.3 * Normal(random))), ClinicalRiskScore = random.Next(0, 5), CeaNgPerMl = Math.Exp(3 + Normal(random)),
                    Ca199UPerMl = Math.Exp(3 + Normal(random)), PrimarySite = random.Next(2) == 0 ? PrimarySite.Left : PrimarySite.Right, LiverMetastasisCount = random.Next(1, 9),
                    LargestDiameterCm = 2 + (4 * random.NextDouble()), Distribution = LiverDistribution.Bilobar, AgeYears = random.Next(35, 76), Sex = Sex.Male, UpdatedUtc = now,
                });
                var pet = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Pet, SeriesInstanceUid = $"1.2.826.0.1.7.{code.Length}.{i}.1", ReceivedUtc = now };
                var ct = new ImagingSeries { Id = Guid.NewGuid(), PatientId = patient.Id, Modality = ImagingModality.Ct, SeriesInstanceUid = $"1.2.826.0.1.7.{code.Length}.{i}.2", ReceivedUtc = now };
                ctx.ImagingSeries.AddRange(pet, ct);
                var lesion = new Lesion
                {
                    Id = Guid.NewGuid(), PatientId = patient.Id, PetSeriesId = pet.Id, SettingsJson = "{}", InputsSha256 = new string('0', 64), Status = LesionStatus.Accepted,
                    RequestedBy = "tests", RequestedUtc = now,
                };
                ctx.Lesions.Add(lesion);
                var count = random.Next(3, 7);
                var set = new PairSet
                {
                    Id = Guid.NewGuid(), LesionId = lesion.Id, CtSeriesId = ct.Id, SettingsJson = "{}", PairCount = count,
                    Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(patient.Id.ToByteArray())), CreatedUtc = now,
                };
                ctx.PairSets.Add(set);
                for (var k = 0; k < count; k++)
                {
                    var pair = new ImagePair { PairSetId = set.Id, Index = k, PetSlice = 10 + k, CtSlices = "1,2,3", RoiArea = random.Next(5, 60) };
                    ctx.ImagePairs.Add(pair);
                    var logits = new[] { (1.5 * z) + (0.7 * Normal(random)), (-1.5 * z) + (0.7 * Normal(random)), 0.7 * Normal(random) };
                    var exp = logits.Select(Math.Exp).ToArray();
                    ctx.PairImageFeatures.Add(new PairImageFeature { MixtureModelId = mixture.Id, ImagePair = pair, ResponsibilitiesJson = JsonSerializer.Serialize(exp.Select(e => e / exp.Sum())) });
                }
            }
        }

        await ctx.SaveChangesAsync();
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Runs <c>./derby</c> on a data folder and returns its standard output; fails the test when it fails.</summary>
    public static string Cli(string data, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DemoServer.RepositoryRoot() };
        start.ArgumentList.Add(Path.Combine(DemoServer.RepositoryRoot(), "derby"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["Derby__DataDirectory"] = data;
        start.Environment["DERBY_KILL_AT"] = "";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"derby {string.Join(' ', args)}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>A cookie-keeping client signed in through the real sign-in form, with the API's anti-forgery header set.</summary>
    public async Task<HttpClient> SignInAsync(Uri baseAddress, string user)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(2),
        };
        await DemoServer.SignInWithFormAsync(client, user, Passwords[user]);
        var antiforgery = await client.GetFromJsonAsync<JsonElement>("/api/antiforgery");
        client.DefaultRequestHeaders.Add(antiforgery.GetProperty("headerName").GetString()!, antiforgery.GetProperty("token").GetString());
        return client;
    }

    /// <summary>STOW-RS of files as one multipart/related; type="application/dicom" request.</summary>
    public static async Task<HttpResponseMessage> StowAsync(HttpClient client, IEnumerable<string> files, CancellationToken cancellationToken = default)
    {
        using var content = new MultipartContent("related", "derby-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var file in files)
        {
            var part = new ByteArrayContent(await File.ReadAllBytesAsync(file, cancellationToken));
            part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            content.Add(part);
        }

        return await client.PostAsync("/dicomweb/studies", content, cancellationToken);
    }

    /// <summary>A client of DICOMweb with a site API token.</summary>
    public static HttpClient TokenClient(Uri baseAddress, string token) => new()
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromMinutes(2),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };


    [GeneratedRegex(@"derby_[A-Za-z0-9_-]+")]
    private static partial Regex Secret();
}
