using System.CommandLine;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Imports;
using Derby.Domain;
using Derby.Imaging.Gdcm;
using Derby.Infrastructure;
using Derby.Synthetic;
using Microsoft.EntityFrameworkCore;
using Derby.Application.Study;
using Derby.Application.Users;
using Derby.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>Loads the demo study (the paper's sites and cohorts) and creates the demo accounts, printing new passwords once.</summary>
internal static class DemoCommand
{
    /// <summary>The demo accounts: one per role, a second reviewer (to adjudicate disagreements), and one coordinator per site.</summary>
    public static IReadOnlyList<(string User, string Role, string[] Sites)> Accounts { get; } =
    [
        ("admin", DerbyRoles.Admin, []),
        ("pi", DerbyRoles.PrincipalInvestigator, []),
        ("reviewer", DerbyRoles.Reviewer, []),
        ("reviewer-2", DerbyRoles.Reviewer, []),
        ("zsh-coordinator", DerbyRoles.SiteCoordinator, ["ZSH"]),
        ("zshx-coordinator", DerbyRoles.SiteCoordinator, ["ZSHX"]),
        ("hwmu-coordinator", DerbyRoles.SiteCoordinator, ["HWMU"]),
    ];

    public static Command Build()
    {
        var resetPasswords = new Option<bool>("--reset-passwords") { Description = "Give existing demo accounts new passwords and print them" };
        var scale = new Option<string>("--scale")
        {
            Description = "Synthetic study loaded into an empty database: small (25 patients, the default) or paper (389 patients; every imaged patient segmented)",
            DefaultValueFactory = _ => "small",
        };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the synthetic study", DefaultValueFactory = _ => 1 };
        var demo = new Command("demo", "Load the demo study (sites ZSH, ZSHX, HWMU and the paper's five cohorts) and create the demo accounts");
        demo.Options.Add(resetPasswords);
        demo.Options.Add(scale);
        demo.Options.Add(seed);
        demo.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            await services.GetRequiredService<DatabaseInitializer>().MigrateAsync(token);
            var added = await services.GetRequiredService<DemoStudy>().EnsureAsync(token);
            Console.WriteLine(added ? "Demo study loaded." : "Demo study already loaded.");
            var synthetic = new SyntheticDemo(StudyScale.Parse(parse.GetValue(scale)!), parse.GetValue(seed));
            await LoadSyntheticPatientsAsync(services, synthetic, token);
            await IngestSyntheticImagesAsync(services, synthetic, token);
            await SegmentDemoLesionsAsync(services, synthetic, token);

            var users = services.GetRequiredService<IUserAdministration>();
            var reset = parse.GetValue(resetPasswords);
            var rows = new List<(string User, string Role, string Password)>();
            foreach (var (user, role, sites) in Accounts)
            {
                if (!await users.ExistsAsync(user, token))
                {
                    rows.Add((user, role, await users.CreateAsync(AccessScope.System, user, role, sites, token)));
                }
                else if (reset)
                {
                    rows.Add((user, role, await users.ResetPasswordAsync(AccessScope.System, user, token)));
                }
                else
                {
                    rows.Add((user, role, "(unchanged: printed when created; ./derby demo --reset-passwords sets new ones)"));
                }
            }

            Console.WriteLine();
            Console.WriteLine("Demo logins (passwords are shown once and stored only as hashes):");
            foreach (var (user, role, password) in rows)
            {
                Console.WriteLine($"  {user,-18} {role,-22} {password}");
            }

            return 0;
        }, ct));
        return demo;
    }

    /// <summary>
    /// The synthetic study behind the demo: the small one (seed 1) by default; at paper scale every patient gets images and
    /// every imaged patient's lesions are segmented (nothing is left for the browser tests' hand-drawn boxes and uploads).
    /// </summary>
    private sealed record SyntheticDemo(StudyScale Scale, ulong Seed)
    {
        public bool IsSmall => Scale.Name == StudyScale.Small.Name;

        public string Folder(IServiceProvider services) =>
            Path.Combine(services.GetRequiredService<DerbyOptionsAccessor>().Value.DataPath, "synthetic", $"{Scale.Name}-seed-{Seed}");

        public int LeftForUploads => IsSmall ? PatientsLeftForUploadsPerSite : 0;

        public IReadOnlySet<string> ByHand => IsSmall ? DrawnByHand : new HashSet<string>();
    }

    /// <summary>
    /// Fills an empty demo study with the synthetic study: generated once into the data folder (CSV tables and PET/CT
    /// DICOM), its tables imported through the same all-or-nothing import as the web app.
    /// </summary>
    private static async Task LoadSyntheticPatientsAsync(IServiceProvider services, SyntheticDemo synthetic, CancellationToken token)
    {
        var dbFactory = services.GetRequiredService<IDerbyDbContextFactory>();
        await using (var db = await dbFactory.CreateAsync(token))
        {
            if (await db.Patients.AnyAsync(token))
            {
                Console.WriteLine("Demo patients already loaded.");
                return;
            }
        }

        var folder = synthetic.Folder(services);
        if (!File.Exists(Path.Combine(folder, "ground-truth", "truth.json")))
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(new SyntheticStudyOptions(folder, synthetic.Seed, synthetic.Scale), cancellationToken: token);
        }

        var imports = services.GetRequiredService<CsvImportService>();
        var total = 0;
        foreach (var site in Directory.EnumerateDirectories(Path.Combine(folder, "sites")).Order(StringComparer.Ordinal))
        {
            foreach (var format in ImportFormat.All)
            {
                var path = Path.Combine(site, format.FileName);
                await using var stream = File.OpenRead(path);
                var run = await imports.StartAsync(AccessScope.System, Path.GetFileName(site), format.Kind, format.FileName, stream, token);
                await imports.RunAsync(run.Id, token);
                run = (await imports.GetAsync(AccessScope.System, run.Id, token))!;
                if (run.Status != ImportStatus.Succeeded)
                {
                    throw new InvalidOperationException($"Demo import of {path} was refused: {string.Join("; ", CsvImportService.ErrorsOf(run))}");
                }

                total += format.Kind == ImportKind.Patients ? run.WrittenRows : 0;
            }
        }

        Console.WriteLine($"Demo patients loaded: {total} synthetic patients (images in {Path.Combine(folder, "sites")}).");
    }

    /// <summary>Imaged patients the browser tests segment by hand: the synthetic physician leaves them alone.</summary>
    public static readonly IReadOnlySet<string> DrawnByHand = new HashSet<string>(StringComparer.Ordinal) { "ZSH-0001", "ZSH-0002" };

    /// <summary>
    /// The synthetic physician (<c>derby lesion from-truth</c>) on the demo's imaged patients, except <see cref="DrawnByHand"/>:
    /// every true lesion of 1.5 cm or more segmented, accepted and paired, so the network can be trained on the demo
    /// right away. Once only: patients whose lesions are done are skipped without reading their images.
    /// </summary>
    private static async Task SegmentDemoLesionsAsync(IServiceProvider services, SyntheticDemo synthetic, CancellationToken token)
    {
        var truth = Path.Combine(synthetic.Folder(services), "ground-truth", "truth.json");
        if (!File.Exists(truth))
        {
            return;
        }

        var result = await TruthLesions.RunAsync(services, TruthLesions.Read(truth), 1.5, synthetic.ByHand, null, token);
        var left = synthetic.ByHand.Count > 0 ? $"; {string.Join(" and ", synthetic.ByHand)} are left for drawing by hand" : "";
        Console.WriteLine($"Demo lesions (synthetic physician, true lesions of 1.5 cm or more{left}): " +
            $"{result.Accepted} accepted with {result.Pairs} pairs on {result.Patients} patients ({result.Empty} empty, {result.Failed} failed) in {result.Seconds:0.0} s.");
    }

    /// <summary>
    /// How many patients of each site (the last ones by pseudonym) the demo leaves without images, so that sending images
    /// (the page, STOW-RS) can be tried on them; the end-to-end tests do.
    /// </summary>
    public const int PatientsLeftForUploadsPerSite = 2;

    /// <summary>
    /// Stores the PET and CT series of the synthetic patients (all but the last <see cref="PatientsLeftForUploadsPerSite"/>
    /// of each site) through the real ingestion (de-identification gate, series assembly, store), so the viewer has
    /// images to show, once: patients that already have images are skipped, so a re-run ingests nothing twice. Measured on
    /// a shared 2-core machine: 19 patients (about 2,950 files) in about 13 s on the first start, nothing on later ones.
    /// </summary>
    private static async Task IngestSyntheticImagesAsync(IServiceProvider services, SyntheticDemo synthetic, CancellationToken token)
    {
        var folder = Path.Combine(synthetic.Folder(services), "sites");
        if (!Directory.Exists(folder))
        {
            return;
        }

        var dbFactory = services.GetRequiredService<IDerbyDbContextFactory>();
        var ingest = services.GetRequiredService<Derby.Application.Imaging.DicomIngestService>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int stored = 0, present = 0;
        foreach (var site in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var dicom = Path.Combine(site, "dicom");
            if (!Directory.Exists(dicom))
            {
                continue;
            }

            var patientFolders = Directory.EnumerateDirectories(dicom).Order(StringComparer.Ordinal).ToList();
            foreach (var patientFolder in patientFolders.Take(patientFolders.Count - synthetic.LeftForUploads))
            {
                var pseudonym = Path.GetFileName(patientFolder);
                Guid? id;
                bool hasImages;
                await using (var db = await dbFactory.CreateAsync(token))
                {
                    id = await db.Patients.Where(p => p.Pseudonym == pseudonym).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(token);
                    hasImages = id is not null && await db.ImagingSeries.AnyAsync(s => s.PatientId == id, token);
                }

                if (id is null)
                {
                    continue;
                }

                if (hasImages)
                {
                    present++;
                    continue;
                }

                var files = Directory.GetFiles(patientFolder, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
                Console.Write($"\rStoring demo images: {pseudonym} ({files.Count} files)...   ");
                var result = await ingest.IngestAsync(AccessScope.System, id.Value, files, cancellationToken: token);
                if (!result.Accepted)
                {
                    Console.WriteLine();
                    Console.WriteLine($"Demo images of {pseudonym} were refused: {string.Join("; ", result.Series.SelectMany(x => x.Reasons).Take(5))}");
                    continue;
                }

                stored++;
            }
        }

        if (stored > 0)
        {
            Console.WriteLine();
        }

        Console.WriteLine(stored > 0
            ? $"Demo images stored: PET and CT of {stored} patients in {watch.Elapsed.TotalSeconds:0.0} s (the last {synthetic.LeftForUploads} patients of each site are left without images, for trying uploads)."
            : $"Demo images already stored ({present} patients; the last {synthetic.LeftForUploads} of each site are left for trying uploads).");
    }
}
