using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Imaging;
using Derby.Application.Imports;
using Derby.Domain;
using Derby.Imaging.Gdcm;
using Derby.Synthetic;
using Derby.Synthetic.Output;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

/// <summary>A small synthetic study with one patient per fault, generated once for the ingestion tests (read only).</summary>
public sealed class IngestStudy : IDisposable
{
    public IngestStudy()
    {
        Folder = Path.Combine(Path.GetTempPath(), "derby-ingest-study", Guid.NewGuid().ToString("N"));
        Truth = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(new SyntheticStudyOptions(Folder, 31, StudyScale.Small)
        {
            Faults = [FaultKind.Phi, FaultKind.MissingSlice, FaultKind.InconsistentSpacing, FaultKind.MissingDose],
        }).Truth;
    }

    public string Folder { get; }

    public GroundTruth Truth { get; }

    public void Dispose() => Directory.Delete(Folder, true);
}

/// <summary>A synthetic study's DICOM sent into the platform: accepted whole, refused whole, never duplicated.</summary>
public sealed class DicomIngestTests(IngestStudy synthetic) : IAsyncLifetime, IClassFixture<IngestStudy>
{
    private readonly GroundTruth truth = synthetic.Truth;
    private readonly string study = synthetic.Folder;
    private StudyDatabase db = default!;

    public async Task InitializeAsync()
    {
        db = await StudyDatabase.CreateAsync();
        var imports = db.Get<CsvImportService>();
        foreach (var site in new[] { "ZSH", "ZSHX", "HWMU" })
        {
            await using var stream = File.OpenRead(Path.Combine(study, "sites", site, "patients.csv"));
            var run = await imports.StartAsync(AccessScope.System, site, ImportKind.Patients, "patients.csv", stream);
            await imports.RunAsync(run.Id);
        }
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private async Task<Guid> IdOf(string pseudonym)
    {
        await using var ctx = db.Context();
        return await ctx.Patients.Where(p => p.Pseudonym == pseudonym).Select(p => p.Id).SingleAsync();
    }

    private List<string> FilesOf(PatientTruth p) =>
        Directory.EnumerateFiles(Path.Combine(study, "sites", p.Site, "dicom", p.Pseudonym), "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    private PatientTruth Clean(int skip = 0) => truth.Patients.Where(p => truth.Faults.All(f => f.Pseudonym != p.Pseudonym)).Skip(skip).First();

    private PatientTruth Faulty(FaultKind kind) => truth.Patients.Single(p => p.Pseudonym == truth.Faults.Single(f => f.Kind == kind.ToString()).Pseudonym);

    [Fact]
    public async Task CleanPatient_IsStoredWhole_WithGeometryAndSuvFactor()
    {
        var patient = Clean();
        var service = db.Get<DicomIngestService>();

        var result = await service.IngestAsync(AccessScope.System, await IdOf(patient.Pseudonym), FilesOf(patient));

        Assert.True(result.Accepted, string.Join("; ", result.FileResults.SelectMany(f => f.Reasons).Concat(result.Series.SelectMany(s => s.Reasons))));
        Assert.Equal(patient.Imaging!.Pet.Slices + patient.Imaging.Ct.Slices, result.Stored);
        await using var ctx = db.Context();
        var series = await ctx.ImagingSeries.Include(s => s.Instances).Where(s => s.Patient!.Pseudonym == patient.Pseudonym).ToListAsync();
        var pet = series.Single(s => s.Modality == ImagingModality.Pet);
        var ct = series.Single(s => s.Modality == ImagingModality.Ct);
        Assert.Equal(patient.Imaging.SuvFactor, pet.SuvFactor!.Value, patient.Imaging.SuvFactor * 1e-12);
        Assert.Equal("bqml-start-series-time", pet.SuvRule);
        Assert.Equal(patient.Imaging.Pet.SliceThicknessMm, pet.SliceSpacingMm, 1e-6);
        Assert.Equal(patient.Imaging.Ct.Slices, ct.Instances.Count);
        Assert.Equal(pet.FrameOfReferenceUid, ct.FrameOfReferenceUid);
        Assert.Equal(Enumerable.Range(0, ct.Instances.Count), ct.Instances.OrderBy(i => i.PositionMm).Select(i => i.SliceIndex));
        Assert.All(ct.Instances, i => Assert.True(File.Exists(db.Get<IDicomStore>().PathOf(i.Sha256))));
    }

    [Fact]
    public async Task SendingTheSameFilesAgain_StoresNothingNew()
    {
        var patient = Clean(1);
        var service = db.Get<DicomIngestService>();
        var id = await IdOf(patient.Pseudonym);

        var first = await service.IngestAsync(AccessScope.System, id, FilesOf(patient));
        var second = await service.IngestAsync(AccessScope.System, id, FilesOf(patient).AsEnumerable().Reverse().ToList());

        Assert.True(first.Accepted && second.Accepted);
        Assert.Equal(0, second.Stored);
        Assert.Equal(first.Stored, second.AlreadyStored);
        await using var ctx = db.Context();
        Assert.Equal(2, await ctx.ImagingSeries.CountAsync(s => s.PatientId == id));
        Assert.Equal(first.Stored, await ctx.ImagingInstances.CountAsync(i => i.Series!.PatientId == id));
    }

    [Theory]
    [InlineData(FaultKind.Phi, "Patient's Birth Date present")]
    [InlineData(FaultKind.MissingSlice, "missing")]
    [InlineData(FaultKind.InconsistentSpacing, "spacing")]
    [InlineData(FaultKind.MissingDose, "(0018,1074)")]
    public async Task FaultyPatient_IsRefusedWhole_WithTheReason_AndNothingStored(FaultKind kind, string reason)
    {
        var patient = Faulty(kind);

        var result = await db.Get<DicomIngestService>().IngestAsync(AccessScope.System, await IdOf(patient.Pseudonym), FilesOf(patient));

        Assert.False(result.Accepted);
        Assert.Contains(result.FileResults.SelectMany(f => f.Reasons).Concat(result.Series.SelectMany(s => s.Reasons)), r => r.Contains(reason, StringComparison.OrdinalIgnoreCase));
        await using var ctx = db.Context();
        Assert.Equal(0, await ctx.ImagingInstances.CountAsync(i => i.Series!.Patient!.Pseudonym == patient.Pseudonym));
        var store = Path.Combine(db.DataDirectory, "dicom");
        Assert.False(Directory.Exists(store) && Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories).Any(), "files of a refused upload were stored");
    }

    [Fact]
    public async Task AnotherPatientsFiles_AreRefused_ForTheirPatientId()
    {
        var a = Clean(2);
        var b = truth.Patients.First(p => p.Site == a.Site && p.Pseudonym != a.Pseudonym);

        var result = await db.Get<DicomIngestService>().IngestAsync(AccessScope.System, await IdOf(b.Pseudonym), FilesOf(a));

        Assert.False(result.Accepted);
        Assert.Contains(result.FileResults.SelectMany(f => f.Reasons), r => r.Contains($"is not the case's pseudonym '{b.Pseudonym}'"));
    }

    [Fact]
    public async Task NonDicomFiles_AreRefused_WithAReason()
    {
        var patient = Clean(3);
        var junk = Path.Combine(db.DataDirectory, "notes.txt");
        await File.WriteAllTextAsync(junk, "not an image");

        var result = await db.Get<DicomIngestService>().IngestAsync(AccessScope.System, await IdOf(patient.Pseudonym), [.. FilesOf(patient), junk]);

        Assert.False(result.Accepted);
        Assert.Contains(result.FileResults, f => f.File == "notes.txt" && f.Reasons.Any(r => r.Contains("not a readable DICOM file")));
    }

    [Fact]
    public async Task CoordinatorsOfOtherSites_CannotSendImages()
    {
        var patient = Clean();
        await using var ctx = db.Context();
        var otherSite = await ctx.Sites.Where(s => s.Code != patient.Site).Select(s => s.Id).FirstAsync();
        var coordinator = new AccessScope("c", new HashSet<string> { DerbyRoles.SiteCoordinator }, new HashSet<int> { otherSite });

        await Assert.ThrowsAsync<NotFoundException>(() => db.Get<DicomIngestService>().IngestAsync(coordinator, IdOf(patient.Pseudonym).Result, FilesOf(patient)));
    }

    [Fact]
    public async Task IngestKilledBeforeItsCommit_LeavesNoRows_AndTheRerunStoresItOnce()
    {
        var patient = Clean(4);
        var folder = Path.Combine(study, "sites", patient.Site, "dicom", patient.Pseudonym);

        var killed = await Cli.RunAsync(db.DataDirectory, "dicom.commit:1", "dicom", "ingest", "--patient", patient.Pseudonym, folder);

        Assert.NotEqual(0, killed.ExitCode);
        Assert.Contains("fault point 'dicom.commit' reached", killed.StdErr);
        await using (var ctx = db.Context())
        {
            Assert.Equal(0, await ctx.ImagingSeries.CountAsync());
            Assert.Equal(0, await ctx.ImagingInstances.CountAsync());
        }

        var rerun = await Cli.RunAsync(db.DataDirectory, null, "dicom", "ingest", "--patient", patient.Pseudonym, folder);

        Assert.True(rerun.ExitCode == 0, rerun.StdErr);
        await using (var ctx = db.Context())
        {
            Assert.Equal(2, await ctx.ImagingSeries.CountAsync());
            Assert.Equal(patient.Imaging!.Pet.Slices + patient.Imaging.Ct.Slices, await ctx.ImagingInstances.CountAsync());
        }
    }

    [Fact]
    public async Task ScrubbingStudy_StoresPhiFilesScrubbed_WithTheirPixelsUnchanged()
    {
        await db.Get<Derby.Application.Study.StudyService>().SetDeidentificationAsync(AccessScope.System, DeidentificationPolicy.Scrub);
        var patient = Faulty(FaultKind.Phi);
        // The PHI fault also marks burned-in annotation, which no scrub can remove: take that one mark away.
        var reader = new GdcmDicomFileReader();
        var writer = new GdcmDicomFileWriter();
        var folder = Path.Combine(db.DataDirectory, "phi-without-burned-in");
        var files = FilesOf(patient).Select((f, i) =>
        {
            var ds = reader.Read(f).Dataset.Text(Derby.Imaging.Dicom.DicomTags.BurnedInAnnotation, Derby.Imaging.Dicom.DicomVR.CS, "NO");
            var path = Path.Combine(folder, $"{i:D4}.dcm");
            writer.WriteWithPixelsOf(ds, f, path);
            return path;
        }).ToList();

        var result = await db.Get<DicomIngestService>().IngestAsync(AccessScope.System, await IdOf(patient.Pseudonym), files);

        Assert.True(result.Accepted, string.Join("; ", result.FileResults.SelectMany(f => f.Reasons).Concat(result.Series.SelectMany(s => s.Reasons)).Take(5)));
        Assert.All(result.FileResults, f => Assert.Contains(f.Reasons, r => r.StartsWith("scrubbed", StringComparison.Ordinal) && r.Contains("Patient's Birth Date")));
        await using var ctx = db.Context();
        var stored = await ctx.ImagingInstances.Where(i => i.Series!.Patient!.Pseudonym == patient.Pseudonym).OrderBy(i => i.Series!.Modality).ThenBy(i => i.SliceIndex).ToListAsync();
        Assert.Equal(files.Count, stored.Count);
        foreach (var instance in stored.Take(5))
        {
            var path = db.Get<IDicomStore>().PathOf(instance.Sha256);
            var ds = reader.Read(path).Dataset;
            Assert.True(Derby.Imaging.Deidentification.DeidentificationGate.Check(ds, patient.Pseudonym).Accepted);
            Assert.Equal(patient.Pseudonym, ds.GetString(Derby.Imaging.Dicom.DicomTags.PatientName));
            var original = files.Single(f => reader.Read(f).Dataset.GetString(Derby.Imaging.Dicom.DicomTags.SopInstanceUid) == instance.SopInstanceUid);
            Assert.Equal(reader.ReadFrame(original).Values, reader.ReadFrame(path).Values);
        }

        // The scrubbed copies were made in the store's scratch space and are gone once the upload is stored.
        var scratch = Path.Combine(db.DataDirectory, Derby.Infrastructure.Files.DicomStore.ScratchFolder);
        Assert.True(Directory.Exists(scratch), "the scrub wrote no copies in the store's scratch space");
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
    }

    [Fact]
    public async Task ScrubbingStudy_StillRefusesBurnedInAnnotation()
    {
        await db.Get<Derby.Application.Study.StudyService>().SetDeidentificationAsync(AccessScope.System, DeidentificationPolicy.Scrub);
        var patient = Faulty(FaultKind.Phi);

        var result = await db.Get<DicomIngestService>().IngestAsync(AccessScope.System, await IdOf(patient.Pseudonym), FilesOf(patient));

        Assert.False(result.Accepted);
        Assert.All(result.FileResults, f => Assert.Contains(f.Reasons, r => r.Contains("Burned In Annotation is YES")));
    }
}
